import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The dependency rules of DESIGN §2 are the linter's, not a memory: a deliberate violation fails `biome check`
// (which `npm test` runs), tried here on probe files laid out as the project is, with the project's biome.json.
const biome = resolve('node_modules/.bin/biome');

function lint(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'leadpipe-rules-'));
  const config = JSON.parse(readFileSync('biome.json', 'utf8')) as Record<string, unknown>;
  delete config.$schema;
  delete config.vcs;
  writeFileSync(join(root, 'biome.json'), JSON.stringify(config));
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), source);
  }
  const run = spawnSync(biome, ['lint', '--max-diagnostics=100', '.'], { cwd: root, encoding: 'utf8' });
  return `${run.stdout}${run.stderr}`;
}

describe('the dependency rules', () => {
  it('fail a pure core that imports the AWS SDK, reads the clock or the environment, or touches files', () => {
    const out = lint({
      'functions/probe/core.ts': [
        "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
        "import { readFileSync } from 'node:fs';",
        'export const probe = [DynamoDBClient, readFileSync, Date.now(), process.env.X];',
        '',
      ].join('\n'),
    });
    expect(out).toMatch(/core\.ts:1:\d+ lint\/style\/noRestrictedImports/);
    expect(out).toMatch(/core\.ts:2:\d+ lint\/style\/noRestrictedImports/);
    expect(out.match(/lint\/nursery\/noJsRestrictedProperties/g)).toHaveLength(2);
  });

  it('fail deployed code that imports the local runner, the CDK app, the bench or the tests', () => {
    const out = lint({
      'functions/probe/handler.ts': [
        "import { startPipeline } from '../../local/pipeline.ts';",
        "import { PipelineStack } from '../../infra/stacks/pipeline-stack.ts';",
        "import { lead } from '../../test/support/factories.ts';",
        'export const probe = [startPipeline, PipelineStack, lead];',
        '',
      ].join('\n'),
    });
    expect(out.match(/lint\/style\/noRestrictedImports/g)).toHaveLength(3);
  });

  it('let a handler use AWS clients and the clock (it is the place for them)', () => {
    const out = lint({
      'functions/probe/handler.ts': [
        "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
        'export const probe = [DynamoDBClient, Date.now()];',
        '',
      ].join('\n'),
    });
    expect(out).not.toMatch(/noRestrictedImports|noJsRestrictedProperties/);
    // The probe and the config were read: the silence is a verdict, not a skipped file.
    expect(out).toMatch(/Checked 2 files/);
  });
});

describe('the table schema', () => {
  it('is the only place in deployed code that spells a key: no item-kind literal anywhere else', () => {
    const literal =
      /[`'](LEAD|RAW|DEDUPE|KEY|FAILURE|POOL|TIMER|SUPPRESS|IDEMPOTENCY|WAITING|KPI|KPIMARK|LEADS|REP|DAY|DUE)(#|'|`)|'REPS'|'COUNTER'/;
    const offenders = readdirSync('functions', { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts') && !file.endsWith('table-schema.ts'))
      .flatMap((file) =>
        readFileSync(join('functions', file), 'utf8')
          .split('\n')
          .map((line, i) => ({ where: `functions/${file}:${i + 1}`, line }))
          .filter(
            ({ line }) => !line.trim().startsWith('//') && !line.trim().startsWith('*') && literal.test(line),
          ),
      )
      .map(({ where, line }) => `${where}: ${line.trim()}`);
    expect(offenders).toEqual([]);
  });
});
