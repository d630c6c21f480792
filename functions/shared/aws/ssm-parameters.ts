import { getParametersByName } from '@aws-lambda-powertools/parameters/ssm';

/**
 * Reads SecureString parameters in one batch (Powertools caches them for the container's life). A parameter
 * that does not exist comes back as '' (the caller says which, and what to create), not as a thrown error.
 */
export async function fetchSsmParameters(paths: string[]): Promise<Record<string, string>> {
  const values = await getParametersByName<string>(Object.fromEntries(paths.map((p) => [p, {}])), {
    decrypt: true,
    throwOnError: false,
    maxAge: 3600,
  });
  return Object.fromEntries(paths.map((p) => [p, String(values[p] ?? '')]));
}
