import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { wireIngest } from '../../functions/ingest/wiring.ts';
import { IntakeMessage } from '../../functions/shared/lead.ts';
import { freshResources, queueDepth, type TestAws, takeAll } from '../support/aws.ts';
import { BAD_INPUTS } from '../support/bad-inputs.ts';
import { context, silentLogger, testConfig } from '../support/factories.ts';
import { functionOn } from '../support/handlers.ts';

let aws: TestAws;
let ingest: ReturnType<typeof wireIngest>;

beforeAll(async () => {
  aws = await freshResources('bad');
  ingest = wireIngest({
    ...functionOn(aws, 'ingest'),
    config: testConfig(),
    newId: () => '0197a000-0000-7000-8000-000000000000',
    now: () => new Date('2026-03-19T16:00:00.000Z'),
    logger: silentLogger(),
  });
});

describe('every bad input in docs/bad-inputs.md', () => {
  it('is listed in the doc with the answer it gets, and the doc lists nothing else', () => {
    const doc = readFileSync('docs/bad-inputs.md', 'utf8');
    // The ingest table: from its heading to the next one.
    const rows = doc
      .slice(doc.indexOf('## Ingest'), doc.indexOf('\n## ', doc.indexOf('## Ingest') + 1))
      .split('\n')
      .filter((line) => /^\| .+ \| \d{3} \|/.test(line))
      .map((line) =>
        line
          .split('|')
          .map((cell) => cell.trim())
          .slice(1, 4),
      );
    expect(rows).toEqual(
      BAD_INPUTS.map((c) => [c.input, String(c.status), c.status >= 400 ? `\`${c.answer}\`` : c.answer]),
    );
  });

  it.each(BAD_INPUTS.map((c) => [c.input, c] as const))('%s', async (_, bad) => {
    const response = await ingest(bad.event(), context());
    expect(response.statusCode).toBe(bad.status);
    if (bad.status >= 400) {
      const body = JSON.parse(response.body ?? '');
      expect(body.error.code).toBe(bad.answer);
      expect(body.error.message.length).toBeGreaterThan(10);
    }
    if (bad.queued) {
      const [message] = await takeAll(aws.sqs, aws.resources.intake.url, 1);
      expect(bad.queued(IntakeMessage.parse(JSON.parse(message?.Body ?? '')))).toBe(true);
    }
    expect(await queueDepth(aws.sqs, aws.resources.intake.url)).toBe(0);
  });
});
