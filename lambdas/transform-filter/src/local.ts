/** Stand-ins for AWS services where there is no AWS account: the local pipeline, tests and the benchmark. */
export { LocalKeyProvider } from "./adapters/local-key-provider.ts";
