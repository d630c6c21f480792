import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../functions/shared/config.ts';
import { parseConfig } from '../../functions/shared/config-text.ts';

const demo = readFileSync('leadpipe.config.yaml', 'utf8');

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, 'test.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('configuration', () => {
  it('accepts the shipped demo config: a demo form, Facebook, Google and three equal-weight reps', () => {
    const config = parseConfig(demo);
    expect(Object.keys(config.sources.forms)).toContain('demo');
    expect(config.sources.facebook).toBeDefined();
    expect(config.sources.google).toBeDefined();
    const pool = config.routing.pools.find((p) => p.id === config.routing.defaultPool);
    expect(pool?.reps).toHaveLength(3);
    expect(new Set(config.routing.reps.map((r) => r.weight))).toEqual(new Set([1]));
  });

  it("fills a section left out from its fields' own defaults", () => {
    const minimal = [
      'sources: {}',
      'routing:',
      '  reps: [{ id: sara, name: Sara, email: sara@sales.example }]',
      '  pools: [{ id: all, reps: [sara] }]',
      '  defaultPool: all',
      'mail: { from: leads@example.com, publicBaseUrl: "https://leads.example.com", linkSigningKey: 0123456789abcdef }',
    ].join('\n');
    const config = parseConfig(minimal);
    expect(config.duplicates).toEqual({ windowDays: 365, reopenClosed: false });
    expect(config.sla).toEqual({
      firstContactMinutes: 15,
      escalation: { reassign: true, notifyManager: true, maxReassignments: 1 },
      businessHours: true,
      segments: {},
    });
    expect(config.scoring).toEqual({ rules: [], segments: [], grades: [] });
    expect(config.nurture).toEqual({ sequences: [], templates: {} });
    expect(config.calendar).toEqual({ holidays: {} });
    expect(config.normalisation).toEqual({ campaignCountries: {} });
    expect(config.mail).toMatchObject({ fromName: 'leadpipe', actionLinkDays: 14 });
  });

  it('names the key of a pool member that is not a rep', () => {
    const bad = demo.replace('reps: [sara, omid, layla]', 'reps: [sara, nobody, layla]');
    expect(problemsOf(bad)).toEqual([
      'routing.pools[0].reps[1]: unknown rep "nobody"; define it under routing.reps',
    ]);
  });

  it('rejects an unknown field in a scoring condition instead of scoring it as zero', () => {
    const bad = demo.replace('field: company, op: exists', 'field: compnay, op: exists');
    const [problem] = problemsOf(bad);
    expect(problem).toMatch(/^scoring\.rules\[4\]\.when\.field \(rule "has-company"\): unknown field/);
  });

  it('rejects keys it does not know, naming them', () => {
    const bad = demo.replace('honeypot: website', 'honeypot: website\n      colour: blue');
    expect(problemsOf(bad).join('\n')).toMatch(/sources\.forms\.demo/);
    expect(problemsOf(bad).join('\n')).toMatch(/colour/);
  });

  it('names a default pool that does not exist', () => {
    const bad = demo.replace('defaultPool: default', 'defaultPool: everyone');
    expect(problemsOf(bad)).toContain(
      'routing.defaultPool: unknown pool "everyone"; define it under routing.pools',
    );
  });

  it('reports YAML syntax errors as such', () => {
    expect(problemsOf('sources: [unclosed')[0]).toMatch(/^not valid YAML/);
  });

  it('reports every problem at once, not one per run', () => {
    const bad = demo.replace('from: leads@leadpipe.local', 'from: not-an-email').replace('weight', 'wieght');
    expect(problemsOf(bad).some((p) => p.startsWith('mail.from:'))).toBe(true);
  });
});

describe('configuration errors for missing keys', () => {
  it('say the key is required', () => {
    const bad = demo.replace(/\n {2}linkSigningKey:.*\n/, '\n');
    expect(problemsOf(bad)).toEqual(['mail.linkSigningKey: required, but missing']);
  });
});
