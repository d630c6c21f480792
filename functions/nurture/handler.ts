import type { Context, DynamoDBStreamEvent, SNSEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { InvalidMessageError } from '../shared/batch.ts';
import { formatAddress } from '../shared/html.ts';
import type { NurtureDeps, NurtureKit } from './deps.ts';
import { createFeedbackJob } from './feedback.ts';
import { createKpiCollector, createKpiRecorder, createLeadChange } from './lead-change.ts';
import { createNotify } from './notify.ts';
import { createRepLookup } from './rep-lookup.ts';
import { createRepNotice } from './rep-mail.ts';
import { createReplayJob, ReplayRequest, type ReplaySummary } from './replay.ts';
import { createChannelOnce, createSendOnce, withInvocation } from './send-once.ts';
import { createStreamJob } from './stream.ts';
import { createTellTeam } from './team-chat.ts';
import { noticeFallbackJob } from './timer-jobs/notice-fallback.ts';
import { nurtureStepJob } from './timer-jobs/nurture-step.ts';
import type { TimerJobs } from './timer-jobs/registry.ts';
import { slaEscalationJob } from './timer-jobs/sla-escalation.ts';
import { slaReminderJob } from './timer-jobs/sla-reminder.ts';
import { taskReminderJob } from './timer-jobs/task-reminder.ts';
import { createTimerQueueJob } from './timer-queue.ts';
import { createWebhookFanout, webhookDeliveryJob } from './webhooks.ts';

export type NurtureEvent = DynamoDBStreamEvent | SQSEvent | SNSEvent | ReplayRequest;
export type NurtureResult = SQSBatchResponse | ReplaySummary | undefined;

/**
 * Reacts to lead changes (stream), timers (SQS) and mail feedback (SES events through SNS), and replays leads
 * on request: the assignment email and its first-contact clock, reminders and escalations, nurture sequences,
 * suppression, KPIs. One module per job; this one composes them and dispatches each event to its job.
 */
export function createNurtureHandler(deps: NurtureDeps) {
  const baseUrl = deps.config.mail.publicBaseUrl.replace(/\/$/, '');
  const { sendOnce } = createSendOnce(deps);
  const { sendChannelOnce } = createChannelOnce(deps);
  const shared = {
    ...deps,
    sendOnce,
    sendChannelOnce,
    repById: createRepLookup(deps),
    leadUrl: (id: string) => `${baseUrl}/v1/leads/${encodeURIComponent(id)}`,
    dashboardLeadUrl: (id: string) => `${baseUrl}/dashboard#/leads/${encodeURIComponent(id)}`,
    from: formatAddress(deps.config.mail.fromName, deps.config.mail.from),
  };
  const notify = createNotify(shared);
  const kit: NurtureKit = {
    ...shared,
    notify,
    notifyRep: createRepNotice({ ...shared, notify }),
    tellTeam: createTellTeam(shared),
  };
  const timerJobs: TimerJobs = {
    'sla-reminder': slaReminderJob(kit),
    'sla-escalation': slaEscalationJob(kit),
    'nurture-step': nurtureStepJob(kit),
    'task-reminder': taskReminderJob(kit),
    webhook: webhookDeliveryJob(kit),
    'notice-fallback': noticeFallbackJob(kit),
  };
  const onLeadChange = createLeadChange(kit, createWebhookFanout(kit));
  const recordKpis = createKpiRecorder(kit);
  const stream = createStreamJob(kit, createKpiCollector(kit), onLeadChange, recordKpis);
  const timers = createTimerQueueJob(kit, timerJobs);
  const feedback = createFeedbackJob(deps);
  const replay = createReplayJob(deps, createKpiCollector(kit), onLeadChange);

  /** One function, three triggers and a manual replay: the event's shape says which. */
  function dispatch(event: DynamoDBStreamEvent | SQSEvent, context: Context): Promise<SQSBatchResponse>;
  function dispatch(event: SNSEvent, context: Context): Promise<undefined>;
  function dispatch(event: ReplayRequest, context: Context): Promise<ReplaySummary>;
  function dispatch(event: NurtureEvent, context: Context): Promise<NurtureResult>;
  async function dispatch(event: NurtureEvent, context: Context): Promise<NurtureResult> {
    if ('replay' in event) {
      const parsed = ReplayRequest.safeParse(event);
      if (!parsed.success)
        throw new InvalidMessageError('a replay names its leads: { "replay": { "leadIds": ["…"] } }');
      return withInvocation(context, () => replay(parsed.data));
    }
    // A windowed stream mapping's closing call may hold no records, and must still be answered with a state.
    if ('window' in event) return stream(event as DynamoDBStreamEvent, context);
    const first = event.Records[0] as { eventSource?: string; EventSource?: string } | undefined;
    if (first === undefined) return { batchItemFailures: [] };
    if (first.eventSource === 'aws:dynamodb') return stream(event as DynamoDBStreamEvent, context);
    if (first.eventSource === 'aws:sqs') return timers(event as SQSEvent, context);
    if (first.EventSource === 'aws:sns') {
      await feedback(event as SNSEvent, context);
      return undefined;
    }
    throw new InvalidMessageError(
      `nurture cannot handle events from ${first.eventSource ?? first.EventSource}`,
    );
  }

  /** The one entry point Lambda invokes, for every trigger; the local runner and the tests invoke it too. */
  return { handler: dispatch };
}
