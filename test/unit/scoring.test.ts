import { describe, expect, it } from 'vitest';
import { buildLead, scoreFacts } from '../../functions/scoring/core.ts';
import { normaliseEmail, normalisePhone } from '../../functions/scoring/normalise.ts';
import { intakeMessage, testConfig } from '../support/factories.ts';

const config = testConfig();
const now = new Date('2026-03-19T16:00:01.000Z');

describe('phone normalisation', () => {
  it.each([
    ['Saudi national format with the form default', '050 123 4567', 'SA', '+966501234567'],
    ['Arabic-Indic digits', '٠٥٠١٢٣٤٥٦٧', 'SA', '+966501234567'],
    ['Persian digits with an international prefix', '+۹۸ ۹۱۲ ۳۴۵ ۶۷۸۹', undefined, '+989123456789'],
    ['00 prefix', '00971 50 123 4567', undefined, '+971501234567'],
    ['bidi marks around the number', '\u200f+966 50 123 4567\u200e', undefined, '+966501234567'],
  ])('reads %s', (_, raw, country, expected) => {
    expect(normalisePhone(raw, country)?.e164).toBe(expected);
  });

  it('keeps no key for an invalid number', () => {
    expect(normalisePhone('12345', 'SA')).toBeUndefined();
    expect(normalisePhone('call me', 'SA')).toBeUndefined();
  });
});

describe('email normalisation', () => {
  it('trims bidi marks and spaces and lowercases', () => {
    expect(normaliseEmail('  Sara.Ahmed@Example.COM\u200f')).toBe('sara.ahmed@example.com');
  });
});

describe('scoring', () => {
  it('sums the matching rules and keeps the breakdown', () => {
    const score = scoreFacts(
      { 'phone.valid': true, email: 'a@b.c', 'answers.budget': '12,500' },
      config.scoring.rules,
    );
    expect(score).toEqual({
      total: 55,
      breakdown: [
        { ruleId: 'has-phone', points: 20 },
        { ruleId: 'has-email', points: 10 },
        { ruleId: 'big-budget', points: 25 },
      ],
    });
  });

  it('builds a stored lead with keys, score, segments and status new', () => {
    const lead = buildLead(intakeMessage({ answers: { budget: '9000' } }), config, now);
    expect(lead).toMatchObject({
      phoneE164: '+966501234567',
      phoneCountry: 'SA',
      keys: { email: 'sara.ahmed@example.com', phone: '+966501234567' },
      score: { total: 30 },
      segments: ['gulf'],
      status: 'new',
      createdAt: now.toISOString(),
    });
    expect(lead.contact.phone).toBe('050 123 4567');
  });

  it('does not key or score an invalid phone', () => {
    const lead = buildLead(intakeMessage({ contact: { email: 'x@example.com', phone: '123' } }), config, now);
    expect(lead.keys).toEqual({ email: 'x@example.com' });
    expect(lead.score.breakdown.map((b) => b.ruleId)).toEqual(['has-email']);
    expect(lead.segments).toEqual([]);
  });
});
