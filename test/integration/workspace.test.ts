import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wireOps } from '../../functions/ops/wiring.ts';
import { documentClient } from '../../functions/shared/aws/clients.ts';
import { DynamoLeadRepository } from '../../functions/shared/aws/dynamo-lead-repository.ts';
import { backfillSearchTerms } from '../../functions/shared/aws/dynamo-lead-search.ts';
import { timerKeys } from '../../functions/shared/aws/dynamo-timer-store.ts';
import type { Pipeline } from '../../local/pipeline.ts';
import { emulatorClients, eventually, testPipeline } from '../support/aws.ts';
import { context, httpEvent, lead, silentLogger, testConfig } from '../support/factories.ts';
import { functionOn } from '../support/handlers.ts';

// Two reps in one pool, Sara writing Arabic in Riyadh, Layla English in Dubai.
const config = testConfig({
  routing: {
    defaultPool: 'desk',
    pools: [{ id: 'desk', reps: ['sara', 'layla'] }],
    reps: [
      { id: 'sara', name: 'Sara', email: 'sara@sales.example', locale: 'ar', timezone: 'Asia/Riyadh' },
      { id: 'layla', name: 'Layla', email: 'layla@sales.example', locale: 'en', timezone: 'Asia/Dubai' },
    ],
  },
});

let pipeline: Pipeline;
type Json = Record<string, unknown>;

async function call(method: string, path: string, body?: unknown, user?: string) {
  const response = await fetch(`${pipeline.url}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(user ? { 'x-leadpipe-local-user': user } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Json };
}

/** A lead through the whole pipeline, waited for until it has an owner. */
async function assignedLead(
  name: string,
  contact: { email?: string; phone?: string } = {},
): Promise<{ id: string; ownerId: string }> {
  const posted = await call('POST', '/v1/forms/demo/leads', {
    name,
    email: contact.email ?? `ws.${Date.now()}.${Math.random().toString(36).slice(2)}@example.com`,
    ...(contact.phone ? { phone: contact.phone } : {}),
  });
  const id = String(posted.json.leadId);
  const ownerId = await eventually(`lead ${id} assigned`, async () => {
    const { json } = await call('GET', `/v1/leads/${id}`);
    return (json.lead as { ownerId?: string } | undefined)?.ownerId;
  });
  return { id, ownerId };
}

async function timerOutcome(id: string): Promise<string> {
  const db = documentClient();
  return eventually(`timer ${id} fired`, async () => {
    const { Item } = await db.send(
      new GetCommand({
        TableName: pipeline.resources.tableName,
        Key: timerKeys.timer(id),
        ConsistentRead: true,
      }),
    );
    return Item?.outcome === undefined ? undefined : String(Item.outcome);
  });
}

beforeAll(async () => {
  pipeline = await testPipeline('workspace', config);
}, 60_000);

afterAll(async () => {
  await pipeline?.stop();
});

describe('notes', () => {
  it('keeps what was said in the timeline with who and when, verbatim, and the last one on the lead', async () => {
    const lead = await assignedLead('Noor Notes');
    const text = 'اتصلت بها 📞 — تريد <b>شقتين</b>\nوتتصل غدًا';
    const added = await call('POST', `/v1/leads/${lead.id}/notes`, { text, by: 'mona' });
    expect(added.status).toBe(201);
    await call('POST', `/v1/leads/${lead.id}/notes`, { text: 'second', by: 'mona' });
    const { json } = await call('GET', `/v1/leads/${lead.id}`);
    const notes = json.notes as { text: string; by: string; at: string }[];
    expect(notes.map((n) => n.text)).toEqual([text, 'second']);
    expect(notes[0]?.by).toBe('mona');
    expect((json.lead as Json).lastNote).toMatchObject({ text: 'second', by: 'mona' });
  });

  it('refuses an empty or over-long note, and a rep writing on a lead that is not theirs', async () => {
    const lead = await assignedLead('Noor Refused');
    expect((await call('POST', `/v1/leads/${lead.id}/notes`, { text: '  ', by: 'x' })).status).toBe(400);
    const long = await call('POST', `/v1/leads/${lead.id}/notes`, { text: 'ن'.repeat(5001), by: 'x' });
    expect(long.status).toBe(400);
    const other = lead.ownerId === 'sara' ? 'layla' : 'sara';
    const path = `/dashboard/api/v1/leads/${lead.id}/notes`;
    expect((await call('POST', path, { text: 'hi', by: other }, `rep:${other}`)).status).toBe(404);
    // The owner writes as themself, whatever the body says.
    const own = await call('POST', path, { text: 'mine', by: 'someone else' }, `rep:${lead.ownerId}`);
    expect((own.json.note as Json).by).toBe(lead.ownerId);
  });
});

describe('tasks', () => {
  it('reminds the owner once at the due time, in their language, and lists the call in their agenda', async () => {
    const lead = await assignedLead('Tala Tasks');
    const dueAt = new Date(Date.now() + 3000).toISOString();
    const planned = await call('POST', `/v1/leads/${lead.id}/tasks`, {
      type: 'call',
      dueAt,
      by: 'mona',
      note: 'Ask about <i>the budget</i>',
    });
    expect(planned.status).toBe(201);
    const task = planned.json.task as { id: string; ownerId: string };
    expect(task.ownerId).toBe(lead.ownerId);
    const onLead = (await call('GET', `/v1/leads/${lead.id}`)).json;
    expect(onLead.lead).toMatchObject({ openTasks: 1, nextTaskDueAt: dueAt });
    const agenda = await call('GET', `/v1/tasks?ownerId=${lead.ownerId}&due=week`);
    expect((agenda.json.tasks as { id: string }[]).map((t) => t.id)).toContain(task.id);

    expect(await timerOutcome(`task#${lead.id}#${task.id}#${dueAt}`)).toBe('reminded');
    const mails = (await pipeline.outbox()).filter(
      (m) => m.headers['X-Leadpipe-Lead'] === lead.id && m.headers['X-Leadpipe-Mail'] === 'task-reminder',
    );
    expect(mails).toHaveLength(1);
    const rep = config.routing.reps.find((r) => r.id === lead.ownerId);
    expect(mails[0]?.to).toEqual([rep?.email]);
    expect(mails[0]?.subject).toContain('Tala Tasks');
    expect(mails[0]?.subject).toMatch(rep?.locale === 'ar' ? /تذكير/ : /Reminder/);
    // The note is escaped in the mail.
    expect(mails[0]?.html).toContain('&lt;i&gt;the budget&lt;/i&gt;');
    const overdue = await call('GET', `/v1/tasks?ownerId=${lead.ownerId}&due=overdue`);
    expect(overdue.json.tasks).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: task.id, overdue: true })]),
    );
  });

  it("moves a lead's open tasks to its new owner: their agenda, their reminder", async () => {
    const lead = await assignedLead('Hana Handover');
    const dueAt = new Date(Date.now() + 4000).toISOString();
    const planned = await call('POST', `/v1/leads/${lead.id}/tasks`, { type: 'call', dueAt, by: 'mona' });
    const task = planned.json.task as { id: string };
    const other = lead.ownerId === 'sara' ? 'layla' : 'sara';
    const moved = await call('POST', `/v1/leads/${lead.id}/assign`, {
      repId: other,
      by: 'manager',
      reason: 'territory change',
    });
    expect(moved.status).toBe(200);
    const agendaOf = async (rep: string) =>
      ((await call('GET', `/v1/tasks?ownerId=${rep}&due=week`)).json.tasks as { id: string }[]).map(
        (t) => t.id,
      );
    await eventually('the task on the new owner’s agenda', async () =>
      (await agendaOf(other)).includes(task.id) ? true : undefined,
    );
    expect(await agendaOf(lead.ownerId)).not.toContain(task.id);
    expect(await timerOutcome(`task#${lead.id}#${task.id}#${dueAt}`)).toBe('reminded');
    const reminders = (await pipeline.outbox()).filter(
      (m) => m.headers['X-Leadpipe-Lead'] === lead.id && m.headers['X-Leadpipe-Mail'] === 'task-reminder',
    );
    expect(reminders.map((m) => m.to)).toEqual([[config.routing.reps.find((r) => r.id === other)?.email]]);
  });

  it('sends no reminder for a task done before it fell due, nor for the old time of a rescheduled one', async () => {
    const lead = await assignedLead('Dana Done');
    const soon = new Date(Date.now() + 2500).toISOString();
    const done = (await call('POST', `/v1/leads/${lead.id}/tasks`, { type: 'call', dueAt: soon, by: 'x' }))
      .json.task as { id: string };
    const marked = await call('POST', `/v1/leads/${lead.id}/tasks/${done.id}/done`, { by: 'x' });
    expect(marked.json).toMatchObject({ changed: true, task: { status: 'done' } });
    expect((await call('POST', `/v1/leads/${lead.id}/tasks/${done.id}/done`, { by: 'x' })).json.changed).toBe(
      false,
    );
    expect((await call('POST', `/v1/leads/${lead.id}/tasks/${done.id}/cancel`, { by: 'x' })).status).toBe(
      409,
    );

    const moved = (
      await call('POST', `/v1/leads/${lead.id}/tasks`, { type: 'meeting', dueAt: soon, by: 'x' })
    ).json.task as { id: string };
    const later = new Date(Date.now() + 3500).toISOString();
    const rescheduled = await call('POST', `/v1/leads/${lead.id}/tasks/${moved.id}/reschedule`, {
      dueAt: later,
      by: 'x',
    });
    expect(rescheduled.status).toBe(200);

    expect(await timerOutcome(`task#${lead.id}#${done.id}#${soon}`)).toBe('moot: task done');
    expect(await timerOutcome(`task#${lead.id}#${moved.id}#${soon}`)).toBe('moot: task rescheduled');
    expect(await timerOutcome(`task#${lead.id}#${moved.id}#${later}`)).toBe('reminded');
    const reminders = (await pipeline.outbox()).filter(
      (m) => m.headers['X-Leadpipe-Lead'] === lead.id && m.headers['X-Leadpipe-Mail'] === 'task-reminder',
    );
    expect(reminders).toHaveLength(1);
    const { json } = await call('GET', `/v1/leads/${lead.id}`);
    expect(json.lead).toMatchObject({ openTasks: 1 });
  });

  it('keeps the open-task count right when many tasks are planned on one lead at once', async () => {
    const lead = await assignedLead('Cora Concurrent');
    const dueAt = new Date(Date.now() + 86_400_000).toISOString();
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        call('POST', `/v1/leads/${lead.id}/tasks`, { type: 'email', dueAt, by: 'x' }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
    const { json } = await call('GET', `/v1/leads/${lead.id}`);
    expect(json.lead).toMatchObject({ openTasks: 8, nextTaskDueAt: dueAt });
    expect(json.tasks).toHaveLength(8);
  });

  it('answers clear errors: a bad due time, an unknown task, an agenda without a rep', async () => {
    const lead = await assignedLead('Eli Errors');
    const bad = await call('POST', `/v1/leads/${lead.id}/tasks`, {
      type: 'call',
      dueAt: 'tomorrow',
      by: 'x',
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('dueAt');
    const unknown = await call(
      'POST',
      `/v1/leads/${lead.id}/tasks/00000000-0000-4000-8000-000000000000/done`,
      {
        by: 'x',
      },
    );
    expect(unknown.status).toBe(404);
    expect((await call('GET', '/v1/tasks')).status).toBe(400);
    // A rep sees their own agenda, whoever they ask for.
    const mine = await call(
      'GET',
      '/dashboard/api/v1/tasks?ownerId=someone',
      undefined,
      `rep:${lead.ownerId}`,
    );
    expect(mine.json.ownerId).toBe(lead.ownerId);
  });
});

describe('search', () => {
  const found = async (q: string, user?: string) => {
    const path = `${user ? '/dashboard/api' : ''}/v1/leads?q=${encodeURIComponent(q)}`;
    const { status, json } = await call('GET', path, undefined, user);
    expect(status).toBe(200);
    return (json.leads as { id: string }[]).map((l) => l.id);
  };

  it('finds a lead by its email in any case, its number in any digits, and its name however it is spelled', async () => {
    const digits = String(1_000_000 + Math.floor(Math.random() * 8_999_999));
    const email = `Karimi.${digits}@Example.com`;
    const lead = await assignedLead(`علی کریمی ${digits}`, { email, phone: `+96650${digits}` });
    expect((await found(email.toUpperCase()))[0]).toBe(lead.id);
    // The national number in Arabic-Indic digits, as a Saudi caller id shows it.
    const national = `050${digits}`.replace(/\d/g, (d) => String.fromCharCode(0x0660 + Number(d)));
    expect(await found(national)).toContain(lead.id);
    expect(await found(`+966 50 ${digits}`)).toContain(lead.id);
    // ي for ی, ك for ک, and only the start of a word.
    expect(await found(`علي كري ${digits}`)).toContain(lead.id);
    expect(await found(`nobody-${digits}@example.com`)).toEqual([]);
  });

  it('shows a rep only their own leads, and says what a search needs', async () => {
    const digits = String(1_000_000 + Math.floor(Math.random() * 8_999_999));
    const lead = await assignedLead(`Zara Zed${digits}`);
    const other = lead.ownerId === 'sara' ? 'layla' : 'sara';
    expect(await found(`zed${digits}`, `rep:${lead.ownerId}`)).toEqual([lead.id]);
    expect(await found(`zed${digits}`, `rep:${other}`)).toEqual([]);
    const tooShort = await call('GET', '/v1/leads?q=z');
    expect(tooShort.status).toBe(400);
    expect(JSON.stringify(tooShort.json)).toContain('at least two characters');
  });

  it('finds leads stored before search existed once npm run list-keys wrote their entries', async () => {
    const db = documentClient();
    const digits = String(1_000_000 + Math.floor(Math.random() * 8_999_999));
    const old = lead({ contact: { name: `Olden Days${digits}` }, keys: {} });
    await new DynamoLeadRepository(db, pipeline.resources.tableName).create(old);
    expect(await found(`days${digits}`)).toEqual([]);
    const { indexed } = await backfillSearchTerms(db, pipeline.resources.tableName);
    expect(indexed).toBeGreaterThan(0);
    expect(await found(`days${digits}`)).toEqual([old.id]);
  });
});

describe('export', () => {
  it('answers the list as UTF-8 CSV with a byte-order mark, Arabic intact, formulas made text, a rep only theirs', async () => {
    const arabic = await assignedLead('سارة الكريمي');
    const evil = await assignedLead('=HYPERLINK("http://evil.example","click")');
    const response = await fetch(`${pipeline.url}/v1/leads/export.csv`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="leads-/);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    const lines = text.slice(1).split('\r\n');
    expect(lines[0]).toBe(
      'created,submitted,source,campaign,name,email,phone,status,owner,score,grade,segments,first contact minutes,last note',
    );
    expect(text).toContain('سارة الكريمي');
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    // Owners by name.
    expect(text).toMatch(/,(Sara|Layla),/);

    const asRep = await fetch(`${pipeline.url}/dashboard/api/v1/leads/export.csv`, {
      headers: { 'x-leadpipe-local-user': `rep:${arabic.ownerId}` },
    });
    const repRows = (await asRep.text()).split('\r\n').slice(1).filter(Boolean);
    const ownerName = config.routing.reps.find((r) => r.id === arabic.ownerId)?.name ?? '';
    expect(repRows.length).toBeGreaterThan(0);
    expect(repRows.every((row) => row.includes(`,${ownerName},`))).toBe(true);
    expect(evil.id).toBeDefined();
  });

  it('cuts a large export into parts, each linking the next, with every lead exactly once', async () => {
    const whole = (await (await fetch(`${pipeline.url}/v1/leads/export.csv`)).text()).split('\r\n').slice(1);
    // Parts of about a quarter of the leads the earlier specs stored: each part is a request that reads a page of
    // the list, so parts of a row or two made this spec slower with every spec added before it.
    const ops = wireOps({
      ...functionOn({ ...emulatorClients(), resources: pipeline.resources }, 'ops'),
      config,
      logger: silentLogger(),
      exportPartBytes: Math.ceil(Buffer.byteLength(whole.join('\r\n')) / 4),
    });
    const all = new Set<string>();
    let parts = 0;
    let cursor: string | undefined;
    do {
      const response = await ops(
        {
          ...httpEvent({ method: 'GET', path: '/v1/leads/export.csv', routeKey: 'GET /v1/leads/export.csv' }),
          ...(cursor ? { queryStringParameters: { cursor } } : {}),
        },
        context('ops'),
      );
      expect(response.statusCode).toBe(200);
      const rows = (response.body ?? '').split('\r\n').slice(1).filter(Boolean);
      for (const row of rows) {
        expect(all.has(row)).toBe(false);
        all.add(row);
      }
      cursor = response.headers['x-leadpipe-next-cursor'];
      if (cursor) expect(response.headers.link).toContain(`cursor=${encodeURIComponent(cursor)}`);
      parts++;
    } while (cursor);
    expect(parts).toBeGreaterThan(1);
    expect(all.size).toBe(whole.filter(Boolean).length);
  });
});
