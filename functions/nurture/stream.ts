import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { createStreamBatchHandler, InvalidMessageError } from '../shared/batch.ts';
import { Lead } from '../shared/lead.ts';
import type { KpiEntry } from '../shared/ports.ts';
import { countablePrefix } from '../shared/stream-position.ts';
import { SORT } from '../shared/table-schema.ts';
import type { NurtureKit } from './deps.ts';
import type { KpiCollector, KpiRecorder, LeadChange } from './lead-change.ts';
import { withInvocation } from './send-once.ts';

/** The lead in a stream image, or undefined for other item types (counters, markers, timers). */
export function leadFromImage(image: Record<string, unknown> | undefined, eventId: string): Lead | undefined {
  if (image === undefined) return undefined;
  const item = unmarshall(image as Record<string, AttributeValue>);
  if (item.sk !== SORT.lead) return undefined;
  const parsed = Lead.safeParse(item);
  if (!parsed.success) {
    const paths = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new InvalidMessageError(
      `stream record ${eventId} holds a lead that does not match its schema at: ${paths}`,
    );
  }
  return parsed.data;
}

/** What a batch's records gave the KPIs: their events, or that they could not be read (the record is retried). */
type BatchKpis = Map<string, { sequence: string; collected: boolean; entries: KpiEntry[] }>;

/**
 * The table's stream: each lead record's change. Records are independent and their effects idempotent, so a
 * batch runs in parallel: one slow send does not hold up every rep behind it.
 */
export function createStreamJob(
  kit: Pick<NurtureKit, 'logger' | 'now'>,
  collectKpis: KpiCollector,
  onLeadChange: LeadChange,
  recordKpis: KpiRecorder,
) {
  return createStreamBatchHandler<BatchKpis>(
    kit.logger,
    async (record: DynamoDBRecord, context, kpis) => {
      const eventId = record.eventID ?? 'unknown';
      const sequence = record.dynamodb?.SequenceNumber ?? '';
      const noted = (collected: boolean, entries: KpiEntry[] = []) =>
        kpis.set(sequence || eventId, { sequence, collected, entries });
      let after: Lead | undefined;
      let before: Lead | undefined;
      try {
        after = leadFromImage(record.dynamodb?.NewImage, eventId);
        before = leadFromImage(record.dynamodb?.OldImage, eventId);
      } catch (error) {
        // An image that can never be read has no events to wait for: it must not hold back the batch's counts.
        noted(error instanceof InvalidMessageError);
        throw error;
      }
      if (after === undefined) return void noted(true);
      try {
        noted(true, await collectKpis(before, after));
      } catch (error) {
        noted(false);
        throw error;
      }
      const lead = after;
      await withInvocation(context, () => onLeadChange(before, lead, kit.now()));
    },
    {
      inParallel: true,
      // The batch's KPI events in one write after its messages: a rep is not kept waiting for the counts, and
      // the events of a batch share their daily rows. An event whose send failed is counted all the same.
      batch: {
        start: () => new Map(),
        finish: (kpis, shardId) => {
          const records = [...kpis.values()];
          if (shardId === undefined)
            return recordKpis({ entries: records.flatMap((r) => (r.collected ? r.entries : [])) });
          // Counted by the shard's position: only up to the first record whose events could not be read.
          if (records.some((r) => r.sequence === ''))
            throw new Error('a stream record without a SequenceNumber cannot be counted by its position');
          const counted = countablePrefix(records);
          return recordKpis({
            shardId,
            entries: counted.flatMap((r) => r.entries.map((entry) => ({ ...entry, sequence: r.sequence }))),
          });
        },
      },
    },
  );
}
