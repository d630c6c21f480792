import { describe, expect, it } from 'vitest';
import {
  enrolment,
  feedbackSuppressions,
  nextStepTimer,
  nurtureStop,
  SesFeedback,
  slaEscalationTimer,
  slaTimerMoot,
  slaTimers,
} from '../../functions/nurture/core.ts';
import { renderAssignmentEmail } from '../../functions/nurture/templates/assignment.ts';
import { renderEscalationEmail } from '../../functions/nurture/templates/escalation.ts';
import { renderNurtureEmail } from '../../functions/nurture/templates/nurture.ts';
import { addBusinessMinutes, businessMinutesBetween } from '../../functions/shared/calendar.ts';
import { ConfigError } from '../../functions/shared/config.ts';
import { signUnsubscribe, unsubscribeUrl, verifyUnsubscribe } from '../../functions/shared/links.ts';
import { slaDeadlines, slaPolicyFor } from '../../functions/shared/sla.ts';
import {
  delayFor,
  dueBucket,
  isNear,
  MAX_DELAY_SECONDS,
  sweepBuckets,
  Timer,
} from '../../functions/shared/timers.ts';
import { assignment, lead, testConfig } from '../support/factories.ts';

const sequences = {
  sequences: [
    {
      id: 'gulf-welcome',
      segments: ['gulf'],
      locales: ['ar', 'en'],
      lawfulBasis: 'consent',
      steps: [
        { afterMinutes: 5, template: 'hello' },
        { afterMinutes: 1440, template: 'hello' },
      ],
    },
    {
      id: 'everyone',
      locales: ['en'],
      lawfulBasis: 'legitimate-interest',
      stopWhen: 'closed',
      steps: [{ afterMinutes: 60, template: 'hello' }],
    },
  ],
  templates: {
    hello: {
      en: { subject: 'Hello {{firstName}}', body: 'Dear {{name}},\n\nAbout {{company}}.' },
      ar: { subject: 'مرحبًا {{firstName}}', body: 'عزيزي {{name}}،\n\nبخصوص {{company}}.' },
    },
  },
};
const config = testConfig({ nurture: sequences });
const consent = { given: true, at: '2026-03-19T16:00:00.000Z' };

describe('timers', () => {
  it('go straight to the queue when due within one SQS delay (15 minutes), else wait in the due index', () => {
    const now = new Date('2026-03-19T16:00:00Z');
    // The SLA reminder of a lead assigned now, 15 minutes on: straight to the queue, past the sweep's horizon.
    expect(isNear({ dueAt: '2026-03-19T16:15:00Z' }, now)).toBe(true);
    expect(isNear({ dueAt: '2026-03-19T16:15:01Z' }, now)).toBe(false);
  });

  it('are delayed to their due time, at most 15 minutes, and not at all when overdue', () => {
    const now = new Date('2026-03-19T16:00:00Z');
    expect(delayFor({ dueAt: '2026-03-19T16:00:09.200Z' }, now)).toBe(10);
    expect(delayFor({ dueAt: '2026-03-20T16:00:00Z' }, now)).toBe(MAX_DELAY_SECONDS);
    expect(delayFor({ dueAt: '2026-03-19T15:00:00Z' }, now)).toBe(0);
  });

  it('are indexed by due day and a shard, and a sweep reads a constant set of partitions', () => {
    expect(dueBucket({ id: 'a', dueAt: '2026-03-19T16:00:00Z' })).toMatch(/^DUE#2026-03-19#[0-3]$/);
    const buckets = sweepBuckets(new Date('2026-03-19T23:55:00Z'), 840, 2);
    // Two days back, today, and tomorrow (the horizon crosses midnight): four shards each.
    expect(buckets).toHaveLength(16);
    expect(buckets[0]).toBe('DUE#2026-03-17#0');
    expect(buckets.at(-1)).toBe('DUE#2026-03-20#3');
    expect(sweepBuckets(new Date('2026-03-19T12:00:00Z'), 840, 2)).toHaveLength(12);
  });

  it('carry exactly the fields their kind acts on, and a timer missing one is refused', () => {
    const base = { id: 't', leadId: 'l', dueAt: '2026-03-19T16:00:00.000Z' };
    const sla = { repId: 'sara', assignmentAt: '2026-03-19T15:45:00.000Z' };
    expect(Timer.safeParse({ ...base, kind: 'sla-reminder', ...sla }).success).toBe(true);
    expect(Timer.safeParse({ ...base, kind: 'sla-escalation', ...sla }).success).toBe(true);
    expect(Timer.safeParse({ ...base, kind: 'nurture-step', sequenceId: 'welcome', step: 0 }).success).toBe(
      true,
    );
    // An SLA timer without the assignment it watches could never tell whether it is moot.
    expect(Timer.safeParse({ ...base, kind: 'sla-reminder', repId: 'sara' }).success).toBe(false);
    expect(Timer.safeParse({ ...base, kind: 'sla-escalation', assignmentAt: sla.assignmentAt }).success).toBe(
      false,
    );
    expect(Timer.safeParse({ ...base, kind: 'nurture-step', sequenceId: 'welcome' }).success).toBe(false);
    expect(Timer.safeParse({ ...base, kind: 'sla-nudge', ...sla }).success).toBe(false);
  });
});

describe('the first-contact clock', () => {
  const sara = {
    timezone: 'Asia/Riyadh',
    region: 'SA',
    workingHours: { start: '09:00', end: '18:00' },
  };

  it('runs in the rep’s working hours: Thursday 17:50 in Riyadh plus 15 minutes is Sunday 09:05', () => {
    // Thursday 2026-03-19 17:50 Riyadh (UTC+3); Friday and Saturday are the Saudi weekend.
    const due = addBusinessMinutes(new Date('2026-03-19T14:50:00Z'), 15, sara, {});
    expect(due.toISOString()).toBe('2026-03-22T06:05:00.000Z');
    expect(businessMinutesBetween(new Date('2026-03-19T14:50:00Z'), due, sara, {})).toBe(15);
  });

  it('skips holidays and runs on wall-clock time for a rep without working hours', () => {
    const due = addBusinessMinutes(new Date('2026-03-19T14:50:00Z'), 15, sara, { SA: ['2026-03-22'] });
    expect(due.toISOString()).toBe('2026-03-23T06:05:00.000Z');
    expect(
      addBusinessMinutes(new Date('2026-03-19T14:50:00Z'), 15, { timezone: 'UTC' }, {}).toISOString(),
    ).toBe('2026-03-19T15:05:00.000Z');
  });

  it('takes the segment’s clock over the pool’s, and the pool’s over the default', () => {
    const c = testConfig({
      sla: {
        firstContactMinutes: 30,
        escalateAfterMinutes: 60,
        segments: { gulf: { firstContactMinutes: 5 } },
      },
      routing: {
        defaultPool: 'default',
        pools: [
          {
            id: 'gulf',
            segments: ['gulf'],
            reps: ['sara'],
            sla: { firstContactMinutes: 10, escalation: { reassign: false } },
          },
          { id: 'default', reps: ['sara'] },
        ],
        reps: [{ id: 'sara', name: 'Sara', email: 'sara@sales.example' }],
      },
    });
    expect(slaPolicyFor(c, { segments: ['gulf'] }, 'gulf')).toEqual({
      firstContactMinutes: 5,
      escalateAfterMinutes: 60,
      escalation: { reassign: false, notifyManager: true, maxReassignments: 1 },
    });
    expect(slaPolicyFor(c, { segments: [] }, 'gulf').firstContactMinutes).toBe(10);
    expect(slaPolicyFor(c, { segments: [] }, 'default').firstContactMinutes).toBe(30);
    const deadlines = slaDeadlines(
      c,
      { segments: [] },
      'default',
      undefined,
      new Date('2026-03-19T16:00:00Z'),
    );
    expect(deadlines).toEqual({
      minutes: 30,
      dueAt: '2026-03-19T16:30:00.000Z',
      escalateAt: '2026-03-19T17:00:00.000Z',
    });
  });

  it('starts a reminder per assignment, which starts the escalation; contact or a new owner makes them moot', () => {
    const at = '2026-03-19T16:00:02.000Z';
    const owned = lead({
      status: 'assigned',
      ownerId: 'sara',
      assignment: {
        ...assignment({ repId: 'sara', at }),
        sla: { minutes: 15, dueAt: '2026-03-19T16:15:02.000Z', escalateAt: '2026-03-19T16:30:02.000Z' },
      },
    });
    const timers = slaTimers(owned);
    expect(timers).toHaveLength(1);
    const [reminder] = timers;
    expect(reminder).toMatchObject({
      kind: 'sla-reminder',
      dueAt: '2026-03-19T16:15:02.000Z',
      repId: 'sara',
    });
    if (reminder === undefined) throw new Error('no reminder');
    expect(slaEscalationTimer(owned, reminder)).toMatchObject({
      kind: 'sla-escalation',
      id: `sla-escalation#${owned.id}#${at}`,
      dueAt: '2026-03-19T16:30:02.000Z',
    });
    // A reminder of an earlier assignment starts nothing for the current one; no escalation configured, none.
    expect(
      slaEscalationTimer(owned, { ...reminder, assignmentAt: '2026-03-19T15:00:00.000Z' }),
    ).toBeUndefined();
    const withoutEscalation = {
      ...owned,
      assignment: {
        ...assignment({ repId: 'sara', at }),
        sla: { minutes: 15, dueAt: '2026-03-19T16:15:02.000Z' },
      },
    };
    expect(slaEscalationTimer(withoutEscalation, reminder)).toBeUndefined();
    expect(slaTimerMoot(owned, reminder)).toBeUndefined();
    expect(slaTimerMoot({ ...owned, status: 'contacted', firstContactAt: at }, reminder)).toBe(
      'lead is contacted',
    );
    expect(slaTimerMoot({ ...owned, ownerId: 'layla' }, reminder)).toBe('lead has a new owner');
  });

  it('shows its deadline in the assignment email, in the rep’s zone and calendar', () => {
    const owned = lead({
      ownerId: 'omid',
      assignment: {
        ...assignment({ repId: 'omid' }),
        sla: { minutes: 15, dueAt: '2026-03-19T16:15:00.000Z' },
      },
    });
    const omid = config.routing.reps.find((r) => r.id === 'omid');
    if (omid === undefined) throw new Error('omid');
    const mail = renderAssignmentEmail({ lead: owned, rep: omid, leadUrl: 'https://x.example/l' });
    expect(mail.text).toContain('مهلت تماس');
    // 16:15 UTC is 19:45 in Tehran, written in Persian digits.
    expect(mail.text).toContain('۱۹:۴۵');
  });
});

describe('nurture enrolment', () => {
  it('enrols a consenting lead in the first sequence of its segment and language, first step after its delay', () => {
    const l = lead({ segments: ['gulf'], locale: 'ar', consent, receivedAt: '2026-03-19T16:00:00.000Z' });
    const result = enrolment(l, config);
    expect(result).toMatchObject({
      enrolled: true,
      sequence: { id: 'gulf-welcome' },
      timer: { kind: 'nurture-step', step: 0, dueAt: '2026-03-19T16:05:00.000Z', sequenceId: 'gulf-welcome' },
    });
  });

  it('needs consent for a consent-based sequence, and falls through to a legitimate-interest one', () => {
    expect(enrolment(lead({ segments: ['gulf'], locale: 'ar' }), config)).toEqual({
      enrolled: false,
      why: 'no consent to marketing email',
    });
    expect(enrolment(lead({ segments: ['gulf'], locale: 'en' }), config)).toMatchObject({
      enrolled: true,
      sequence: { id: 'everyone' },
    });
  });

  it('never enrols a test lead, a lead without a valid email, or a lead in a language no sequence speaks', () => {
    expect(enrolment(lead({ test: true, consent }), config)).toMatchObject({
      enrolled: false,
      why: 'test lead',
    });
    expect(enrolment(lead({ keys: {}, consent }), config)).toMatchObject({ why: 'no valid email address' });
    expect(enrolment(lead({ locale: 'fa', consent }), config)).toMatchObject({
      why: 'no sequence for its segments and language',
    });
  });

  it('times each next step from the step before, and ends after the last', () => {
    const sequence = config.nurture.sequences[0];
    if (sequence === undefined) throw new Error('no sequence');
    const first = {
      id: 'x',
      kind: 'nurture-step' as const,
      leadId: 'l',
      dueAt: '2026-03-19T16:05:00.000Z',
      sequenceId: sequence.id,
      step: 0,
    };
    expect(nextStepTimer(first, sequence)).toMatchObject({ step: 1, dueAt: '2026-03-20T16:05:00.000Z' });
    expect(nextStepTimer({ ...first, step: 1 }, sequence)).toBeUndefined();
  });

  it('stops at first contact, or only at won/lost when the sequence says `closed`', () => {
    const [contactedStop, closedStop] = config.nurture.sequences;
    if (!contactedStop || !closedStop) throw new Error('sequences');
    const contacted = lead({ status: 'contacted', firstContactAt: '2026-03-19T16:10:00.000Z' });
    expect(nurtureStop(contacted, contactedStop)).toBe('lead was contacted');
    expect(nurtureStop(contacted, closedStop)).toBeUndefined();
    expect(nurtureStop(lead({ status: 'won' }), closedStop)).toBe('lead is won');
  });

  it('refuses a sequence whose template lacks one of its languages, naming the step', () => {
    expect(() =>
      testConfig({
        nurture: {
          sequences: [{ id: 's', locales: ['fa'], steps: [{ afterMinutes: 0, template: 'hello' }] }],
          templates: sequences.templates,
        },
      }),
    ).toThrow(ConfigError);
    const error = (() => {
      try {
        testConfig({
          nurture: {
            sequences: [{ id: 's', steps: [{ afterMinutes: 0, template: 'nope' }] }],
            templates: {},
          },
        });
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toContain(
      'nurture.sequences[0].steps[0].template: unknown template "nope"; define it under nurture.templates',
    );
  });
});

describe('nurture email', () => {
  const hostile = lead({
    locale: 'ar',
    contact: {
      name: '<script>alert(1)</script>\r\nBcc: x@evil.example',
      firstName: 'Ali"><img src=x>',
      company: 'ACME & Sons\r\nSubject: spoof',
      email: 'ali@example.com',
    },
  });
  const mail = renderNurtureEmail({
    lead: hostile,
    template: 'hello',
    templates: config.nurture.templates,
    unsubscribeUrl: 'https://leads.example.com/v1/unsubscribe?lead=x&token=y',
  });

  it('escapes the person’s fields in the HTML and keeps header and text fields on one line', () => {
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&lt;script&gt;');
    expect(mail.html).toContain('ACME &amp; Sons');
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.text).not.toMatch(/\nBcc:|\nSubject:/);
  });

  it('is right-to-left Arabic with a plain-text part and an unsubscribe link', () => {
    expect(mail.html).toContain('<html lang="ar" dir="rtl">');
    expect(mail.html).toContain('إلغاء الاشتراك');
    expect(mail.text).toContain(
      'https://leads.example.com/v1/unsubscribe?lead=x&amp;token=y'.replace('&amp;', '&'),
    );
    expect(mail.subject.startsWith('\u200f')).toBe(true);
  });
});

describe('unsubscribe links', () => {
  it('verify for their own lead only, in constant time, and never expire', () => {
    const token = signUnsubscribe('lead-1', 'key-0123456789abcdef');
    expect(verifyUnsubscribe('lead-1', token, 'key-0123456789abcdef')).toBe(true);
    expect(verifyUnsubscribe('lead-2', token, 'key-0123456789abcdef')).toBe(false);
    expect(verifyUnsubscribe('lead-1', token, 'another-key-0123456')).toBe(false);
    expect(verifyUnsubscribe('lead-1', `${token}x`, 'key-0123456789abcdef')).toBe(false);
    expect(unsubscribeUrl('https://x.example/', 'a b', 'key-0123456789abcdef')).toMatch(
      /^https:\/\/x\.example\/v1\/unsubscribe\?lead=a%20b&token=[\w-]+$/,
    );
  });
});

describe('SES feedback', () => {
  it('suppresses hard bounces and complaints, not soft bounces', () => {
    const hard = SesFeedback.parse({
      eventType: 'Bounce',
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'NoEmail',
        bouncedRecipients: [{ emailAddress: 'a@x.example' }],
      },
      mail: { messageId: 'm1' },
    });
    expect(feedbackSuppressions(hard)).toEqual([
      { address: 'a@x.example', reason: 'bounce', detail: 'Permanent/NoEmail' },
    ]);
    const soft = SesFeedback.parse({
      eventType: 'Bounce',
      bounce: { bounceType: 'Transient', bouncedRecipients: [{ emailAddress: 'a@x.example' }] },
    });
    expect(feedbackSuppressions(soft)).toEqual([]);
    const complaint = SesFeedback.parse({
      notificationType: 'Complaint',
      complaint: { complainedRecipients: [{ emailAddress: 'b@x.example' }] },
    });
    expect(feedbackSuppressions(complaint)).toEqual([
      { address: 'b@x.example', reason: 'complaint', detail: 'abuse' },
    ]);
  });
});

describe('escalation email', () => {
  it('tells the manager in their language whose lead it was and what happens now', () => {
    const mail = renderEscalationEmail({
      lead: lead({ contact: { name: 'Noura <b>' } }),
      repName: 'Sara',
      manager: { name: 'Mona', email: 'mona@sales.example', locale: 'en' },
      timeZone: 'Asia/Riyadh',
      minutes: 30,
      reassigning: true,
      leadUrl: 'https://x.example/l',
    });
    expect(mail.subject).toBe('Escalation: Noura <b> not contacted by Sara');
    expect(mail.html).toContain('Noura &lt;b&gt;');
    expect(mail.text).toContain('passed to the next available rep');
  });
});
