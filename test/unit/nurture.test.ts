import { describe, expect, it } from 'vitest';
import { assignmentNotice } from '../../functions/nurture/core.ts';
import { renderAssignmentEmail } from '../../functions/nurture/templates/assignment.ts';
import { lead, testConfig } from '../support/factories.ts';

const config = testConfig();
const rep = (id: string) => {
  const found = config.routing.reps.find((r) => r.id === id);
  if (!found) throw new Error(id);
  return found;
};
const assignment = {
  rule: 'segment gulf',
  skipped: [],
  repId: 'sara',
  poolId: 'gulf',
  counter: 1,
  reason: 'pool gulf serves segment gulf; rotation slot 1',
  at: '2026-03-19T16:00:02.000Z',
};

describe('when the assignment email goes out', () => {
  it('goes out when a lead gets its first owner', () => {
    const before = lead();
    const after = { ...before, ownerId: 'sara', status: 'assigned' as const, assignment };
    expect(assignmentNotice(before, after)).toEqual({
      key: `assignment#${before.id}#sara#${assignment.at}`,
      leadId: before.id,
      repId: 'sara',
    });
  });

  it('does not go out for other changes to an owned lead', () => {
    const owned = lead({ ownerId: 'sara', assignment });
    expect(assignmentNotice(owned, { ...owned, status: 'contacted' })).toBeUndefined();
  });

  it('never goes out for a test lead', () => {
    expect(assignmentNotice(undefined, lead({ ownerId: 'sara', assignment, test: true }))).toBeUndefined();
  });

  it('goes out again when the owner changes', () => {
    const owned = lead({ ownerId: 'sara', assignment });
    const moved = {
      ...owned,
      ownerId: 'layla',
      assignment: { ...assignment, repId: 'layla', at: '2026-03-19T17:00:00.000Z' },
    };
    expect(assignmentNotice(owned, moved)?.repId).toBe('layla');
  });
});

describe('the assignment email', () => {
  const hostile = lead({
    contact: {
      name: '<script>alert(1)</script> Ali',
      email: 'ali@example.com',
      phone: '+966501234567',
      company: 'A&B "Co"',
    },
    answers: { 'what do you need?': '<b>everything</b>\nnow' },
    assignment,
  });

  it('escapes every value the lead typed', () => {
    const { html } = renderAssignmentEmail({
      lead: hostile,
      rep: rep('layla'),
      leadUrl: 'https://leads.example.com/v1/leads/1',
    });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Ali');
    expect(html).toContain('A&amp;B &quot;Co&quot;');
    expect(html).toContain('&lt;b&gt;everything&lt;/b&gt;<br>now');
  });

  it('is right-to-left for an Arabic-speaking rep, with Latin fragments isolated', () => {
    const { html, subject, text } = renderAssignmentEmail({
      lead: hostile,
      rep: rep('sara'),
      leadUrl: 'https://x.example/1',
    });
    expect(html).toContain('<html lang="ar" dir="rtl">');
    expect(html).toMatch(/<body dir="rtl" style="[^"]*direction:rtl/);
    expect(html).toContain('\u2066ali@example.com\u2069');
    expect(html).toContain('href="tel:+966501234567"');
    expect(subject.startsWith('\u200f')).toBe(true);
    expect(subject).toContain('عميل محتمل جديد');
    expect(text).toContain('\u200fالبريد الإلكتروني: \u2066ali@example.com\u2069');
  });

  it('is in Persian with Persian digits for a Persian-speaking rep, in the Solar Hijri calendar', () => {
    const { html } = renderAssignmentEmail({
      lead: hostile,
      rep: rep('omid'),
      leadUrl: 'https://x.example/1',
    });
    expect(html).toContain('<html lang="fa" dir="rtl">');
    expect(html).toContain('سرنخ');
    expect(html).toContain('۱۴۰۴'); // 19 March 2026 is in the Solar Hijri year 1404
  });

  it('is left-to-right in English, with the score breakdown and the reason', () => {
    const { html, text } = renderAssignmentEmail({
      lead: hostile,
      rep: rep('layla'),
      leadUrl: 'https://x.example/1',
    });
    expect(html).toContain('<html lang="en" dir="ltr">');
    expect(text).toContain('has-phone +20, has-email +10');
    expect(text).toContain('pool gulf serves segment gulf; rotation slot 1');
  });

  it('has a one-line subject whatever the name holds', () => {
    const sneaky = lead({ contact: { name: 'Eve\r\nBcc: x@example.com' }, assignment });
    const { subject } = renderAssignmentEmail({
      lead: sneaky,
      rep: rep('layla'),
      leadUrl: 'https://x.example/1',
    });
    expect(subject).not.toMatch(/[\r\n]/);
  });
});
