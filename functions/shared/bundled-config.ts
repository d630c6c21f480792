import { Config } from './config.ts';

// Replaced at bundle time (esbuild `define`) with the validated configuration as a JSON string.
declare const LEADPIPE_CONFIG_JSON: string;

/** The configuration CDK validated at synth and baked into the bundle. */
export function bundledConfig(): Config {
  if (typeof LEADPIPE_CONFIG_JSON !== 'string')
    throw new Error('this bundle was built without a leadpipe configuration');
  return Config.parse(JSON.parse(LEADPIPE_CONFIG_JSON));
}
