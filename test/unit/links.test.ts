import { describe, expect, it } from 'vitest';
import { renderAssignmentEmail } from '../../functions/nurture/templates/assignment.ts';
import { confirmPage } from '../../functions/ops/pages.ts';
import { actionUrl, signAction, verifyAction } from '../../functions/shared/links.ts';
import { lead, testConfig } from '../support/factories.ts';

const KEY = 'test-link-signing-key-0123456789';
const grant = { leadId: 'lead-1', action: 'contacted' as const, repId: 'sara', expiresAt: 2_000_000_000 };

describe('signed action links', () => {
  it('verify for their own lead and action until they expire', () => {
    const token = signAction(grant, KEY);
    expect(verifyAction(token, KEY, { leadId: 'lead-1', action: 'contacted' }, 1_900_000_000)).toEqual({
      ok: true,
      grant,
    });
    expect(verifyAction(token, KEY, { leadId: 'lead-1', action: 'contacted' }, 2_000_000_001)).toEqual({
      ok: false,
      why: 'expired',
    });
  });

  it('are refused for another lead or action, another key, or any change to the token', () => {
    const token = signAction(grant, KEY);
    const invalid = { ok: false, why: 'invalid' };
    expect(verifyAction(token, KEY, { leadId: 'lead-2', action: 'contacted' }, 0)).toEqual(invalid);
    expect(verifyAction(token, KEY, { leadId: 'lead-1', action: 'won' }, 0)).toEqual(invalid);
    expect(
      verifyAction(token, 'another-key-0123456789abcdef', { leadId: 'lead-1', action: 'contacted' }, 0),
    ).toEqual(invalid);
    const forged = signAction({ ...grant, action: 'won' }, KEY).split('.')[0];
    expect(
      verifyAction(`${forged}.${token.split('.')[1]}`, KEY, { leadId: 'lead-1', action: 'won' }, 0),
    ).toEqual(invalid);
    expect(verifyAction('garbage', KEY, { leadId: 'lead-1', action: 'contacted' }, 0)).toEqual(invalid);
  });

  it('appear in the assignment email for every action, in the rep’s language', () => {
    const config = testConfig();
    const rep = config.routing.reps.find((r) => r.id === 'sara');
    if (!rep) throw new Error('no rep');
    const actions = (['contacted', 'qualified', 'won', 'lost'] as const).map((action) => ({
      action,
      url: actionUrl('https://leads.example.com', { ...grant, action }, KEY),
    }));
    const { html, text } = renderAssignmentEmail({
      lead: lead(),
      rep,
      leadUrl: 'https://leads.example.com/v1/leads/lead-1',
      actions,
    });
    expect(html).toContain('تواصلت معه');
    expect(html.match(/\/v1\/leads\/lead-1\/actions\/(contacted|qualified|won|lost)\?token=/g)).toHaveLength(
      4,
    );
    expect(text).toContain('/actions/lost?token=');
  });

  it('open a confirm page that only asks, right-to-left for Persian, with a reason for a lost lead', () => {
    const page = confirmPage('fa', 'lost', 'tok"en<');
    expect(page).toContain('<html lang="fa" dir="rtl">');
    expect(page).toContain('<form method="post">');
    expect(page).toContain('name="reason" required');
    expect(page).toContain('value="tok&quot;en&lt;"');
  });
});
