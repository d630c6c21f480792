import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxMail } from '../../local/pipeline.ts';
import { eventually } from '../support/aws.ts';

type Runner = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

/** Runs a CLI without blocking this process, so its HTTP connections stay healthy meanwhile. */
async function runCli(script: string, args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('npx', ['tsx', `scripts/${script}.ts`, ...args], {
    env: { ...process.env, LEADPIPE_RUNTIME_FILE: runtimeFile },
    encoding: 'utf8',
  });
  return stdout;
}

const runtimeFile = join(mkdtempSync(join(tmpdir(), 'leadpipe-e2e-')), 'runtime.json');

function startRunner(env: Record<string, string>): Runner {
  const child = spawn(process.execPath, ['local/bootstrap.mjs'], {
    env: {
      ...process.env,
      PORT: '0',
      POWERTOOLS_LOG_LEVEL: 'WARN',
      LEADPIPE_RUNTIME_FILE: runtimeFile,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((s) => Number(s.trim()))
      .filter((n) => n > 0);
  } catch {
    return [];
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  let runner: Runner;
  let url: string;

  beforeAll(async () => {
    runner = startRunner({});
    url = await eventually(
      'the ready line',
      async () => /leadpipe ready (http:\/\/127\.0\.0\.1:\d+)/.exec(runner.output())?.[1],
      60_000,
    );
    // The mail viewer line follows the ready line; the two may arrive in separate chunks.
    await eventually(
      'the mail viewer line',
      async () => (/^mail viewer /m.test(runner.output()) ? true : undefined),
      5_000,
    );
  }, 90_000);

  afterAll(async () => {
    if (runner.child.exitCode === null) {
      runner.child.kill('SIGKILL');
      await runner.exited;
    }
  });

  it('prints the ready line and the mail viewer', () => {
    expect(runner.output()).toMatch(/^leadpipe ready http:\/\/127\.0\.0\.1:\d+$/m);
    expect(runner.output()).toMatch(/^mail viewer http:\/\/127\.0\.0\.1:\d+\//m);
  });

  it("takes a web-form lead to the rep's inbox, mailed after the post was answered", async () => {
    const postedAt = Date.now();
    const response = await fetch(`${url}/v1/forms/demo/leads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Fatima Al-Sayed',
        email: 'fatima@example.com',
        phone: '+966 50 123 4567',
      }),
    });
    expect(response.status).toBe(202);
    const { leadId } = (await response.json()) as { leadId: string };
    const mail = await eventually('the assignment email', async () => {
      const outbox = (await (await fetch(`${url}/_local/outbox`)).json()) as OutboxMail[];
      return outbox.find((m) => m.headers['X-Leadpipe-Lead'] === leadId);
    });
    expect(mail.to[0]).toMatch(/@sales\.leadpipe\.local$/);
    expect(mail.text).toContain('Fatima Al-Sayed');
    // How fast is the bench's figure (form → email p50/p99); here: this mail is this post's, sent after it.
    expect(Date.parse(mail.sentAt)).toBeGreaterThanOrEqual(postedAt);
  });

  async function mailFor(leadIdOrText: (m: OutboxMail) => boolean): Promise<OutboxMail> {
    return eventually('the assignment email', async () => {
      const outbox = (await (await fetch(`${url}/_local/outbox`)).json()) as OutboxMail[];
      return outbox.find(leadIdOrText);
    });
  }

  it("takes a signed Meta webhook to the rep's inbox, with the answers read from the Graph API", async () => {
    const body = JSON.stringify({
      object: 'page',
      entry: [
        {
          id: '138124712925158',
          time: 1773931200,
          changes: [
            {
              field: 'leadgen',
              value: {
                leadgen_id: '4242424242424243',
                page_id: '138124712925158',
                form_id: '100000000000001',
                created_time: 1773931199,
              },
            },
          ],
        },
      ],
    });
    const signature = `sha256=${createHmac('sha256', 'local-facebook-app-secret').update(body).digest('hex')}`;
    const response = await fetch(`${url}/v1/webhooks/facebook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
      body,
    });
    expect(response.status).toBe(200);
    const mail = await mailFor(
      (m) => m.text.includes('Facebook') || m.text.includes('فيسبوك') || m.text.includes('فیسبوک'),
    );
    expect(mail.text).toMatch(/Reza Ahmadi|نورة القحطاني|Omar Haddad|مریم رضایی/);
  });

  it('finds a Meta lead whose webhook was lost with npm run backfill', async () => {
    const runtime = JSON.parse(readFileSync(runtimeFile, 'utf8')) as { graphApiUrl: string };
    await fetch(`${runtime.graphApiUrl}/_fake/leads`, {
      method: 'POST',
      body: JSON.stringify({
        id: '5151515151515151',
        created_time: new Date().toISOString().replace(/\.\d{3}Z$/, '+0000'),
        form_id: '100000000000001',
        field_data: [
          { name: 'full_name', values: ['Lost Webhook Person'] },
          { name: 'email', values: ['lost.webhook@example.com'] },
        ],
      }),
    });
    const output = await runCli('backfill', [
      '--source',
      'facebook',
      '--form',
      '100000000000001',
      '--since',
      '2026-01-01T00:00:00Z',
    ]);
    expect(output).toMatch(/1 missing here and queued/);
    const mail = await mailFor((m) => m.text.includes('Lost Webhook Person'));
    expect(mail.to[0]).toMatch(/@sales\.leadpipe\.local$/);
  });

  it('accepts a Google Ads lead form webhook with the right key', async () => {
    const response = await fetch(`${url}/v1/webhooks/google`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        lead_id: 'e2e-google-1',
        form_id: 349080077126,
        campaign_id: 23729418209,
        google_key: 'local-google-key',
        is_test: false,
        user_column_data: [
          { column_id: 'FULL_NAME', string_value: 'Google Person E2E' },
          { column_id: 'EMAIL', string_value: 'google.e2e@example.com' },
        ],
      }),
    });
    expect(response.status).toBe(200);
    await mailFor((m) => m.text.includes('Google Person E2E'));
  });

  it('re-scores stored leads only when asked, with npm run rescore', async () => {
    expect(await runCli('rescore', ['--dry-run'])).toMatch(/^\d+ leads scored again: would change 0\n$/);
  });

  it('pauses and lists reps with npm run reps, and moves a lead with npm run assign: the new owner is mailed', async () => {
    const cli = runCli;
    expect(await cli('reps', ['pause', 'omid', '--reason', 'on leave', '--by', 'e2e'])).toMatch(
      /^paused omid +paused \(on leave\)/,
    );
    expect(await cli('reps', ['list'])).toMatch(/omid +paused \(on leave\)/);

    const response = await fetch(`${url}/v1/forms/demo/leads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Moved Person', email: 'moved.person@example.com' }),
    });
    const { leadId } = (await response.json()) as { leadId: string };
    const first = await mailFor((m) => m.headers['X-Leadpipe-Lead'] === leadId);
    expect(first.to[0]).not.toBe('omid@sales.leadpipe.local');

    expect(await cli('reps', ['resume', 'omid'])).toMatch(/^resumed omid +active/);
    expect(
      await cli('assign', ['--lead', leadId, '--rep', 'omid', '--reason', 'speaks Persian', '--by', 'Mina']),
    ).toMatch(/now belongs to omid: moved by Mina from \w+: speaks Persian/);
    const second = await mailFor(
      (m) => m.headers['X-Leadpipe-Lead'] === leadId && m.to[0] === 'omid@sales.leadpipe.local',
    );
    expect(second.subject).toContain('سرنخ جدید');
  });

  it('reports speed-to-lead after a rep marks a lead contacted', async () => {
    const response = await fetch(`${url}/v1/forms/demo/leads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Called Back', email: 'called.back@example.com' }),
    });
    const { leadId } = (await response.json()) as { leadId: string };
    const mail = await mailFor((m) => m.headers['X-Leadpipe-Lead'] === leadId);
    const contacted = await fetch(`${url}/v1/leads/${leadId}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'contacted', by: mail.to[0] }),
    });
    expect(contacted.status).toBe(200);
    const report = await eventually('the KPI', async () => {
      const output = await runCli('report', ['--by', 'source']);
      return /web-form +[1-9]/.test(output) ? output : undefined;
    });
    expect(report).toMatch(
      /Speed to lead, \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2} \(SLA 15 business minutes\)/,
    );
    expect(report).toMatch(/Funnel/);
  });

  it('accepts an urlencoded post the same way', async () => {
    const response = await fetch(`${url}/v1/forms/demo/leads`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=Reza+Ahmadi&email=reza%40example.com&utm_source=google',
    });
    expect(response.status).toBe(202);
  });

  it('answers an unknown path with a JSON 404', async () => {
    const response = await fetch(`${url}/v1/nothing-here`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('stops every child process, Java included, on Ctrl-C', async () => {
    const pid = runner.child.pid ?? 0;
    const children = childPids(pid);
    expect(children.length).toBeGreaterThan(0);
    runner.child.kill('SIGINT');
    expect(await runner.exited).toBe(0);
    await eventually(
      'the emulators to exit',
      async () => (children.some(isAlive) ? undefined : true),
      10_000,
    );
  });
});

describe('npm start refuses to run half-configured', () => {
  it('says in one line how to install Java when it is missing, and exits non-zero', async () => {
    const runner = startRunner({ PATH: '/nonexistent' });
    expect(await runner.exited).toBe(1);
    expect(runner.output().trim()).toBe(
      'Java 17+ is needed for DynamoDB Local; install it with: sudo apt-get install -y openjdk-17-jdk-headless',
    );
  });

  it('names the bad key of an invalid config file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leadpipe-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'sources: {}\nrouting:\n  defaultPool: x\n  pools: [{ id: x, reps: [ghost] }]\n  reps: [{ id: a, name: A, email: a@example.com }]\nmail: { from: a@example.com, publicBaseUrl: http://x.example, linkSigningKey: local-link-signing-key-123 }\n',
    );
    const runner = startRunner({ LEADPIPE_CONFIG: file });
    expect(await runner.exited).toBe(1);
    expect(runner.output()).toContain('routing.pools[0].reps[0]: unknown rep "ghost"');
  });
});

describe('npm run preview-email', () => {
  it('renders a template with hostile and right-to-left sample text, escaped, to files to open', async () => {
    const { stdout } = await promisify(execFile)(
      'npx',
      ['tsx', 'scripts/preview-email.ts', 'assignment', 'ar'],
      { encoding: 'utf8' },
    );
    expect(stdout).toMatch(/^subject: \u200f/);
    const html = readFileSync('.leadpipe/preview/assignment.ar.html', 'utf8');
    expect(html).toContain('<html lang="ar" dir="rtl">');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(readFileSync('.leadpipe/preview/assignment.ar.txt', 'utf8')).not.toMatch(/^Bcc:/m);
  });
});
