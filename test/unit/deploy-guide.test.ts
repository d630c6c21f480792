import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The deploy guide as a first deploy meets it: its commands must work as written, in its order.
const guide = readFileSync('docs/deploy.md', 'utf8');
const readme = readFileSync('README.md', 'utf8');
const commands = (text: string) =>
  text
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => /\bcdk deploy\b/.test(line));

describe('the deploy guide', () => {
  it('deploys both stacks (a two-stack app refuses cdk deploy without --all or a stack name)', () => {
    for (const line of [...commands(guide), ...commands(readme)])
      expect(line).toMatch(/--all|leadpipe-(data|pipeline)/);
  });

  it('keeps deploy settings in cdk.json, where every later deploy and a rollback find them', () => {
    for (const line of [...commands(guide), ...commands(readme)]) expect(line).not.toMatch(/ -c /);
    const context = JSON.parse(readFileSync('cdk.json', 'utf8')).context as Record<string, unknown>;
    for (const key of ['alarmEmail', 'sendingIdentity', 'slaBreachAlarmPercent'])
      expect(context).toHaveProperty(key);
    const app = readFileSync('infra/app.ts', 'utf8');
    for (const key of ['alarmEmail', 'sendingIdentity', 'slaBreachAlarmPercent'])
      expect(app).toContain(`'${key}'`);
  });

  it('never writes a scheme before ApiUrl, which has its own', () => {
    expect(guide).not.toContain('https://<ApiUrl>');
  });

  it("asks for the permissions Meta's Retrieving Leads guide lists for lead data with its ad fields", () => {
    for (const permission of [
      'leads_retrieval',
      'ads_management',
      'pages_manage_ads',
      'pages_read_engagement',
      'pages_show_list',
      'pages_manage_metadata',
    ])
      expect(guide).toContain(`\`${permission}\``);
  });

  it('creates the Meta secrets after the Meta app exists, and says what happens until then', () => {
    const metaSecret = guide.indexOf('--name /leadpipe/facebook/app-secret');
    expect(metaSecret).toBeGreaterThan(guide.indexOf('The two that Meta gives you'));
    expect(guide).toContain('source_not_ready');
  });
});
