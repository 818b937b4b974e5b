import {
  DescribeConnectionCommand,
  ListConnectionsCommand,
  UpdateConnectionCommand,
  type ConnectionHttpParameters,
  type DescribeConnectionCommandOutput,
  type EventBridgeClient,
  type UpdateConnectionCommandInput,
} from "@aws-sdk/client-eventbridge";
import { found, notFound, type Result } from "@trust-callbacks/runtime";
import {
  CONNECTION_STATES,
  type AuthorizationType,
  type ConnectionDetails,
  type ConnectionState,
  type ConnectionSummary,
  type HttpParameters,
  type UpdateConnectionRequest,
} from "../core/model.ts";
import type { ConnectionsPort } from "../core/ports.ts";
import { classifyAwsError, isNotFound } from "./aws-errors.ts";

const stateOf = (value: string | undefined): ConnectionState =>
  (CONNECTION_STATES as readonly string[]).includes(value ?? "") ? (value as ConnectionState) : "UNKNOWN";

const typeOf = (value: string | undefined): AuthorizationType | undefined =>
  value === "BASIC" || value === "API_KEY" || value === "OAUTH_CLIENT_CREDENTIALS" ? value : undefined;

/**
 * OAuth HTTP parameters to echo unchanged, or undefined when any value is secret: DescribeConnection omits secret
 * values, and echoing an empty one would change it. (This deployment's are `grant_type` and `scope`, not secret.)
 */
function echoable(parameters: ConnectionHttpParameters | undefined): HttpParameters | undefined {
  if (!parameters) return undefined;
  const lists = [parameters.HeaderParameters, parameters.QueryStringParameters, parameters.BodyParameters];
  if (lists.some((list) => list?.some((p) => p.IsValueSecret || p.Value === undefined))) return undefined;
  return {
    ...(parameters.HeaderParameters ? { HeaderParameters: parameters.HeaderParameters } : {}),
    ...(parameters.QueryStringParameters ? { QueryStringParameters: parameters.QueryStringParameters } : {}),
    ...(parameters.BodyParameters ? { BodyParameters: parameters.BodyParameters } : {}),
  };
}

function detailsOf(name: string, output: DescribeConnectionCommandOutput): ConnectionDetails {
  const auth = output.AuthParameters;
  const oauth = auth?.OAuthParameters;
  const httpParameters = echoable(oauth?.OAuthHttpParameters);
  const method = oauth?.HttpMethod;
  return {
    name,
    state: stateOf(output.ConnectionState),
    ...(typeOf(output.AuthorizationType) ? { authorizationType: typeOf(output.AuthorizationType) } : {}),
    ...(output.LastModifiedTime ? { lastModified: output.LastModifiedTime } : {}),
    ...(output.Description ? { description: output.Description } : {}),
    ...(output.KmsKeyIdentifier ? { kmsKeyIdentifier: output.KmsKeyIdentifier } : {}),
    ...(auth?.ApiKeyAuthParameters?.ApiKeyName ? { apiKeyName: auth.ApiKeyAuthParameters.ApiKeyName } : {}),
    ...(oauth
      ? {
          oauth: {
            ...(oauth.AuthorizationEndpoint ? { authorizationEndpoint: oauth.AuthorizationEndpoint } : {}),
            ...(method === "GET" || method === "POST" || method === "PUT" ? { httpMethod: method } : {}),
            ...(httpParameters ? { httpParameters } : {}),
          },
        }
      : {}),
  };
}

/**
 * This deployment's EventBridge connections. ListConnections pages by NamePrefix (at most 100 per page);
 * DescribeConnection returns the non-secret parameters only; UpdateConnection takes literal credential values
 * and EventBridge stores them in the connection's own secret (EventBridge API Reference, ListConnections,
 * DescribeConnection, UpdateConnection: https://docs.aws.amazon.com/eventbridge/latest/APIReference/).
 */
export class EventBridgeConnections implements ConnectionsPort {
  constructor(private readonly client: EventBridgeClient) {}

  async list(namePrefix: string): Promise<ConnectionSummary[]> {
    const connections: ConnectionSummary[] = [];
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(new ListConnectionsCommand({ NamePrefix: namePrefix, Limit: 100, ...(token ? { NextToken: token } : {}) }));
      } catch (error) {
        throw classifyAwsError(error, "EventBridge ListConnections");
      }
      for (const connection of page.Connections ?? []) {
        if (!connection.Name) continue;
        const type = typeOf(connection.AuthorizationType);
        connections.push({
          name: connection.Name,
          state: stateOf(connection.ConnectionState),
          ...(type ? { authorizationType: type } : {}),
          ...(connection.LastModifiedTime ? { lastModified: connection.LastModifiedTime } : {}),
        });
      }
      token = page.NextToken;
    } while (token);
    return connections;
  }

  async describe(name: string): Promise<Result<ConnectionDetails>> {
    try {
      return found(detailsOf(name, await this.client.send(new DescribeConnectionCommand({ Name: name }))));
    } catch (error) {
      if (isNotFound(error)) return notFound(`EventBridge has no connection ${name}`);
      throw classifyAwsError(error, `EventBridge DescribeConnection ${name}`);
    }
  }

  async update(request: UpdateConnectionRequest): Promise<Result<{ state: ConnectionState }>> {
    const input: UpdateConnectionCommandInput = request;
    try {
      const output = await this.client.send(new UpdateConnectionCommand(input));
      return found({ state: stateOf(output.ConnectionState) });
    } catch (error) {
      if (isNotFound(error)) return notFound(`EventBridge has no connection ${request.Name}`);
      throw classifyAwsError(error, `EventBridge UpdateConnection ${request.Name}`);
    }
  }
}
