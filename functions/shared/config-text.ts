import { parse as parseYaml } from 'yaml';
import { type Config, ConfigError, validateConfig } from './config.ts';

// Kept apart from config.ts so a Lambda bundle, which gets its config baked in as JSON, never carries a YAML parser.
/** Parses and validates configuration text (YAML or JSON); errors name every bad key. */
export function parseConfig(text: string, source = 'configuration'): Config {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(source, [`not valid YAML: ${(error as Error).message}`]);
  }
  return validateConfig(raw, source);
}
