import { parseArgs } from 'node:util';
import type { Lead } from '../functions/shared/lead.ts';
import { opsRequest } from './ops-client.ts';

// npm run assign -- --lead ID --rep REP --reason "why" [--by NAME]: moves a lead by hand; the new owner is mailed.
try {
  const { values } = parseArgs({
    options: {
      lead: { type: 'string' },
      rep: { type: 'string' },
      reason: { type: 'string' },
      by: { type: 'string' },
    },
  });
  if (!values.lead || !values.rep || !values.reason)
    throw new Error('usage: npm run assign -- --lead ID --rep REP --reason "why" [--by NAME]');
  const { lead, moved } = (await opsRequest('POST', `/v1/leads/${encodeURIComponent(values.lead)}/assign`, {
    repId: values.rep,
    reason: values.reason,
    by: values.by ?? process.env.USER ?? 'cli',
  })) as { lead: Lead; moved: boolean };
  console.log(
    moved
      ? `lead ${lead.id} now belongs to ${lead.ownerId}: ${lead.assignment?.reason}`
      : `lead ${lead.id} already belongs to ${lead.ownerId}`,
  );
} catch (error) {
  console.error(`assign: ${(error as Error).message}`);
  process.exit(1);
}
