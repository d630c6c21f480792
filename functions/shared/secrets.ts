import type { Config } from './config.ts';

/** A config value of the form `ssm:/path` is a reference to an SSM SecureString, resolved at cold start. */
const REFERENCE = /^ssm:(\/[A-Za-z0-9_.\-/]+)$/;

export type SecretName =
  | 'facebook.appSecret'
  | 'facebook.verifyToken'
  | 'facebook.pageAccessToken'
  | 'google.key'
  | 'mail.linkSigningKey'
  | 'notifications.whatsapp.accessToken'
  | 'notifications.whatsapp.appSecret'
  | 'notifications.whatsapp.verifyToken'
  | 'notifications.telegram.botToken'
  | 'crm.odoo.apiKey';

type Slot = {
  name: SecretName | `google.forms.${string}.key`;
  ssmPath: string;
  get(): string;
  set(value: string): void;
};

/** Every secret in the config, with the SSM parameter it lives in when deployed. */
function secretSlots(config: Config, prefix: string): Slot[] {
  const slots: Slot[] = [
    {
      name: 'mail.linkSigningKey',
      ssmPath: `${prefix}/mail/link-signing-key`,
      get: () => config.mail.linkSigningKey,
      set: (v) => (config.mail.linkSigningKey = v),
    },
  ];
  const { whatsapp, telegram } = config.notifications;
  if (whatsapp) {
    slots.push(
      {
        name: 'notifications.whatsapp.accessToken',
        ssmPath: `${prefix}/whatsapp/access-token`,
        get: () => whatsapp.accessToken,
        set: (v) => (whatsapp.accessToken = v),
      },
      {
        name: 'notifications.whatsapp.appSecret',
        ssmPath: `${prefix}/whatsapp/app-secret`,
        get: () => whatsapp.appSecret,
        set: (v) => (whatsapp.appSecret = v),
      },
      {
        name: 'notifications.whatsapp.verifyToken',
        ssmPath: `${prefix}/whatsapp/verify-token`,
        get: () => whatsapp.verifyToken,
        set: (v) => (whatsapp.verifyToken = v),
      },
    );
  }
  if (telegram) {
    slots.push({
      name: 'notifications.telegram.botToken',
      ssmPath: `${prefix}/telegram/bot-token`,
      get: () => telegram.botToken,
      set: (v) => (telegram.botToken = v),
    });
  }
  const odoo = config.crm.odoo;
  if (odoo) {
    slots.push({
      name: 'crm.odoo.apiKey',
      ssmPath: `${prefix}/odoo/api-key`,
      get: () => odoo.apiKey,
      set: (v) => (odoo.apiKey = v),
    });
  }
  const { facebook, google } = config.sources;
  if (facebook) {
    slots.push(
      {
        name: 'facebook.appSecret',
        ssmPath: `${prefix}/facebook/app-secret`,
        get: () => facebook.appSecret,
        set: (v) => (facebook.appSecret = v),
      },
      {
        name: 'facebook.verifyToken',
        ssmPath: `${prefix}/facebook/verify-token`,
        get: () => facebook.verifyToken,
        set: (v) => (facebook.verifyToken = v),
      },
      {
        name: 'facebook.pageAccessToken',
        ssmPath: `${prefix}/facebook/page-access-token`,
        get: () => facebook.pageAccessToken,
        set: (v) => (facebook.pageAccessToken = v),
      },
    );
  }
  if (google) {
    slots.push({
      name: 'google.key',
      ssmPath: `${prefix}/google/key`,
      get: () => google.key,
      set: (v) => (google.key = v),
    });
    for (const [formId, form] of Object.entries(google.forms)) {
      slots.push({
        name: `google.forms.${formId}.key`,
        ssmPath: `${prefix}/google/forms/${formId}/key`,
        get: () => form.key,
        set: (v) => (form.key = v),
      });
    }
  }
  return slots;
}

/**
 * The config as deployed: every secret replaced by a reference to its SSM parameter, so no secret is ever in a
 * bundle or a template. Values that already are references are kept.
 */
export function withSecretReferences(config: Config, prefix = '/leadpipe'): Config {
  const copy = structuredClone(config);
  for (const slot of secretSlots(copy, prefix)) {
    if (!REFERENCE.test(slot.get())) slot.set(`ssm:${slot.ssmPath}`);
  }
  return copy;
}

/** The SSM parameters a function reads, for its IAM policy. */
export function secretParameterPaths(
  config: Config,
  names: readonly string[],
  prefix = '/leadpipe',
): string[] {
  return secretSlots(withSecretReferences(config, prefix), prefix)
    .filter((s) => names.some((n) => s.name === n || (n === 'google.key' && s.name.startsWith('google.'))))
    .map((s) => REFERENCE.exec(s.get())?.[1] ?? s.ssmPath);
}

/** A secret whose SSM parameter does not exist (yet): the deploy guide creates some only after Meta's app. */
export type MissingSecret = { name: string; parameter: string };

/**
 * Resolves the secret references a function needs (`google.key` also covers per-form Google keys), with one
 * batched fetch. A parameter that does not exist is reported in `missing`, not thrown: a Meta app secret not
 * yet created must not take web forms down. Other references stay unresolved; literal values (local runs)
 * are left as they are.
 */
export async function resolveAvailableSecrets(
  config: Config,
  names: readonly SecretName[],
  fetchParameters: (paths: string[]) => Promise<Record<string, string>>,
): Promise<{ config: Config; missing: MissingSecret[] }> {
  const resolved = structuredClone(config);
  const wanted = secretSlots(resolved, '').filter(
    (s) =>
      names.some((n) => s.name === n || (n === 'google.key' && s.name.startsWith('google.'))) &&
      REFERENCE.test(s.get()),
  );
  if (wanted.length === 0) return { config: resolved, missing: [] };
  const paths = wanted.map((s) => REFERENCE.exec(s.get())?.[1] ?? '');
  const values = await fetchParameters(paths);
  const missing: MissingSecret[] = [];
  wanted.forEach((slot, i) => {
    const path = paths[i] ?? '';
    const value = values[path];
    if (value === undefined || value === '') missing.push({ name: slot.name, parameter: path });
    else slot.set(value);
  });
  return { config: resolved, missing };
}

/** As resolveAvailableSecrets, for a function that cannot work at all without every one of them. */
export async function resolveSecrets(
  config: Config,
  names: readonly SecretName[],
  fetchParameters: (paths: string[]) => Promise<Record<string, string>>,
): Promise<Config> {
  const { config: resolved, missing } = await resolveAvailableSecrets(config, names, fetchParameters);
  const [first] = missing;
  if (first) throw new Error(`secret ${first.name} is missing: create the SSM parameter ${first.parameter}`);
  return resolved;
}

/**
 * As resolveAvailableSecrets, for a function that needs some secrets to start at all (`required`) and can do
 * without the others for a while (a channel or a source waits for its own).
 */
export async function resolveSecretsRequiring(
  config: Config,
  names: readonly SecretName[],
  required: readonly SecretName[],
  fetchParameters: (paths: string[]) => Promise<Record<string, string>>,
): Promise<{ config: Config; missing: MissingSecret[] }> {
  const resolved = await resolveAvailableSecrets(config, names, fetchParameters);
  const blocking = resolved.missing.find((m) => (required as readonly string[]).includes(m.name));
  if (blocking)
    throw new Error(`secret ${blocking.name} is missing: create the SSM parameter ${blocking.parameter}`);
  return resolved;
}

/** The missing secrets among `names` (a source's own), for its 503 and its log line. */
export function missingFor(missing: readonly MissingSecret[], prefix: string): MissingSecret[] {
  return missing.filter((m) => m.name.startsWith(prefix));
}
