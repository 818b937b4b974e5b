import { describe, expect, it } from "vitest";
import { BEGIN, END, attribute, blocks, inputs, outputs, renderSection, updateReadme } from "./render.ts";

const VARIABLES = `# a comment with variable "fake" {
variable "plain" {
  description = "A \\"quoted\\" word and \${var.x} in {braces}."
  type        = string
}

variable "heredoc" {
  description = <<-EOT
    First line,
      indented line | with a pipe.
  EOT
  type = object({
    level = optional(string, "INFO") # a comment }
    tags  = optional(map(string), {})
  })
  default = {}
  validation {
    condition     = true
    error_message = "default = \\"not this\\""
  }
}

variable "number" {
  type    = number
  default = 90 // trailing comment
}
`;

describe("module-docs: reading variables.tf and outputs.tf", () => {
  it("finds top-level blocks only, past comments, strings with braces and heredocs", () => {
    expect(blocks(VARIABLES, "variable").map((block) => block.name)).toEqual(["plain", "heredoc", "number"]);
  });

  it("reads each input's description, type and default (absent: required)", () => {
    expect(inputs(VARIABLES)).toEqual([
      { name: "plain", description: 'A "quoted" word and ${var.x} in {braces}.', type: "string" },
      { name: "heredoc", description: "First line,\n  indented line | with a pipe.", type: 'object({ level = optional(string, "INFO") tags = optional(map(string), {}) })', default: "{}" },
      { name: "number", description: "", type: "number", default: "90" },
    ]);
  });

  it("never takes an attribute of a nested block for the block's own", () => {
    const [heredoc] = blocks(VARIABLES, "variable").filter((block) => block.name === "heredoc");
    expect(attribute(heredoc!.body, "condition")).toBeUndefined();
    expect(attribute(heredoc!.body, "error_message")).toBeUndefined();
  });

  it("reads outputs' descriptions", () => {
    expect(outputs('output "a" {\n  description = "The a."\n  value = { b = 1 }\n}\noutput "c" {\n  value = 2\n}\n')).toEqual([
      { name: "a", description: "The a." },
      { name: "c", description: "" },
    ]);
  });
});

describe("module-docs: the README section", () => {
  const section = renderSection([{ name: "x", description: "Two\nlines | piped", type: "string" }, { name: "y", description: "d", type: "number", default: "3" }], [{ name: "o", description: "out" }]);

  it("is one table of inputs and one of outputs between the markers", () => {
    expect(section.split("\n")).toEqual([
      BEGIN,
      "",
      "## Inputs",
      "",
      "| name | description | type | default |",
      "| --- | --- | --- | --- |",
      "| `x` | Two lines \\| piped | `string` | required |",
      "| `y` | d | `number` | `3` |",
      "",
      "## Outputs",
      "",
      "| name | description |",
      "| --- | --- |",
      "| `o` | out |",
      "",
      END,
    ]);
  });

  it("replaces only the generated section of an existing README, and starts a new one with a title", () => {
    expect(updateReadme(`# m\n\nhand-written\n\n${BEGIN}\nold\n${END}\n\nafter\n`, "m", section)).toBe(`# m\n\nhand-written\n\n${section}\n\nafter\n`);
    expect(updateReadme(undefined, "modules/m", section)).toMatch(/^# modules\/m\n\n[\s\S]*<!-- END_TF_DOCS -->\n$/);
  });
});
