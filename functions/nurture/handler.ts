import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type {
  Context,
  DynamoDBRecord,
  DynamoDBStreamEvent,
  SNSEvent,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';
import { z } from 'zod';
import {
  createSqsBatchHandler,
  createStreamBatchHandler,
  InvalidMessageError,
  parseMessage,
} from '../shared/batch.ts';
import type { Config } from '../shared/config.ts';
import { formatAddress } from '../shared/html.ts';
import { kpiEvents } from '../shared/kpi.ts';
import { Lead, type RoutingMessage } from '../shared/lead.ts';
import { ACTIONS, actionUrl, unsubscribeUrl } from '../shared/links.ts';
import type {
  KpiStore,
  LeadRepository,
  Mailer,
  MessageSender,
  OutgoingMail,
  RepDirectory,
  RepRecord,
  SuppressionList,
} from '../shared/ports.ts';
import { slaPolicyFor } from '../shared/sla.ts';
import { SORT } from '../shared/table-schema.ts';
import { scheduleTimers, type TimerDeps } from '../shared/timer-service.ts';
import { delayFor, type Timer, TimerMessage } from '../shared/timers.ts';
import {
  assignmentNotice,
  enrolment,
  feedbackSuppressions,
  marketingAddress,
  nextStepTimer,
  nurtureStop,
  SesFeedback,
  slaTimerMoot,
  slaTimers,
} from './core.ts';
import { renderAssignmentEmail } from './templates/assignment.ts';
import { renderEscalationEmail } from './templates/escalation.ts';
import { renderNurtureEmail } from './templates/nurture.ts';

/** `aws lambda invoke --payload '{"replay":{"leadIds":["…"]}}'` on the nurture function; locally `npm run replay`. */
export const ReplayRequest = z.object({
  replay: z.object({ leadIds: z.array(z.string().min(1)).min(1).max(1000) }),
});
export type ReplayRequest = z.infer<typeof ReplayRequest>;
export type ReplaySummary = { replayed: number; missing: string[] };

export type NurtureDeps = {
  config: Config;
  mailer: Mailer;
  /** Reps as stored (ops may have added one, or changed a language, since the config was written). */
  reps: Pick<RepDirectory, 'get'>;
  leads: Pick<LeadRepository, 'get' | 'recordFollowUp'>;
  kpis: KpiStore;
  timers: TimerDeps;
  suppressions: SuppressionList;
  /** Escalations that reassign go back to routing, which owns the rotation. */
  routingQueue: MessageSender<RoutingMessage>;
  /** Remembers which mails were sent, so a redelivered record or timer mails nobody twice. */
  idempotency: BasePersistenceLayer;
  now: () => Date;
  logger: Logger;
};

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

type MailJob = { key: string; mail: OutgoingMail };
type MailResult = { messageId: string } | { suppressed: string };

/**
 * Reacts to lead changes (stream), timers (SQS) and mail feedback (SES events through SNS): the assignment
 * email and its first-contact clock, reminders and escalations, nurture sequences, suppression, KPIs.
 */
export function createNurtureHandler(deps: NurtureDeps) {
  const { config, logger } = deps;
  const baseUrl = config.mail.publicBaseUrl.replace(/\/$/, '');
  const from = formatAddress(config.mail.fromName, config.mail.from);
  const leadUrl = (id: string) => `${baseUrl}/v1/leads/${encodeURIComponent(id)}`;

  // Reps change rarely and every record needs its owner: one read per rep per half minute, not per record.
  const repCache = new Map<string, { at: number; rep: Promise<RepRecord | undefined> }>();
  function repById(id: string): Promise<RepRecord | undefined> {
    const cached = repCache.get(id);
    const at = deps.now().getTime();
    if (cached && at - cached.at < 30_000) return cached.rep;
    const rep = deps.reps.get(id).then((stored) => stored ?? configuredRep(id));
    repCache.set(id, { at, rep });
    rep.catch(() => repCache.delete(id));
    return rep;
  }
  function configuredRep(id: string): RepRecord | undefined {
    const rep = config.routing.reps.find((r) => r.id === id);
    return rep ? { ...rep, openLeads: 0 } : undefined;
  }

  const idempotencyConfig = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    expiresAfterSeconds: 30 * 24 * 3600,
  });

  /** Sends a mail once per key, never to a suppressed address (checked right before every send). */
  const sendOnce = makeIdempotent(
    async (job: MailJob): Promise<MailResult> => {
      const suppressed = (await deps.suppressions.find([job.mail.to])).values().next().value;
      if (suppressed) {
        logger.warn('mail not sent: the address is suppressed', { key: job.key, reason: suppressed.reason });
        return { suppressed: suppressed.reason };
      }
      // The kind rides along as a header too, so mailbox rules and audits can tell the mails apart.
      const kind = job.mail.tags?.kind ?? 'other';
      const { messageId } = await deps.mailer.send({
        ...job.mail,
        headers: { ...job.mail.headers, 'X-Leadpipe-Mail': kind },
      });
      logger.info('mail sent', { key: job.key, kind: job.mail.tags?.kind, messageId });
      return { messageId };
    },
    { persistenceStore: deps.idempotency, config: idempotencyConfig, keyPrefix: 'nurture-mail' },
  );

  function actionLinks(lead: Lead, repId: string) {
    const expiresAt =
      Math.floor(Date.parse(lead.assignment?.at ?? lead.receivedAt) / 1000) +
      config.mail.actionLinkDays * 86_400;
    return ACTIONS.map((action) => ({
      action,
      url: actionUrl(
        config.mail.publicBaseUrl,
        {
          leadId: lead.id,
          action,
          repId,
          expiresAt,
          ...(lead.assignment?.at ? { assignmentAt: lead.assignment.at } : {}),
        },
        config.mail.linkSigningKey,
      ),
    }));
  }

  async function mailRep(key: string, lead: Lead, repId: string, variant: 'assignment' | 'reminder') {
    const rep = await repById(repId);
    if (rep === undefined) throw new InvalidMessageError(`lead ${lead.id} is owned by unknown rep ${repId}`);
    const mail = renderAssignmentEmail({
      lead,
      rep,
      leadUrl: leadUrl(lead.id),
      actions: actionLinks(lead, rep.id),
      variant,
    });
    return sendOnce({
      key,
      mail: {
        to: rep.email,
        from,
        ...mail,
        // Lets reps filter and tools thread by lead without reading the body; an id, never PII.
        headers: { 'X-Leadpipe-Lead': lead.id },
        tags: { kind: variant },
      },
    });
  }

  /** Speed-to-lead and funnel aggregates, each event counted exactly once however often the record comes. */
  async function recordKpis(before: Lead | undefined, after: Lead): Promise<void> {
    const owner = after.ownerId ? await repById(after.ownerId) : undefined;
    for (const event of kpiEvents(before, after, config, owner)) {
      const result = await deps.kpis.record(
        after.id,
        event.key,
        event.table,
        event.day,
        event.dims,
        event.adds,
      );
      if (result !== 'recorded') continue;
      logger.info('kpi recorded', { leadId: after.id, event: event.key });
      // The line CloudWatch metric filters turn into the SLA and speed-to-lead metrics of the dashboard.
      if (event.key === 'first-contact')
        logger.info('first contact', {
          leadId: after.id,
          repId: after.ownerId,
          sla: event.adds.met ? 'met' : 'breached',
          minutes: event.adds.sumMinutes,
          businessMinutes: event.adds.sumBusinessMinutes,
        });
    }
  }

  async function onLeadChange(before: Lead | undefined, after: Lead, now: Date): Promise<void> {
    await recordKpis(before, after);
    const notice = assignmentNotice(before, after);
    if (notice) {
      // The clock first: a failing mail must not leave an assignment without its deadline.
      await scheduleTimers(deps.timers, slaTimers(after), now);
      await mailRep(notice.key, after, notice.repId, 'assignment');
    }
    if (before === undefined) {
      const enrolled = enrolment(after, config);
      if (enrolled.enrolled) {
        await scheduleTimers(deps.timers, [enrolled.timer], now);
        logger.info('lead enrolled in a nurture sequence', {
          leadId: after.id,
          sequenceId: enrolled.sequence.id,
        });
      } else if (!after.test)
        logger.info('lead not enrolled in nurture', { leadId: after.id, why: enrolled.why });
    }
  }

  /** What a due timer does; returns the outcome recorded on the timer. Every step is idempotent. */
  async function fire(timer: Timer, now: Date): Promise<string> {
    const lead = await deps.leads.get(timer.leadId);
    if (lead === undefined) return 'lead not found';
    const at = now.toISOString();
    switch (timer.kind) {
      case 'sla-reminder': {
        const moot = slaTimerMoot(lead, timer);
        if (moot) return `moot: ${moot}`;
        const repId = timer.repId ?? '';
        const sent = await mailRep(`mail#${timer.id}`, lead, repId, 'reminder');
        await deps.leads.recordFollowUp(lead.id, {
          id: timer.id,
          kind: 'sla-reminder',
          at,
          repId,
          ...('suppressed' in sent ? { detail: `not mailed: rep address ${sent.suppressed}` } : {}),
        });
        return 'reminded';
      }
      case 'sla-escalation': {
        const moot = slaTimerMoot(lead, timer);
        if (moot) return `moot: ${moot}`;
        const repId = timer.repId ?? '';
        const policy = slaPolicyFor(config, lead, lead.assignment?.poolId);
        const pool = config.routing.pools.find((p) => p.id === lead.assignment?.poolId);
        const passedOn = [...lead.history, lead.assignment].filter((a) => a?.rule === 'escalation').length;
        const reassign = policy.escalation.reassign && passedOn < policy.escalation.maxReassignments;
        const done: string[] = [];
        if (policy.escalation.notifyManager && pool?.manager) {
          const rep = await repById(repId);
          const mail = renderEscalationEmail({
            lead,
            repName: rep?.name ?? repId,
            manager: pool.manager,
            timeZone: rep?.timezone ?? 'UTC',
            minutes: (Date.parse(timer.dueAt) - Date.parse(lead.assignment?.at ?? timer.dueAt)) / 60_000,
            reassigning: reassign,
            leadUrl: leadUrl(lead.id),
          });
          const sent = await sendOnce({
            key: `mail#${timer.id}`,
            mail: {
              to: pool.manager.email,
              from,
              ...mail,
              headers: { 'X-Leadpipe-Lead': lead.id },
              tags: { kind: 'escalation' },
            },
          });
          done.push('suppressed' in sent ? `manager not mailed (${sent.suppressed})` : 'manager notified');
        }
        if (reassign) {
          await deps.routingQueue.send({
            v: 1,
            leadId: lead.id,
            escalate: { fromRepId: repId, assignmentAt: timer.assignmentAt ?? '' },
          });
          done.push('passed to the next rep');
        }
        await deps.leads.recordFollowUp(lead.id, {
          id: timer.id,
          kind: 'sla-escalation',
          at,
          repId,
          detail: done.join('; ') || 'recorded (no escalation configured)',
        });
        return done.join('; ') || 'recorded';
      }
      case 'nurture-step': {
        const sequence = config.nurture.sequences.find((s) => s.id === timer.sequenceId);
        const step = sequence?.steps[timer.step ?? 0];
        if (sequence === undefined || step === undefined) return 'sequence or step no longer configured';
        const address = marketingAddress(lead);
        const stop = address === undefined ? 'no valid email address' : nurtureStop(lead, sequence);
        const stopped = async (why: string) => {
          await deps.leads.recordFollowUp(lead.id, {
            id: timer.id,
            kind: 'nurture-stopped',
            at,
            detail: `${sequence.id}: ${why}`,
          });
          return `stopped: ${why}`;
        };
        if (stop !== undefined || address === undefined) return stopped(stop ?? 'no address');
        const unsubscribe = unsubscribeUrl(baseUrl, lead.id, config.mail.linkSigningKey);
        const mail = renderNurtureEmail({
          lead,
          template: step.template,
          templates: config.nurture.templates,
          unsubscribeUrl: unsubscribe,
        });
        const sent = await sendOnce({
          key: `mail#${timer.id}`,
          mail: {
            to: address,
            from,
            ...mail,
            headers: {
              // RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs to the link.
              'List-Unsubscribe': `<${unsubscribe}>`,
              'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
              'X-Leadpipe-Lead': lead.id,
            },
            tags: { kind: 'nurture', sequence: sequence.id },
          },
        });
        if ('suppressed' in sent) return stopped(`address suppressed (${sent.suppressed})`);
        await deps.leads.recordFollowUp(lead.id, {
          id: timer.id,
          kind: 'nurture-email',
          at,
          detail: `${sequence.id} step ${(timer.step ?? 0) + 1}: ${step.template}`,
        });
        const next = nextStepTimer(timer, sequence);
        if (next) await scheduleTimers(deps.timers, [next], now);
        return 'sent';
      }
    }
  }

  // Each record's effects are idempotent (mails by key, timers by id) and independent of the others, so a batch
  // runs in parallel: one slow send does not hold up every rep behind it.
  const stream = createStreamBatchHandler(
    logger,
    async (record: DynamoDBRecord, context) => {
      const eventId = record.eventID ?? 'unknown';
      const after = leadFromImage(record.dynamodb?.NewImage, eventId);
      if (after === undefined) return;
      const before = leadFromImage(record.dynamodb?.OldImage, eventId);
      idempotencyConfig.registerLambdaContext(context);
      await onLeadChange(before, after, deps.now());
    },
    { inParallel: true },
  );

  const timers = createSqsBatchHandler(logger, async (record, context) => {
    const { timer } = parseMessage(TimerMessage, record);
    const now = deps.now();
    // Early (a delay longer than SQS allows was cut to 15 minutes): wait out the rest in the queue.
    if (Date.parse(timer.dueAt) - now.getTime() > 1000) {
      await deps.timers.queue.send({ v: 1, timer }, { delaySeconds: delayFor(timer, now) });
      return;
    }
    idempotencyConfig.registerLambdaContext(context);
    const outcome = await fire(timer, now);
    await deps.timers.store.markFired(timer.id, now, outcome);
    logger.info('timer fired', {
      timerId: timer.id,
      kind: timer.kind,
      outcome,
      lateMs: now.getTime() - Date.parse(timer.dueAt),
    });
  });

  /** SES bounce and complaint events (a configuration set's SNS destination): the addresses are suppressed. */
  async function feedback(event: SNSEvent): Promise<void> {
    for (const record of event.Records) {
      let json: unknown;
      try {
        json = JSON.parse(record.Sns.Message);
      } catch {
        throw new InvalidMessageError(`SNS message ${record.Sns.MessageId} is not JSON`);
      }
      const parsed = SesFeedback.safeParse(json);
      if (!parsed.success)
        throw new InvalidMessageError(`SNS message ${record.Sns.MessageId} is not an SES event notification`);
      for (const s of feedbackSuppressions(parsed.data)) {
        await deps.suppressions.suppress(s.address, {
          reason: s.reason,
          at: deps.now().toISOString(),
          detail: s.detail,
        });
        logger.info('address suppressed', {
          reason: s.reason,
          detail: s.detail,
          messageId: parsed.data.mail?.messageId,
        });
      }
    }
  }

  /**
   * Replays leads whose stream records were lost (the stream keeps them 24 hours): each lead is handled as if
   * just created. Every effect is idempotent (KPI markers, mail keys, timer ids), so only what is missing happens.
   */
  async function replay(request: ReplayRequest): Promise<ReplaySummary> {
    const summary: ReplaySummary = { replayed: 0, missing: [] };
    for (const id of request.replay.leadIds) {
      const lead = await deps.leads.get(id);
      if (lead === undefined) {
        summary.missing.push(id);
        continue;
      }
      await onLeadChange(undefined, lead, deps.now());
      summary.replayed++;
    }
    logger.info('leads replayed', { replayed: summary.replayed, missing: summary.missing.length });
    return summary;
  }

  /** One function, three triggers and a manual replay: the event's shape says which. */
  async function dispatch(
    event: DynamoDBStreamEvent | SQSEvent | SNSEvent | ReplayRequest,
    context: Context,
  ): Promise<SQSBatchResponse | ReplaySummary | undefined> {
    if ('replay' in event) {
      const parsed = ReplayRequest.safeParse(event);
      if (!parsed.success)
        throw new InvalidMessageError('a replay names its leads: { "replay": { "leadIds": ["…"] } }');
      return replay(parsed.data);
    }
    const first = event.Records[0] as { eventSource?: string; EventSource?: string } | undefined;
    if (first === undefined) return { batchItemFailures: [] };
    if (first.eventSource === 'aws:dynamodb') return stream(event as DynamoDBStreamEvent, context);
    if (first.eventSource === 'aws:sqs') return timers(event as SQSEvent, context);
    if (first.EventSource === 'aws:sns') {
      await feedbackHandler(event as SNSEvent, context);
      return undefined;
    }
    throw new InvalidMessageError(
      `nurture cannot handle events from ${first.eventSource ?? first.EventSource}`,
    );
  }

  // SES feedback logs with the Lambda context, as the stream and the timers do.
  const feedbackHandler = middy<SNSEvent, void, Error, Context>(feedback).use(injectLambdaContext(logger));

  return {
    stream,
    timers,
    feedback: feedbackHandler,
    replay,
    /** The one entry point Lambda invokes, for every trigger; the local runner invokes it too. */
    handler: dispatch,
  };
}
