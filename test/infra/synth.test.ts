import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('npm run synth', () => {
  it('bundles the seven functions and writes both templates, offline', () => {
    const out = mkdtempSync(join(tmpdir(), 'leadpipe-cdk-'));
    execFileSync('npx', ['cdk', 'synth', '--quiet', '--output', out], {
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
      stdio: 'pipe',
      timeout: 120_000,
    });
    expect(existsSync(join(out, 'leadpipe-data.template.json'))).toBe(true);
    const template = JSON.parse(readFileSync(join(out, 'leadpipe-pipeline.template.json'), 'utf8'));
    const functions = Object.values(template.Resources as Record<string, { Type: string }>).filter(
      (r) => r.Type === 'AWS::Lambda::Function',
    );
    expect(functions).toHaveLength(7);
    const bundles = readdirSync(out).filter(
      (d) => d.startsWith('asset.') && existsSync(join(out, d, 'index.mjs')),
    );
    expect(bundles).toHaveLength(7);
    // The chaos fault injector lives in local/ and can never ship: no bundle contains it.
    for (const bundle of bundles) {
      const code = readFileSync(join(out, bundle, 'index.mjs'), 'utf8');
      expect(code).not.toContain('leadpipeFaultInjector');
      expect(code).not.toContain('injected fault');
    }
  }, 120_000);
});
