import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { wireNurture } from '../../functions/nurture/wiring.ts';
import { scheduleTimers, sweepTimers } from '../../functions/shared/timer-service.ts';
import {
  type NurtureStepTimer,
  sweepBuckets,
  type Timer,
  TimerMessage,
} from '../../functions/shared/timers.ts';
import { wireSweeper } from '../../functions/sweeper/wiring.ts';
import { RequestCounter } from '../../local/request-counter.ts';
import { freshResources, mailsForLead, queueDepth, type TestAws } from '../support/aws.ts';
import { assignment, context, lead, silentLogger, sqsEvent, testConfig } from '../support/factories.ts';
import { functionOn, nurtureOn } from '../support/handlers.ts';

const config = testConfig();
let aws: TestAws;
let env: ReturnType<typeof nurtureOn>;

beforeAll(async () => {
  aws = await freshResources('timers');
  env = nurtureOn(aws, config, () => new Date());
});

function timer(overrides: Partial<NurtureStepTimer> = {}): NurtureStepTimer {
  const id = `test#${Math.random().toString(36).slice(2)}`;
  return {
    id,
    kind: 'nurture-step',
    leadId: 'nobody',
    dueAt: new Date(Date.now() + 3000).toISOString(),
    sequenceId: 'welcome',
    step: 0,
    ...overrides,
  };
}

/** Layla's first-contact reminder for the assignment made at `at`. */
function reminderFor(leadId: string, at: string, dueAt: string): Timer {
  return {
    id: `sla-reminder#${leadId}#${at}`,
    kind: 'sla-reminder',
    leadId,
    repId: 'layla',
    assignmentAt: at,
    dueAt,
  };
}

/** Receives one message, waiting while it is hidden by its delay; returns it with the time it became visible. */
async function receiveOne(timeoutMs: number): Promise<{ message: TimerMessage; at: number }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { Messages = [] } = await aws.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: aws.resources.timers.url,
        MaxNumberOfMessages: 1,
        WaitTimeSeconds: 1,
      }),
    );
    const first = Messages[0];
    if (first?.Body) return { message: TimerMessage.parse(JSON.parse(first.Body)), at: Date.now() };
  }
  throw new Error('no timer message arrived');
}

describe('timer service', () => {
  it('keeps a timer beyond the horizon in the due index; a sweep sends it to arrive at its due time', async () => {
    const t = timer({ dueAt: new Date(Date.now() + 4000).toISOString() });
    // A horizon of one second: a timer four seconds out is "far" and waits for a sweep.
    await scheduleTimers(env.timers, [t], new Date(), 1);
    expect(await queueDepth(aws.sqs, aws.resources.timers.url)).toBe(0);

    // A fresh sweeper (as after a restart) finds it in the table.
    const sweeper = wireSweeper({
      ...functionOn(aws, 'sweeper'),
      now: () => new Date(),
      logger: silentLogger(),
      horizonSeconds: 60,
    });
    const summary = await sweeper({}, context('sweeper'));
    expect(summary.enqueued).toBe(1);
    // Out of the index once enqueued: the next sweep sends nothing.
    expect((await sweeper({}, context('sweeper'))).enqueued).toBe(0);

    const { message, at } = await receiveOne(10_000);
    expect(message.timer).toEqual(t);
    // Hidden until due (SQS DelaySeconds has whole-second precision), not long after.
    expect(at).toBeGreaterThanOrEqual(Date.parse(t.dueAt) - 1000);
    expect(at).toBeLessThan(Date.parse(t.dueAt) + 3000);
  }, 20_000);

  it('reads a constant number of index partitions per sweep, whatever the horizon of the timers', async () => {
    const now = new Date();
    const near = timer({ dueAt: new Date(now.getTime() + 10 * 60_000).toISOString() });
    const month = timer({ dueAt: new Date(now.getTime() + 30 * 86_400_000).toISOString() });
    await scheduleTimers(env.timers, [near, month], now, 1);
    const buckets = sweepBuckets(now, 900, 2);
    const swept = await sweepTimers(env.timers, buckets, now, 900);
    expect(swept.queries).toBe(buckets.length);
    // The month-long timer stays in the index until its day comes.
    const later = new Date(Date.parse(month.dueAt) - 60_000);
    const monthSweep = await sweepTimers(env.timers, sweepBuckets(later, 900, 2), later, 900);
    expect(monthSweep.enqueued).toBe(1);
  });

  it('acts once when a timer fires twice: one reminder mail, one follow-up, the timer marked fired', async () => {
    const now = new Date();
    const at = new Date(now.getTime() - 120_000).toISOString();
    const stored = lead({
      status: 'assigned',
      ownerId: 'layla',
      assignment: {
        ...assignment({ repId: 'layla', at }),
        sla: { minutes: 1, dueAt: new Date(now.getTime() - 60_000).toISOString() },
      },
    });
    await env.leads.create(stored);
    const reminder = reminderFor(stored.id, at, stored.assignment?.sla?.dueAt ?? at);
    await scheduleTimers(env.timers, [reminder], now);
    const message = { v: 1, timer: reminder };
    for (let delivery = 0; delivery < 2; delivery++) {
      const result = await env.nurture.handler(sqsEvent([message]), context('nurture'));
      expect(result.batchItemFailures).toEqual([]);
    }
    const reminders = (await mailsForLead(stored.id)).filter((m) => m.subject.startsWith('Reminder'));
    expect(reminders).toHaveLength(1);
    const after = await env.leads.get(stored.id);
    expect(after?.followUps).toEqual([
      expect.objectContaining({ id: reminder.id, kind: 'sla-reminder', repId: 'layla' }),
    ]);
    expect(await env.timers.store.markFired(reminder.id, now, 'again')).toBe('already');
  });

  it('does nothing when the lead was contacted before the deadline', async () => {
    const at = new Date(Date.now() - 120_000).toISOString();
    const stored = lead({
      status: 'contacted',
      ownerId: 'layla',
      firstContactAt: new Date(Date.now() - 100_000).toISOString(),
      assignment: assignment({ repId: 'layla', at }),
    });
    await env.leads.create(stored);
    const reminder = reminderFor(stored.id, at, at);
    await env.nurture.handler(sqsEvent([{ v: 1, timer: reminder }]), context('nurture'));
    expect(await mailsForLead(stored.id)).toEqual([]);
    expect((await env.leads.get(stored.id))?.followUps).toEqual([]);
  });
});

describe('a batch of timers', () => {
  it('reads the leads of its due timers in one request, and leaves a timer not yet due unread', async () => {
    const counter = new RequestCounter();
    const fn = functionOn(aws, 'nurture');
    counter.attach(fn.clients.dynamodb, 'function');
    const nurture = wireNurture({ ...fn, config, now: () => new Date(), logger: silentLogger() });
    const at = new Date(Date.now() - 120_000).toISOString();
    const contacted = Array.from({ length: 3 }, () =>
      lead({
        status: 'contacted',
        ownerId: 'layla',
        firstContactAt: new Date(Date.now() - 100_000).toISOString(),
        assignment: assignment({ repId: 'layla', at }),
      }),
    );
    for (const l of contacted) await env.leads.create(l);
    const due = contacted.map((l) => reminderFor(l.id, at, at));
    const notYet = reminderFor(lead().id, at, new Date(Date.now() + 600_000).toISOString());
    for (const timer of [...due, notYet])
      await env.timers.store.put(timer, { indexed: false, now: new Date() });
    const result = await nurture.handler(
      sqsEvent([...due, notYet].map((timer) => ({ v: 1, timer }))),
      context('nurture'),
    );
    expect(result.batchItemFailures).toEqual([]);
    const reads = counter
      .snapshot()
      .filter((c) => c.operation === 'BatchGetItem' || c.operation === 'GetItem');
    expect(reads).toEqual([expect.objectContaining({ operation: 'BatchGetItem', count: 1 })]);
    // Each due one ran (the lead was contacted: nothing to remind) and is marked fired; the other waits on.
    for (const timer of due)
      expect(await env.timers.store.markFired(timer.id, new Date(), 'again')).toBe('already');
    expect(await env.timers.store.markFired(notYet.id, new Date(), 'probe')).toBe('fired');
  });
});

describe('replaying leads whose stream records were lost', () => {
  it('does what is missing and nothing twice: one assignment email and its clock; its KPI events it only names', async () => {
    const now = new Date();
    const at = now.toISOString();
    const stored = lead({
      status: 'assigned',
      ownerId: 'layla',
      assignment: {
        ...assignment({ repId: 'layla', at }),
        sla: { minutes: 60, dueAt: new Date(now.getTime() + 3_600_000).toISOString() },
      },
    });
    await env.leads.create(stored);
    for (let run = 0; run < 2; run++) {
      const summary = await env.nurture.handler(
        { replay: { leadIds: [stored.id, 'no-such-lead'] } },
        context('nurture'),
      );
      // The stream may have counted the lead's `new` before its records were lost: a replay cannot tell.
      expect(summary).toEqual({ replayed: 1, missing: ['no-such-lead'], kpiEventsNotCounted: 1 });
    }
    const mails = await mailsForLead(stored.id);
    expect(mails.map((m) => m.destination.to[0])).toEqual(['layla@sales.example']);
    const reminder = await env.timers.store.put(
      {
        id: `sla-reminder#${stored.id}#${at}`,
        kind: 'sla-reminder',
        leadId: stored.id,
        repId: 'layla',
        assignmentAt: at,
        dueAt: stored.assignment?.sla?.dueAt ?? at,
      },
      { indexed: true, now },
    );
    // The reminder timer exists already (stored by the replay), still waiting in the due index.
    expect(reminder).toEqual({ fired: false, indexed: true });
    const day = stored.createdAt.slice(0, 10);
    const funnel = await env.kpis.query('funnel', 'all', day, day);
    expect(funnel.reduce((n, row) => n + (row.adds.new ?? 0), 0)).toBe(0);
  });

  it('refuses a replay that names no lead', async () => {
    await expect(env.nurture.handler({ replay: { leadIds: [] } }, context('nurture'))).rejects.toThrow(
      'a replay names its leads',
    );
  });
});
