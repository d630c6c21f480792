import type { Config } from './config.ts';

// Replaced at bundle time (esbuild `define`) with the validated configuration as a JSON string.
declare const LEADPIPE_CONFIG_JSON: string;

/**
 * The configuration CDK validated at synth and baked into the bundle. It is zod's own output, a fixed point of
 * a second parse (test/unit/bundled-config.test.ts), so it is not parsed again here: that parse was half of
 * every cold start (~75 ms of ~140 ms module init).
 */
export function bundledConfig(): Config {
  if (typeof LEADPIPE_CONFIG_JSON !== 'string')
    throw new Error('this bundle was built without a leadpipe configuration');
  return JSON.parse(LEADPIPE_CONFIG_JSON) as Config;
}
