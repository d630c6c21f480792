import { buildDashboard } from '../dashboard/build.ts';
import type { Config } from '../functions/shared/config.ts';
import { withSecretReferences } from '../functions/shared/secrets.ts';

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

/** esbuild `define` that bakes the built dashboard (page, script, style) into the ops bundle. */
export function dashboardDefine(): Record<string, string> {
  return { LEADPIPE_DASHBOARD_JSON: JSON.stringify(JSON.stringify(buildDashboard())) };
}

export const SECRETS_PREFIX = '/leadpipe';

/** The configuration as deployed: every secret becomes a reference to its SSM parameter, resolved at cold start. */
export function deployableConfig(config: Config, prefix = SECRETS_PREFIX): Config {
  return withSecretReferences(config, prefix);
}
