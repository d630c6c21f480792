import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { createStreamBatchHandler, InvalidMessageError } from '../shared/batch.ts';
import { Lead } from '../shared/lead.ts';
import type { KpiEntry } from '../shared/ports.ts';
import { SORT } from '../shared/table-schema.ts';
import type { NurtureKit } from './deps.ts';
import type { LeadChange } from './lead-change.ts';
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

/**
 * The table's stream: each lead record's change. Records are independent and their effects idempotent, so a
 * batch runs in parallel: one slow send does not hold up every rep behind it.
 */
export function createStreamJob(
  kit: Pick<NurtureKit, 'logger' | 'now'>,
  onLeadChange: LeadChange,
  recordKpis: (entries: KpiEntry[]) => Promise<void>,
) {
  return createStreamBatchHandler<KpiEntry[]>(
    kit.logger,
    async (record: DynamoDBRecord, context, kpis) => {
      const eventId = record.eventID ?? 'unknown';
      const after = leadFromImage(record.dynamodb?.NewImage, eventId);
      if (after === undefined) return;
      const before = leadFromImage(record.dynamodb?.OldImage, eventId);
      await withInvocation(context, () => onLeadChange(before, after, kit.now(), kpis));
    },
    {
      inParallel: true,
      // The batch's KPI events in one write after its messages: a rep is not kept waiting for the counts, and
      // the events of a batch share their daily rows. A failed record's events are counted on its retry; one
      // counted here and seen again is dropped by its marker.
      batch: { start: () => [], finish: recordKpis },
    },
  );
}
