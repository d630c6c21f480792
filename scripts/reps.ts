import { parseArgs } from 'node:util';
import type { RepRecord } from '../functions/shared/ports.ts';
import { opsRequest } from './ops-client.ts';

// npm run reps -- list
// npm run reps -- add --id nadia --name "Nadia Saleh" --email nadia@example.com [--locale ar] [--timezone Asia/Riyadh] [--pool default]
// npm run reps -- update nadia [--weight 2] [--max-open 20] [--per-day 40] [--timezone …] [--locale …] [--ooo 2026-04-01:2026-04-07]
// npm run reps -- pause nadia [--reason "on leave"]
// npm run reps -- resume nadia
const USAGE =
  'usage: npm run reps -- list | add --id ID --name NAME --email EMAIL [--pool POOL] | update ID [options] | pause ID [--reason TEXT] | resume ID';

function describe(rep: RepRecord): string {
  const state = rep.active ? 'active' : `paused${rep.pausedReason ? ` (${rep.pausedReason})` : ''}`;
  const capacity = rep.capacity
    ? ` capacity ${rep.capacity.maxOpen ?? '∞'} open / ${rep.capacity.perDay ?? '∞'} a day`
    : '';
  return `${rep.id.padEnd(12)} ${state.padEnd(22)} weight ${rep.weight}  open ${rep.openLeads}${capacity}  ${rep.timezone}  ${rep.email}`;
}

try {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      id: { type: 'string' },
      name: { type: 'string' },
      email: { type: 'string' },
      locale: { type: 'string' },
      timezone: { type: 'string' },
      region: { type: 'string' },
      pool: { type: 'string', multiple: true },
      weight: { type: 'string' },
      'max-open': { type: 'string' },
      'per-day': { type: 'string' },
      ooo: { type: 'string', multiple: true },
      reason: { type: 'string' },
      by: { type: 'string' },
    },
  });
  const [command, id] = positionals;
  const by = values.by ?? process.env.USER ?? 'cli';
  const profile = {
    ...(values.name ? { name: values.name } : {}),
    ...(values.email ? { email: values.email } : {}),
    ...(values.locale ? { locale: values.locale } : {}),
    ...(values.timezone ? { timezone: values.timezone } : {}),
    ...(values.region ? { region: values.region } : {}),
    ...(values.pool ? { pools: values.pool } : {}),
    ...(values.weight ? { weight: Number(values.weight) } : {}),
    ...(values['max-open'] || values['per-day']
      ? {
          capacity: {
            ...(values['max-open'] ? { maxOpen: Number(values['max-open']) } : {}),
            ...(values['per-day'] ? { perDay: Number(values['per-day']) } : {}),
          },
        }
      : {}),
    ...(values.ooo
      ? {
          outOfOffice: values.ooo.map((range) => ({
            from: range.split(':')[0],
            to: range.split(':')[1] ?? range.split(':')[0],
          })),
        }
      : {}),
  };
  if (command === 'list') {
    const { reps } = (await opsRequest('GET', '/v1/reps')) as { reps: RepRecord[] };
    for (const rep of reps) console.log(describe(rep));
  } else if (command === 'add') {
    const { rep } = (await opsRequest('POST', '/v1/reps', { id: values.id ?? id, ...profile, by })) as {
      rep: RepRecord;
    };
    console.log(`added ${describe(rep)}`);
  } else if (command === 'update' && id) {
    const { rep } = (await opsRequest('PATCH', `/v1/reps/${encodeURIComponent(id)}`, { ...profile, by })) as {
      rep: RepRecord;
    };
    console.log(`updated ${describe(rep)}`);
  } else if ((command === 'pause' || command === 'resume') && id) {
    const body = command === 'pause' ? { by, ...(values.reason ? { reason: values.reason } : {}) } : { by };
    const { rep, waitingLeadsRequeued } = (await opsRequest(
      'POST',
      `/v1/reps/${encodeURIComponent(id)}/${command}`,
      body,
    )) as {
      rep: RepRecord;
      waitingLeadsRequeued: number;
    };
    console.log(
      `${command}d ${describe(rep)}${waitingLeadsRequeued ? `; ${waitingLeadsRequeued} waiting leads sent back to routing` : ''}`,
    );
  } else {
    throw new Error(USAGE);
  }
} catch (error) {
  console.error(`reps: ${(error as Error).message}`);
  process.exit(1);
}
