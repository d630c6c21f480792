import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { opsRequest } from './ops-client.ts';
import { readSpendFile } from './spend-report.ts';

// npm run spend -- import FILE.csv [--source facebook] [--currency SAR]: ad spend per campaign and day, from a
// Meta Ads Manager or Google Ads campaign report (broken down by day) or a generic CSV, into the running local
// pipeline's `PUT /v1/spend`. A day sent again replaces its figure, so a report is imported as often as needed.
const BATCH = 500;
const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

try {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { source: { type: 'string' }, currency: { type: 'string' } },
  });
  const [command, file] = positionals;
  if (command !== 'import' || file === undefined)
    throw new Error('usage: npm run spend -- import FILE.csv [--source facebook] [--currency SAR]');
  const report = readSpendFile(readFileSync(file), {
    ...(values.source ? { source: values.source } : {}),
    ...(values.currency ? { currency: values.currency } : {}),
  });
  let changed = 0;
  for (let i = 0; i < report.rows.length; i += BATCH) {
    const answer = (await opsRequest('PUT', '/v1/spend', report.rows.slice(i, i + BATCH))) as {
      changed: number;
    };
    changed += answer.changed;
  }
  console.log(
    `${file}: ${report.format} report, ${plural(report.rows.length, 'campaign-day')} of spend (${changed} new or changed), ${plural(report.skipped, 'row')} without spend skipped`,
  );
} catch (error) {
  console.error(`spend: ${(error as Error).message}`);
  process.exit(1);
}
