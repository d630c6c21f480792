import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Config, ConfigError } from '../functions/shared/config.ts';
import { parseConfig } from '../functions/shared/config-text.ts';

export type SecretOverrides = {
  LEADPIPE_FACEBOOK_APP_SECRET?: string | undefined;
  LEADPIPE_FACEBOOK_VERIFY_TOKEN?: string | undefined;
  LEADPIPE_GOOGLE_KEY?: string | undefined;
};

/** Reads and validates the config file; secrets given in the environment win over the file's. */
export function loadConfigFile(path: string, overrides: SecretOverrides = {}): Config {
  const fullPath = resolve(path);
  let text: string;
  try {
    text = readFileSync(fullPath, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [`cannot read the file: ${(error as NodeJS.ErrnoException).code ?? error}`]);
  }
  const config = parseConfig(text, path);
  const { facebook, google } = config.sources;
  if (facebook) {
    if (overrides.LEADPIPE_FACEBOOK_APP_SECRET) facebook.appSecret = overrides.LEADPIPE_FACEBOOK_APP_SECRET;
    if (overrides.LEADPIPE_FACEBOOK_VERIFY_TOKEN)
      facebook.verifyToken = overrides.LEADPIPE_FACEBOOK_VERIFY_TOKEN;
  }
  if (google && overrides.LEADPIPE_GOOGLE_KEY) google.key = overrides.LEADPIPE_GOOGLE_KEY;
  return config;
}
