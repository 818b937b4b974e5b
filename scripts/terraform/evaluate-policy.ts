// Evaluates an AWS request against rendered policies with @cloud-copilot/iam-simulate (the IAM evaluation
// logic: explicit deny, allow, resource and identity policies, KMS's key-policy-first rule, conditions).
// runUnsafeSimulation takes the context keys exactly as given: the checked variant drops keys it does not know
// for the action, such as kms:EncryptionContext:<key>, which these policies depend on.
import { createValidatedPolicy, validateIdentityPolicy, validateResourcePolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import type { PolicyDocument } from "./render-policies.ts";

export type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

export interface PolicyRequest {
  /** An IAM principal ARN, or a service principal such as events.amazonaws.com. */
  principal: string;
  action: string;
  resource: string;
  /** Request context as AWS would send it (condition keys and their values). */
  context?: Record<string, string | string[]>;
  /** The principal's identity policies (none for a service principal). */
  identityPolicies?: PolicyDocument[];
  /** The resource's policy: key, queue, bucket or trust policy. */
  resourcePolicy?: PolicyDocument;
}

const ACCOUNT = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/;

export function evaluate(request: PolicyRequest): Decision {
  const accountId = ACCOUNT.exec(request.resource)?.[1] ?? ACCOUNT.exec(request.principal)?.[1] ?? "123456789012";
  const result = runUnsafeSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId },
        contextVariables: request.context ?? {},
      },
      identityPolicies: (request.identityPolicies ?? []).map((policy, index) => ({
        name: `identity-${index}`,
        policy: createValidatedPolicy(policy, validateIdentityPolicy, { name: `identity-${index}` }),
      })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: request.resourcePolicy && createValidatedPolicy(request.resourcePolicy, validateResourcePolicy, { name: "resource" }),
    },
    {},
  );
  return result as Decision;
}

/** Syntax problems IAM would reject the document for, as the library's validator reports them. */
export function policyErrors(document: PolicyDocument, kind: "identity" | "resource" | "trust"): string[] {
  const validate = { identity: validateIdentityPolicy, resource: validateResourcePolicy, trust: validateTrustPolicy }[kind];
  return validate(document).map((error) => `${error.path}: ${error.message}`);
}
