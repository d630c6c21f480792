import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDashboard } from '../dashboard/build.ts';
import type { Config } from '../functions/shared/config.ts';
import { DASHBOARD_FILE } from '../functions/shared/dashboard-assets.ts';
import { withSecretReferences } from '../functions/shared/secrets.ts';

/** Bundle settings shared by the CDK functions and the benchmark, so the benchmark measures what ships. */
export const BUNDLE = {
  target: 'node20',
  mainFields: ['module', 'main'],
  // CommonJS dependencies inside an ESM bundle still call require().
  banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  // Lambda's credentials are always in the environment: the default chain's other providers stay out.
  alias: {
    '@aws-sdk/credential-provider-node': new URL('./lambda-credentials.ts', import.meta.url).pathname,
  },
} as const;

/** esbuild `define` that bakes the validated configuration into a bundle. */
export function configDefine(config: unknown): Record<string, string> {
  return { LEADPIPE_CONFIG_JSON: JSON.stringify(JSON.stringify(config)) };
}

/** The built dashboard (page, script, style) as the file the ops function reads beside its bundle. */
export function dashboardFiles(): Record<string, string> {
  return { [DASHBOARD_FILE]: JSON.stringify(buildDashboard()) };
}

/** Writes files into a fresh folder (for a bundle's afterBundling copy) and returns the folder. */
export function writeBesideBundle(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'leadpipe-beside-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

export const SECRETS_PREFIX = '/leadpipe';

/** The configuration as deployed: every secret becomes a reference to its SSM parameter, resolved at cold start. */
export function deployableConfig(config: Config, prefix = SECRETS_PREFIX): Config {
  return withSecretReferences(config, prefix);
}
