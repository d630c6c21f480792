/**
 * The single table's schema in one place: every item's keys, the sort keys and prefixes that tell item kinds
 * apart, and the indexes. The adapters, the stack, the local runner, the scripts and the tests build keys here
 * and nowhere else. docs/table-design.md lists each access pattern with its key condition, index and cost.
 * Pure: strings in, keys out.
 */
import { CLOSED_STATUSES } from './lead-status.ts';
import type { SearchTerm } from './search.ts';

/** Sort keys (and prefixes) that name an item's kind. */
export const SORT = {
  lead: 'LEAD',
  raw: 'RAW',
  dedupe: 'DEDUPE',
  identity: 'KEY',
  failure: 'FAILURE',
  poolCounter: 'COUNTER',
  timer: 'TIMER',
  suppression: 'SUPPRESS',
  importRecord: 'IMPORT',
  importRow: 'ROW#',
  idempotencyKey: 'IDEMPOTENCY',
  /** A lead's workspace (notes, tasks) sorts after its other items: one Query of the prefix reads it all. */
  workspace: 'WS#',
  /** Reps and their per-day counters share one partition. */
  rep: 'REP#',
  repDay: 'DAY#',
} as const;

/** Partition-key prefixes, for the scans of the maintenance jobs and the checks of the chaos run. */
export const PREFIX = {
  lead: 'LEAD#',
  suppression: 'SUPPRESS#',
  kpi: 'KPI#',
  timer: 'TIMER#',
  reps: 'REPS',
} as const;

/** The partition all reps live in: a roster is small, and one Query reads it with today's counters. */
export const REPS_PARTITION = 'REPS';

/** Global secondary indexes. */
export const INDEX = {
  /** Timers not yet enqueued, by due day and shard (sparse: a timer leaves it once enqueued). */
  due: 'due',
  /** New leads by creation day and shard, newest first; keys only. */
  list: 'list',
  /** Open tasks by owner and due time (sparse: a task leaves it when done or cancelled). */
  agenda: 'agenda',
} as const;

export const tableKeys = {
  lead: (id: string) => ({ pk: `${PREFIX.lead}${id}`, sk: SORT.lead }),
  /** The payload as received; a large one has parts `RAW#1`, `RAW#2`… after the first. */
  raw: (id: string, part = 0) => ({
    pk: `${PREFIX.lead}${id}`,
    sk: part === 0 ? SORT.raw : `${SORT.raw}#${part}`,
  }),
  idempotencyKey: (keyHash: string) => ({ pk: `IDEMPOTENCY#${keyHash}`, sk: SORT.idempotencyKey }),
  dedupe: (key: string) => ({ pk: `DEDUPE#${key}`, sk: SORT.dedupe }),
  identity: (kind: string, value: string) => ({ pk: `KEY#${kind}#${value}`, sk: SORT.identity }),
  waiting: (poolId: string, leadId: string) => ({ pk: `WAITING#${poolId}`, sk: `${PREFIX.lead}${leadId}` }),
  failure: (source: string, externalId: string) => ({
    pk: `FAILURE#${source}#${externalId}`,
    sk: SORT.failure,
  }),
  poolCounter: (poolId: string) => ({ pk: `POOL#${poolId}`, sk: SORT.poolCounter }),
  rep: (id: string) => ({ pk: REPS_PARTITION, sk: `${SORT.rep}${id}` }),
  repDay: (id: string, date: string) => ({ pk: REPS_PARTITION, sk: `${SORT.repDay}${id}#${date}` }),
  timer: (id: string) => ({ pk: `${PREFIX.timer}${id}`, sk: SORT.timer }),
  /** Notes sort by time within the lead's workspace. */
  note: (leadId: string, at: string, id: string) => ({
    pk: `${PREFIX.lead}${leadId}`,
    sk: `${SORT.workspace}NOTE#${at}#${id}`,
  }),
  task: (leadId: string, id: string) => ({
    pk: `${PREFIX.lead}${leadId}`,
    sk: `${SORT.workspace}TASK#${id}`,
  }),
  /** A message to a rep, manager or team about the lead, on one channel: part of the timeline. */
  message: (leadId: string, id: string) => ({
    pk: `${PREFIX.lead}${leadId}`,
    sk: `${SORT.workspace}MSG#${id}`,
  }),
  /** A search term's entry: identities by value, name tokens under their first two characters. */
  searchTerm: (term: SearchTerm, leadId: string) =>
    term.kind === 'name'
      ? { pk: `FIND#name#${term.bucket}`, sk: `${term.value}#${leadId}` }
      : { pk: `FIND#${term.kind}#${term.value}`, sk: leadId },
  searchPartition: (kind: SearchTerm['kind'], value: string) => `FIND#${kind}#${value}`,
  /** The agenda index's partition: one rep's open tasks, by due time. */
  agendaPartition: (ownerId: string) => `AGENDA#${ownerId}`,
  agendaSort: (dueAt: string, leadId: string, taskId: string) => `${dueAt}#${leadId}#${taskId}`,
  suppression: (address: string) => ({ pk: `${PREFIX.suppression}${address}`, sk: SORT.suppression }),
  /** An imported spreadsheet's record, and beside it one receipt per row the pipeline stored (counted once). */
  importRecord: (id: string) => ({ pk: `IMPORT#${id}`, sk: SORT.importRecord }),
  importRow: (id: string, row: number) => ({ pk: `IMPORT#${id}`, sk: `${SORT.importRow}${row}` }),
  /** Outbound webhook subscriptions share one partition, as reps do: a list is one Query. */
  subscription: (id: string) => ({ pk: 'SUBSCRIPTIONS', sk: `SUB#${id}` }),
  subscriptionsPartition: 'SUBSCRIPTIONS',
  /** A subscriber's events for one lead, in the lead's order: the oldest is delivered first. */
  outboxPartition: (subscriptionId: string, leadId: string) => `HOOK#${subscriptionId}#${leadId}`,
  outboxEvent: (subscriptionId: string, leadId: string, seq: string) => ({
    pk: `HOOK#${subscriptionId}#${leadId}`,
    sk: `EV#${seq}`,
  }),
  /** A subscription's delivery log, newest last; kept 30 days. */
  deliveryLogPartition: (subscriptionId: string) => `HOOKLOG#${subscriptionId}`,
  deliveryLog: (subscriptionId: string, at: string, eventId: string, attempt: number) => ({
    pk: `HOOKLOG#${subscriptionId}`,
    sk: `${at}#${eventId}#${attempt}`,
  }),
  /** A day's ad spend on one source's campaign: replaced, never added to, when a report comes again. */
  spend: (source: string, campaign: string, day: string) => ({ pk: `SPEND#${source}#${campaign}`, sk: day }),
  kpiRowPartition: (table: string, dimType: string) => `${PREFIX.kpi}${table}#${dimType}`,
  kpiRow: (table: string, dimType: string, day: string, value: string) => ({
    pk: `${PREFIX.kpi}${table}#${dimType}`,
    sk: `${day}#${value}`,
  }),
  kpiMarker: (leadId: string, eventKey: string) => ({ pk: `KPIMARK#${leadId}`, sk: eventKey }),
  /** How far the KPIs have counted one stream shard: the last counted record's sequence number. */
  kpiShard: (shardId: string) => ({ pk: `KPISHARD#${shardId}`, sk: 'KPISHARD' }),
  /** The due index's partition for one due day and shard. */
  duePartition: (day: string, shard: number) => `DUE#${day}#${shard}`,
  /** The list index's partition for one creation day and shard. */
  listPartition: (day: string, shard: number) => `LEADS#${day}#${shard}`,
};

/**
 * The condition fragment "the lead is not closed" (needs `#status` named `status`): a won, lost or disqualified
 * lead is never assigned or moved.
 */
export const NOT_CLOSED = {
  expression: `NOT #status IN (${CLOSED_STATUSES.map((_, i) => `:closed${i}`).join(', ')})`,
  values: Object.fromEntries(CLOSED_STATUSES.map((status, i) => [`:closed${i}`, status])),
};
