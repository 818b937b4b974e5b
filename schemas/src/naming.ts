/** EventBridge rule, connection and API destination names: at most 64 characters (EventBridge API Reference, PutRule). */
export const MAX_EVENTBRIDGE_NAME_LENGTH = 64;

export class ResourceNameTooLong extends Error {
  override readonly name = "ResourceNameTooLong";
}

/**
 * The name of an endpoint's rule, connection and API destination: `<namePrefix>-<ODS>-<endpoint id>`, never cut
 * (a cut could give two endpoints one name). Terraform's trust-endpoint module refuses the same names with a
 * validation; schemas/fixtures/endpoint-resource-names.json pins both sides to the same cases.
 */
export function endpointResourceName(namePrefix: string, trustId: string, endpointId: string): string {
  const name = `${namePrefix}-${trustId}-${endpointId}`;
  if (name.length > MAX_EVENTBRIDGE_NAME_LENGTH) {
    throw new ResourceNameTooLong(
      `endpoint name "${name}" is ${name.length} characters; EventBridge allows ${MAX_EVENTBRIDGE_NAME_LENGTH}: shorten the endpoint id or the name prefix`,
    );
  }
  return name;
}
