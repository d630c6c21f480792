import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { Config } from '../../functions/shared/config.ts';
import { parseConfig } from '../../functions/shared/config-text.ts';
import { BUNDLE, deployableConfig } from '../../infra/bundling.ts';
import { testConfig } from '../support/factories.ts';

async function bundleFixture(dir: string, sourcemap: boolean): Promise<string> {
  const outfile = join(dir, 'index.mjs');
  await build({
    entryPoints: ['test/fixtures/bundle/throws.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE.target,
    banner: { js: BUNDLE.banner },
    minify: true,
    sourcemap: sourcemap ? 'external' : false,
    sourcesContent: false,
    logLevel: 'silent',
  });
  return outfile;
}

function stackOf(outfile: string, nodeOptions = ''): string {
  const run = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', `console.log((await import(${JSON.stringify(outfile)})).handler())`],
    { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: nodeOptions } },
  );
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

describe('what a bundle ships', () => {
  it('bakes a configuration that a second parse leaves unchanged, so a cold start need not parse it', () => {
    const demo = parseConfig(readFileSync('leadpipe.config.yaml', 'utf8'));
    for (const config of [demo, deployableConfig(demo), testConfig()]) {
      const baked = JSON.parse(JSON.stringify(config));
      expect(isDeepStrictEqual(Config.parse(baked), baked)).toBe(true);
    }
  });

  it('names the TypeScript file and line in a stack trace, from the map beside the bundle', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leadpipe-stack-'));
    try {
      const stack = stackOf(await bundleFixture(dir, true));
      expect(stack).toMatch(/^Error: failed: on purpose/);
      expect(stack).toMatch(/test\/fixtures\/bundle\/throws\.ts:5:\d+\)/);
      expect(stack).toMatch(/test\/fixtures\/bundle\/throws\.ts:10:\d+\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves the stack as V8 writes it when no map ships beside the bundle', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leadpipe-stack-'));
    try {
      const outfile = await bundleFixture(dir, false);
      const stack = stackOf(outfile);
      expect(stack).toMatch(/^Error: failed: on purpose/);
      expect(stack).toContain(`${outfile}:`);
      expect(stack).not.toContain('throws.ts');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
