import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { createStreamBatchHandler, InvalidMessageError } from '../shared/batch.ts';
import type { Config } from '../shared/config.ts';
import { formatAddress } from '../shared/html.ts';
import { kpiEvents } from '../shared/kpi.ts';
import { Lead } from '../shared/lead.ts';
import { ACTIONS, actionUrl } from '../shared/links.ts';
import type { KpiStore, Mailer, RepDirectory, RepRecord } from '../shared/ports.ts';
import { type AssignmentNotice, assignmentNotice } from './core.ts';
import { renderAssignmentEmail } from './templates/assignment.ts';

export type NurtureDeps = {
  config: Config;
  mailer: Mailer;
  /** Reps as stored (ops may have added one, or changed a language, since the config was written). */
  reps: Pick<RepDirectory, 'get'>;
  kpis: KpiStore;
  /** Remembers which notices were sent, so a redelivered stream record mails nobody twice. */
  idempotency: BasePersistenceLayer;
  logger: Logger;
};

const LEAD_SORT_KEY = 'LEAD';

/** The lead in a stream image, or undefined for other item types (counters, markers). */
export function leadFromImage(image: Record<string, unknown> | undefined, eventId: string): Lead | undefined {
  if (image === undefined) return undefined;
  const item = unmarshall(image as Record<string, AttributeValue>);
  if (item.sk !== LEAD_SORT_KEY) return undefined;
  const parsed = Lead.safeParse(item);
  if (!parsed.success) {
    const paths = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new InvalidMessageError(
      `stream record ${eventId} holds a lead that does not match its schema at: ${paths}`,
    );
  }
  return parsed.data;
}

export function createNurtureHandler(deps: NurtureDeps) {
  const { config, logger } = deps;
  // Reps change rarely and every record needs its owner: one read per rep per half minute, not per record.
  const repCache = new Map<string, { at: number; rep: Promise<RepRecord | undefined> }>();
  function repById(id: string): Promise<RepRecord | undefined> {
    const cached = repCache.get(id);
    if (cached && Date.now() - cached.at < 30_000) return cached.rep;
    const rep = deps.reps.get(id);
    repCache.set(id, { at: Date.now(), rep });
    rep.catch(() => repCache.delete(id));
    return rep;
  }

  const idempotencyConfig = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    expiresAfterSeconds: 30 * 24 * 3600,
  });

  const sendAssignmentEmail = makeIdempotent(
    async (notice: AssignmentNotice, lead: Lead) => {
      const rep = (await repById(notice.repId)) ?? config.routing.reps.find((r) => r.id === notice.repId);
      if (rep === undefined)
        throw new InvalidMessageError(`lead ${lead.id} is owned by unknown rep ${notice.repId}`);
      const expiresAt =
        Math.floor(Date.parse(lead.assignment?.at ?? lead.receivedAt) / 1000) +
        config.mail.actionLinkDays * 86_400;
      const mail = renderAssignmentEmail({
        lead,
        rep,
        leadUrl: `${config.mail.publicBaseUrl.replace(/\/$/, '')}/v1/leads/${encodeURIComponent(lead.id)}`,
        actions: ACTIONS.map((action) => ({
          action,
          url: actionUrl(
            config.mail.publicBaseUrl,
            { leadId: lead.id, action, repId: rep.id, expiresAt },
            config.mail.linkSigningKey,
          ),
        })),
      });
      const { messageId } = await deps.mailer.send({
        to: rep.email,
        from: formatAddress(config.mail.fromName, config.mail.from),
        ...mail,
        // Lets reps filter and tools thread by lead without reading the body; an id, never PII.
        headers: { 'X-Leadpipe-Lead': lead.id },
        tags: { kind: 'assignment' },
      });
      logger.info('assignment email sent', { leadId: lead.id, repId: rep.id, messageId });
      return { messageId };
    },
    { persistenceStore: deps.idempotency, config: idempotencyConfig, keyPrefix: 'nurture-assignment-email' },
  );

  /** Speed-to-lead and funnel aggregates, each event counted exactly once however often the record comes. */
  async function recordKpis(before: Lead | undefined, after: Lead): Promise<void> {
    const owner = after.ownerId
      ? ((await repById(after.ownerId)) ?? config.routing.reps.find((r) => r.id === after.ownerId))
      : undefined;
    for (const event of kpiEvents(before, after, config, owner)) {
      const result = await deps.kpis.record(
        after.id,
        event.key,
        event.table,
        event.day,
        event.dims,
        event.adds,
      );
      if (result === 'recorded') logger.info('kpi recorded', { leadId: after.id, event: event.key });
    }
  }

  // Each notice is idempotent (keyed by its assignment) and independent of the others, so a batch runs in
  // parallel: one slow send does not hold up every rep behind it.
  return createStreamBatchHandler(
    logger,
    async (record: DynamoDBRecord, context) => {
      const eventId = record.eventID ?? 'unknown';
      const after = leadFromImage(record.dynamodb?.NewImage, eventId);
      if (after === undefined) return;
      const before = leadFromImage(record.dynamodb?.OldImage, eventId);
      await recordKpis(before, after);
      const notice = assignmentNotice(before, after);
      if (notice === undefined) return;
      idempotencyConfig.registerLambdaContext(context);
      await sendAssignmentEmail(notice, after);
    },
    { inParallel: true },
  );
}
