import { describe, expect, it } from 'vitest';
import {
  buildLead,
  dedupeKeys,
  mergeTouch,
  phoneCountries,
  reopensAsNewLead,
  rescore,
  scoreFacts,
} from '../../functions/scoring/core.ts';
import { parseConfig } from '../../functions/shared/config-text.ts';
import { intakeMessage, lead, testConfig } from '../support/factories.ts';

const config = testConfig();
const now = new Date('2026-03-19T16:00:01.000Z');

describe('scoring', () => {
  it('sums the matching rules, keeps the breakdown, and grades and qualifies the total', () => {
    const score = scoreFacts(
      { 'phone.valid': true, email: 'a@b.c', 'answers.budget': '12,500' },
      config.scoring,
    );
    expect(score).toEqual({
      total: 55,
      breakdown: [
        { ruleId: 'has-phone', points: 20 },
        { ruleId: 'has-email', points: 10 },
        { ruleId: 'big-budget', points: 25 },
      ],
      grade: 'B',
      qualification: 'mql',
    });
  });

  it('builds a stored lead with keys, score, segments and status new', () => {
    const stored = buildLead(intakeMessage({ answers: { budget: '9000' } }), config, now);
    expect(stored).toMatchObject({
      phoneE164: '+966501234567',
      phoneCountry: 'SA',
      phoneType: 'MOBILE',
      emailDomain: 'example.com',
      emailFree: false,
      keys: { email: 'sara.ahmed@example.com', phone: '+966501234567', name: 'saraahmed' },
      score: { total: 30, grade: 'C', qualification: 'none' },
      segments: ['gulf'],
      status: 'new',
      touches: [],
      version: 1,
    });
    expect(stored.contact.phone).toBe('050 123 4567');
  });

  it('does not key or score an invalid phone', () => {
    const stored = buildLead(
      intakeMessage({ contact: { email: 'x@example.com', phone: '123' } }),
      config,
      now,
    );
    expect(stored.keys).toEqual({ email: 'x@example.com' });
    expect(stored.score.breakdown.map((b) => b.ruleId)).toEqual(['has-email']);
    expect(stored.segments).toEqual([]);
  });

  it("reads national numbers in the campaign's country first, then the form's, then the home country", () => {
    const intake = intakeMessage({
      defaultCountry: 'SA',
      attribution: { utm: { campaign: 'tehran-q1' } },
      contact: { phone: '09123456789' },
    });
    expect(phoneCountries(intake, config)).toEqual(['IR', 'SA', 'AE']);
    expect(buildLead(intake, config, now).phoneE164).toBe('+989123456789');
    expect(phoneCountries(intakeMessage({ defaultCountry: undefined }), config)).toEqual(['AE']);
  });
});

describe('rule configuration', () => {
  it('names the rule and the key of a bad condition', () => {
    const bad = `
routing: { defaultPool: d, pools: [{ id: d, reps: [a] }], reps: [{ id: a, name: A, email: a@example.com }] }
mail: { from: a@example.com, publicBaseUrl: http://x.example }
sources: {}
scoring:
  rules:
    - { id: budget, when: { field: answers.budget, op: between }, points: 5 }
    - { id: typo, when: { all: [{ field: emial, op: exists }] }, points: 5 }`;
    expect(() => parseConfig(bad, 'bad.yaml')).toThrow(
      /scoring\.rules\[0\]\.when \(rule "budget"\): give min, max or both/,
    );
    expect(() => parseConfig(bad, 'bad.yaml')).toThrow(
      /scoring\.rules\[1\]\.when\.all\[0\]\.field \(rule "typo"\): unknown field/,
    );
  });
});

describe('a returning person', () => {
  const existing = lead({
    id: 'lead-1',
    ownerId: 'sara',
    status: 'assigned',
    contact: { name: 'Sara Ahmed', email: 'sara@example.com' },
    keys: { email: 'sara@example.com' },
    phoneE164: undefined,
    answers: { budget: '5000' },
    receivedAt: '2026-03-01T10:00:00.000Z',
  });
  const incoming = buildLead(
    intakeMessage({
      leadId: 'lead-2',
      source: 'google',
      receivedAt: '2026-03-19T16:00:00.000Z',
      contact: { name: 'سارة', email: 'SARA@example.com', phone: '0501234567' },
      answers: { budget: '20000' },
      attribution: { utm: {}, campaignId: '777' },
    }),
    config,
    now,
  );

  it('is identified by a valid phone and a personal email, never a role address', () => {
    expect(dedupeKeys(incoming)).toEqual([
      { kind: 'email', value: 'sara@example.com' },
      { kind: 'phone', value: '+966501234567' },
    ]);
    const office = buildLead(intakeMessage({ contact: { email: 'info@company.sa' } }), config, now);
    expect(dedupeKeys(office)).toEqual([]);
    expect(dedupeKeys({ ...incoming, test: true })).toEqual([]);
  });

  it('becomes a touch: contact gaps filled, newest answers, score recomputed, owner and first attribution kept', () => {
    const merged = mergeTouch(existing, incoming, ['email'], config, now);
    expect(merged).toMatchObject({
      id: 'lead-1',
      ownerId: 'sara',
      status: 'assigned',
      contact: { name: 'Sara Ahmed', email: 'sara@example.com', phone: '0501234567' },
      phoneE164: '+966501234567',
      answers: { budget: '20000' },
      lastTouchAt: '2026-03-19T16:00:00.000Z',
      version: 2,
    });
    expect(merged.touches).toEqual([
      {
        id: 'lead-2',
        at: '2026-03-19T16:00:00.000Z',
        source: 'google',
        formId: 'demo',
        matchedOn: ['email'],
        attribution: { utm: {}, campaignId: '777' },
        answers: { budget: '20000' },
      },
    ]);
    expect(merged.score.breakdown.map((b) => b.ruleId)).toEqual([
      'has-phone',
      'has-email',
      'big-budget',
      'returning',
    ]);
  });

  it('is recorded once however often the same contact is redelivered', () => {
    const merged = mergeTouch(existing, incoming, ['email'], config, now);
    expect(mergeTouch(merged, incoming, ['email'], config, now)).toBe(merged);
  });

  it('reopens a closed lead as a new lead only when configured', () => {
    expect(reopensAsNewLead({ ...existing, status: 'lost' }, config)).toBe(false);
    const reopening = { ...config, duplicates: { ...config.duplicates, reopenClosed: true } };
    expect(reopensAsNewLead({ ...existing, status: 'lost' }, reopening)).toBe(true);
    expect(reopensAsNewLead({ ...existing, status: 'assigned' }, reopening)).toBe(false);
  });
});

describe('re-scoring', () => {
  it('changes nothing when the rules did not change', () => {
    const stored = buildLead(intakeMessage(), config, now);
    expect(rescore(stored, config, now)).toBeUndefined();
  });

  it('applies new rules to a stored lead, bumping its version', () => {
    const stored = buildLead(intakeMessage(), config, now);
    const stricter = {
      ...config,
      scoring: { ...config.scoring, rules: config.scoring.rules.filter((r) => r.id !== 'has-email') },
    };
    expect(rescore(stored, stricter, now)).toMatchObject({ score: { total: 20 }, version: 2 });
  });
});
