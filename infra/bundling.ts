/** Bundle settings shared by the CDK functions and the benchmark, so the benchmark measures what ships. */
export const BUNDLE = {
  target: 'node20',
  mainFields: ['module', 'main'],
  // CommonJS dependencies inside an ESM bundle still call require().
  banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
} as const;

/** esbuild `define` that bakes the validated configuration into a bundle. */
export function configDefine(config: unknown): Record<string, string> {
  return { LEADPIPE_CONFIG_JSON: JSON.stringify(JSON.stringify(config)) };
}

/** The configuration as deployed: no webhook secret is baked into a bundle or template (they come from SSM). */
export function deployableConfig<T extends { sources: { facebook?: unknown; google?: unknown } }>(
  config: T,
): T {
  const { facebook: _facebook, google: _google, ...sources } = config.sources;
  return { ...config, sources: sources as T['sources'] };
}
