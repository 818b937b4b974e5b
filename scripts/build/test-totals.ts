// Prints the closing line of `make test`: every test that ran (vitest and terraform test), as
// "tests: N passed, N failed". Runs only after every step succeeded, so failed is 0 unless a file lies.
import { readFileSync } from "node:fs";

const [vitestJson = ".build/vitest.json", terraformLog = ".build/tf-test.log"] = process.argv.slice(2);
const vitest = JSON.parse(readFileSync(vitestJson, "utf8"));
let passed = vitest.numPassedTests;
let failed = vitest.numFailedTests;
for (const match of readFileSync(terraformLog, "utf8").matchAll(/(\d+) passed, (\d+) failed/g)) {
  passed += Number(match[1]);
  failed += Number(match[2]);
}
console.log(`vitest ${vitest.numPassedTests} passed; terraform test ${passed - vitest.numPassedTests} passed`);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
