import { parseArgs } from 'node:util';
import * as z from '../functions/shared/zod.ts';
import { connectToRunner } from '../local/runtime.ts';

// `npm run replay -- --lead ID [--lead ID …]`: runs leads through nurture again, as if just created, on the
// running local pipeline (in AWS: `aws lambda invoke` on the nurture function; see docs/operations.md). Only
// what is missing happens: every effect is idempotent.
const Args = z.object({
  lead: z.array(z.string().check(z.minLength(1))).check(z.minLength(1, 'name at least one lead: --lead ID')),
});

try {
  const { values } = parseArgs({ options: { lead: { type: 'string', multiple: true } } });
  const { lead } = Args.parse({ lead: values.lead ?? [] });
  const runtime = connectToRunner();
  const response = await fetch(`${runtime.url}/_local/nurture/replay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ leadIds: lead }),
  });
  const summary = (await response.json()) as {
    replayed: number;
    missing: string[];
    kpiEventsNotCounted: number;
  };
  if (!response.ok) throw new Error(JSON.stringify(summary));
  console.log(
    `replayed ${summary.replayed} lead${summary.replayed === 1 ? '' : 's'}${summary.missing.length ? `; not found: ${summary.missing.join(', ')}` : ''}`,
  );
  // The stream counts KPI events by its position; a replay cannot tell which of them it counted already.
  if (summary.kpiEventsNotCounted > 0)
    console.log(
      `${summary.kpiEventsNotCounted} KPI event(s) left uncounted (see docs/kpi.md); the log names each`,
    );
} catch (error) {
  console.error(
    `replay: ${error instanceof z.core.$ZodError ? error.issues.map((i) => i.message).join('; ') : (error as Error).message}`,
  );
  process.exit(1);
}
