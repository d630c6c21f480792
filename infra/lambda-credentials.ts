import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (an esbuild alias, see bundling.ts).
 * Lambda hands every function its role's credentials in the environment, the first link of the SDK's default
 * chain; the other links (SSO, profiles, web identity, the console sign-in, IMDS) never run there, yet their
 * clients made up ~90 KB of each bundle and of its cold start.
 */
export function defaultProvider(init: Parameters<typeof fromEnv>[0] = {}): AwsCredentialIdentityProvider {
  return fromEnv(init);
}
