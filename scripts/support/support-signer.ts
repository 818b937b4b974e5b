/**
 * Where `redrive` and `replay` get deliveries signed and published (docs/guarantees.md 5.20, 7.40, 7.41): never with
 * the operator's own credentials reading a signing key. On AWS, the support signer function
 * (`pipeline.support_signer_function_name` in `make output`'s JSON), invoked RequestResponse; locally, the same
 * `handleSupportRequest` in-process (the local pipeline has no IAM), so one code path is tested.
 */
import { randomUUID } from "node:crypto";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import {
  SupportSignerAnswer,
  type SupportRedriveAnswer,
  type SupportReplayAnswer,
  type SupportSignerRequestInput,
  type TrustConfig,
} from "@trust-callbacks/schemas";
import { createLogger, found, notFound } from "@trust-callbacks/runtime";
import { classifyAwsError } from "@trust-callbacks/runtime/aws";
import {
  DEFAULT_SETTINGS,
  handleSupportRequest,
  type DataKeyUnwrapper,
  type DeliveryHistory,
  type EventPublisher,
  type HoldDeps,
  type SigningSecretSource,
  type SubscriptionSource,
} from "@trust-callbacks/transform-filter";

/** Signs and publishes what support staff chose; answers as the signer function does. */
export interface SupportSigner {
  /** Throws SupportSignerUnavailable when no answer could be had (the caller leaves everything as it was). */
  sign(request: SupportSignerRequestInput & { kind: "redrive" }): Promise<SupportRedriveAnswer | RefusedAnswer>;
  sign(request: SupportSignerRequestInput & { kind: "replay" }): Promise<SupportReplayAnswer | RefusedAnswer>;
}
type RefusedAnswer = Extract<SupportSignerAnswer, { kind: "refused" }>;

/** The signer gave no usable answer: throttled past the attempts, failed, refused the call, or answered garbage. */
export class SupportSignerUnavailable extends Error {
  override readonly name = "SupportSignerUnavailable";
}

/** A correlation id for one request: joins the CLI's audit lines to the signer's log lines. */
export const newCorrelationId = (): string => randomUUID();

export interface LambdaSignerOptions {
  /** Calls at most, for throttling and 5xx answers (default 5). */
  attempts?: number;
  /** First backoff; doubled each time, with full jitter, capped at 5 s (default 200 ms). */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/**
 * The support signer function, invoked RequestResponse (https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html:
 * "For synchronous invocations, the maximum payload size is 6 MB"; the request is refused by the signer's own bound
 * first, `MAX_SUPPORT_REQUEST_BYTES`; "details about the function response, including errors, are included in the
 * response body and headers": `FunctionError` is set when the function threw, and the payload is then its error
 * object). Errors are classified here, at the edge: throttling (TooManyRequestsException, HTTP 429) and 5xx are
 * retried with exponential backoff and jitter; a function error, an access denial or an unknown function is not.
 */
export class LambdaSupportSigner implements SupportSigner {
  /**
   * The signer of a deployment, by function name, with a client that does not retry by itself: this class is the one
   * retry policy (the SDK's own retries would multiply its attempts). A 429 is answered before the function runs; a
   * 5xx or an unanswered call may follow a run that published, so a retry can publish a CloudEvent twice, with the same
   * id: receivers deduplicate on it (docs/webhooks), as they do for EventBridge's own retries.
   */
  static forFunction(functionName: string, options: LambdaSignerOptions = {}): LambdaSupportSigner {
    return new LambdaSupportSigner(new LambdaClient({ maxAttempts: 1 }), functionName, options);
  }

  constructor(
    private readonly lambda: Pick<LambdaClient, "send">,
    private readonly functionName: string,
    private readonly options: LambdaSignerOptions = {},
  ) {}

  sign(request: SupportSignerRequestInput & { kind: "redrive" }): Promise<SupportRedriveAnswer | RefusedAnswer>;
  sign(request: SupportSignerRequestInput & { kind: "replay" }): Promise<SupportReplayAnswer | RefusedAnswer>;
  async sign(request: SupportSignerRequestInput): Promise<SupportSignerAnswer> {
    const attempts = this.options.attempts ?? 5;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const random = this.options.random ?? Math.random;
    const payload = new TextEncoder().encode(JSON.stringify(request));
    for (let attempt = 1; ; attempt++) {
      let response;
      try {
        response = await this.lambda.send(new InvokeCommand({ FunctionName: this.functionName, InvocationType: "RequestResponse", Payload: payload }));
      } catch (error) {
        const classified = classifyAwsError(error, `Lambda Invoke ${this.functionName}`);
        if (classified.name === "TransientError" && attempt < attempts) {
          await sleep(Math.min(5000, (this.options.backoffMs ?? 200) * 2 ** (attempt - 1)) * random());
          continue;
        }
        throw new SupportSignerUnavailable(`${classified.message}${classified.name === "TransientError" ? ` (after ${attempt} attempts)` : ""}`);
      }
      const text = response.Payload ? new TextDecoder().decode(response.Payload) : "";
      if (response.FunctionError) {
        let reason = text;
        try {
          const body = JSON.parse(text) as { errorType?: string; errorMessage?: string };
          reason = [body.errorType, body.errorMessage].filter(Boolean).join(": ") || text;
        } catch {
          // not JSON: the text as it came
        }
        throw new SupportSignerUnavailable(`the support signer failed (${response.FunctionError}): ${reason.slice(0, 500)}`);
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new SupportSignerUnavailable("the support signer answered no JSON");
      }
      const answer = SupportSignerAnswer.safeParse(json);
      if (!answer.success) throw new SupportSignerUnavailable("the support signer's answer is not a support signer answer (is the function the same version as this CLI?)");
      if (answer.data.kind !== "refused" && answer.data.kind !== request.kind) throw new SupportSignerUnavailable(`asked to ${request.kind}, the support signer answered a ${answer.data.kind}`);
      return answer.data;
    }
  }
}

export interface InProcessSignerOptions {
  trusts: TrustConfig[];
  secrets: SigningSecretSource;
  publisher: EventPublisher;
  keys: DataKeyUnwrapper;
  eventBusName: string;
  cloudEventSource: string;
  /** Told of each delivery a replay published (the local call history). */
  history?: DeliveryHistory;
  /** The trusts' documents; default: `trusts` as they are. */
  subscriptions?: SubscriptionSource;
  /** The local hold states and stores (`.local/holds/`): a redrive or replay to a held endpoint is held (10.8). */
  holds?: HoldDeps;
  now?: () => Date;
}

/**
 * The signer's own code, in-process: for the local pipeline (no IAM) and for tests. Same requests, same answers,
 * same checks (unknown, removed or disabled endpoint) as the function.
 */
export class InProcessSupportSigner implements SupportSigner {
  constructor(private readonly options: InProcessSignerOptions) {}

  sign(request: SupportSignerRequestInput & { kind: "redrive" }): Promise<SupportRedriveAnswer | RefusedAnswer>;
  sign(request: SupportSignerRequestInput & { kind: "replay" }): Promise<SupportReplayAnswer | RefusedAnswer>;
  async sign(request: SupportSignerRequestInput): Promise<SupportSignerAnswer> {
    const { trusts, secrets, publisher, keys, eventBusName, cloudEventSource } = this.options;
    const subscriptions: SubscriptionSource = this.options.subscriptions ?? {
      get: async (trustId) => {
        const config = trusts.find((t) => t.trustId === trustId);
        return config ? found({ config, version: "local" }) : notFound("no such trust file");
      },
    };
    return handleSupportRequest(
      // Through JSON, as the function receives it: nothing passes that would not pass the wire.
      JSON.parse(JSON.stringify(request)),
      {
        subscriptions,
        secrets,
        publisher,
        keys,
        logger: createLogger({ level: "silent" }),
        ...(this.options.history ? { history: this.options.history } : {}),
        ...(this.options.holds ? { holds: this.options.holds } : {}),
        ...(this.options.now ? { now: this.options.now } : {}),
      },
      { ...DEFAULT_SETTINGS, eventBusName, cloudEventSource },
    );
  }
}
