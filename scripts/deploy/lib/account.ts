/**
 * An environment's AWS account as data (`infrastructure/terraform/environments/<env>/account.json`): the account,
 * its Region, the GitHub repository and environment allowed to deploy to it, and the two roles the bootstrap
 * (`infrastructure/terraform/bootstrap/`) creates there. Workflows read it through `make deploy-account ENV=<env>`,
 * so no account id is written in a workflow; the bootstrap reads the same file.
 */

export interface Account {
  environment: string;
  accountId: string;
  region: string;
  /** `<owner>/<repository>`, as in GitHub's OIDC `sub` claim. */
  githubRepository: string;
  /** The GitHub environment whose jobs may assume the deploy role (its protection rules gate the apply). */
  githubEnvironment: string;
  planRoleArn: string;
  deployRoleArn: string;
}

const FIELDS = ["environment", "accountId", "region", "githubRepository", "githubEnvironment", "planRoleArn", "deployRoleArn"] as const;

/** Parses one account.json; every mistake is named with the file and field, never a stack. */
export function parseAccount(text: string, file: string, expectedEnvironment?: string): Account {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${file}: not JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`${file}: must be a JSON object`);
  const record = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(record)) {
    if (!(FIELDS as readonly string[]).includes(key)) problems.push(`unknown field ${key}`);
  }
  const text_ = (key: (typeof FIELDS)[number], pattern: RegExp, meaning: string): string => {
    const field = record[key];
    if (typeof field !== "string" || !pattern.test(field)) {
      problems.push(`${key} must be ${meaning}`);
      return "";
    }
    return field;
  };
  const account: Account = {
    environment: text_("environment", /^[a-z][a-z0-9]{1,11}$/, "an environment name such as prod"),
    accountId: text_("accountId", /^\d{12}$/, "a 12-digit AWS account id"),
    region: text_("region", /^[a-z]{2}(-gov)?-[a-z]+-\d$/, "an AWS Region such as eu-west-2"),
    githubRepository: text_("githubRepository", /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, "<owner>/<repository>"),
    githubEnvironment: text_("githubEnvironment", /^[A-Za-z0-9._-]{1,255}$/, "a GitHub environment name"),
    planRoleArn: text_("planRoleArn", /^arn:aws:iam::\d{12}:role\/[\w+=,.@-]{1,64}$/, "an IAM role ARN"),
    deployRoleArn: text_("deployRoleArn", /^arn:aws:iam::\d{12}:role\/[\w+=,.@-]{1,64}$/, "an IAM role ARN"),
  };
  for (const key of ["planRoleArn", "deployRoleArn"] as const) {
    if (account[key] && account.accountId && accountOf(account[key]) !== account.accountId) problems.push(`${key} must be a role in account ${account.accountId}`);
  }
  if (account.planRoleArn && account.planRoleArn === account.deployRoleArn) problems.push("planRoleArn and deployRoleArn must be two roles");
  if (expectedEnvironment !== undefined && account.environment && account.environment !== expectedEnvironment) {
    problems.push(`environment must be ${expectedEnvironment} (the directory it is in)`);
  }
  if (problems.length > 0) throw new Error(`${file}: ${problems.join("; ")}`);
  return account;
}

export function accountOf(roleArn: string): string | undefined {
  return /^arn:aws:iam::(\d{12}):/.exec(roleArn)?.[1];
}

export function roleName(roleArn: string): string {
  return roleArn.slice(roleArn.indexOf(":role/") + ":role/".length);
}

/**
 * `name=value` lines for `$GITHUB_OUTPUT` (GitHub Docs, "Workflow commands for GitHub Actions", Setting an output
 * parameter: https://docs.github.com/en/actions/using-workflows/workflow-commands-for-github-actions#setting-an-output-parameter).
 * None of these values is a secret: an account id and role ARNs are identifiers, not credentials.
 */
export function githubOutputs(account: Account): string {
  return [
    `account_id=${account.accountId}`,
    `region=${account.region}`,
    `github_environment=${account.githubEnvironment}`,
    `plan_role_arn=${account.planRoleArn}`,
    `deploy_role_arn=${account.deployRoleArn}`,
  ].join("\n");
}
