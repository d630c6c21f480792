import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/shared/config-text.ts';
import {
  resolveSecrets,
  secretParameterPaths,
  withSecretReferences,
} from '../../functions/shared/secrets.ts';

const config = parseConfig(readFileSync('leadpipe.config.yaml', 'utf8'));
const { facebook, google } = config.sources;
if (!facebook || !google) throw new Error('the demo config has both webhook sources');
const withFormKey = {
  ...config,
  sources: { ...config.sources, google: { ...google, forms: { '349080077126': { key: 'per-form-key-1' } } } },
};

describe('secrets', () => {
  it('are replaced by SSM parameter references in the deployed config', () => {
    const deployed = withSecretReferences(withFormKey, '/leadpipe');
    expect(deployed.sources.facebook).toMatchObject({
      appSecret: 'ssm:/leadpipe/facebook/app-secret',
      verifyToken: 'ssm:/leadpipe/facebook/verify-token',
      pageAccessToken: 'ssm:/leadpipe/facebook/page-access-token',
    });
    expect(deployed.sources.google?.forms['349080077126']?.key).toBe(
      'ssm:/leadpipe/google/forms/349080077126/key',
    );
    expect(JSON.stringify(deployed)).not.toMatch(/local-facebook-app-secret|local-google-key|per-form-key-1/);
    expect(withFormKey.sources.facebook?.appSecret).toBe('local-facebook-app-secret');
  });

  it('keep a reference written in the config file as it is', () => {
    const custom = {
      ...config,
      sources: { ...config.sources, facebook: { ...facebook, appSecret: 'ssm:/acme/meta/secret' } },
    };
    expect(withSecretReferences(custom).sources.facebook?.appSecret).toBe('ssm:/acme/meta/secret');
    expect(secretParameterPaths(custom, ['facebook.appSecret'])).toEqual(['/acme/meta/secret']);
  });

  it('are resolved at cold start with one batched fetch of only the ones a function needs', async () => {
    const deployed = withSecretReferences(withFormKey);
    const fetched: string[][] = [];
    const resolved = await resolveSecrets(deployed, ['facebook.appSecret', 'google.key'], async (paths) => {
      fetched.push(paths);
      return Object.fromEntries(paths.map((p) => [p, `value-of-${p}`]));
    });
    expect(fetched).toEqual([
      ['/leadpipe/facebook/app-secret', '/leadpipe/google/key', '/leadpipe/google/forms/349080077126/key'],
    ]);
    expect(resolved.sources.facebook?.appSecret).toBe('value-of-/leadpipe/facebook/app-secret');
    expect(resolved.sources.facebook?.pageAccessToken).toBe('ssm:/leadpipe/facebook/page-access-token');
  });

  it('stop the cold start with the parameter to create when one is missing', async () => {
    const deployed = withSecretReferences(config);
    await expect(resolveSecrets(deployed, ['facebook.appSecret'], async () => ({}))).rejects.toThrow(
      'secret facebook.appSecret is missing: create the SSM parameter /leadpipe/facebook/app-secret',
    );
  });

  it('need no fetch at all when the values are literal (local runs)', async () => {
    const resolved = await resolveSecrets(config, ['facebook.appSecret'], async () => {
      throw new Error('no fetch expected');
    });
    expect(resolved.sources.facebook?.appSecret).toBe('local-facebook-app-secret');
  });
});
