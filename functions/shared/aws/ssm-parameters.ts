import { getParametersByName } from '@aws-lambda-powertools/parameters/ssm';

/** Reads SecureString parameters in one batch (Powertools caches them for the container's life). */
export async function fetchSsmParameters(paths: string[]): Promise<Record<string, string>> {
  const values = await getParametersByName<string>(Object.fromEntries(paths.map((p) => [p, {}])), {
    decrypt: true,
    throwOnError: true,
    maxAge: 3600,
  });
  return Object.fromEntries(paths.map((p) => [p, String(values[p] ?? '')]));
}
