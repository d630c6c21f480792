import { describe, expect, it } from 'vitest';
import { type Condition, evaluateCondition } from '../../functions/shared/conditions.ts';

const facts = {
  country: 'SA',
  'answers.budget': '15,000',
  email: 'a@b.c',
  company: '',
  'phone.valid': false,
};

describe('rule conditions', () => {
  it.each<[Condition, boolean]>([
    [{ field: 'email', op: 'exists' }, true],
    [{ field: 'company', op: 'exists' }, false],
    [{ field: 'company', op: 'missing' }, true],
    [{ field: 'phone.valid', op: 'exists' }, false],
    [{ field: 'country', op: 'equals', value: 'sa' }, true],
    [{ field: 'country', op: 'in', values: ['AE', 'SA'] }, true],
    [{ field: 'country', op: 'in', values: ['IR'] }, false],
    [{ field: 'email', op: 'matches', pattern: '@b\\.c$' }, true],
    [{ field: 'answers.budget', op: 'between', min: 10000, max: 20000 }, true],
    [{ field: 'answers.budget', op: 'between', min: 20000 }, false],
    [{ field: 'answers.missing', op: 'between', max: 1 }, false],
  ])('%j is %s', (condition, expected) => {
    expect(evaluateCondition(condition, facts)).toBe(expected);
  });
});
