import type { z } from 'zod';
import { Acknowledged, ApiError, api, dashboardSettings, LeadDetail as LeadDetailSchema } from '../api.ts';
import type { Ctx } from '../context.ts';
import { h } from '../dom.ts';
import { type MessageKey, reasonLabel } from '../i18n.ts';

type TimelineEvent = { at: string; what: string; detail: string };

type Detail = z.infer<typeof LeadDetailSchema>;

/** Everything that happened to a lead, oldest first: arrival, returns, owners, status, notes, automations. */
function timeline(ctx: Ctx, { lead, notes, tasks, messages }: Detail): TimelineEvent[] {
  const { t, f } = ctx;
  const events: TimelineEvent[] = [
    { at: lead.createdAt, what: t('event.created'), detail: `${lead.source} · ${lead.formId}` },
  ];
  for (const touch of lead.touches)
    events.push({ at: touch.at, what: t('event.touch'), detail: touch.source });
  for (const a of [...lead.history, ...(lead.assignment ? [lead.assignment] : [])])
    events.push({
      at: a.at,
      what: t('event.assigned'),
      detail: `${a.repId} · ${a.reason}${a.by ? ` · ${t('by')} ${a.by}` : ''}`,
    });
  for (const s of lead.statusHistory)
    events.push({
      at: s.at,
      what: `${t('event.status')}: ${t(`status.${s.status}`)}`,
      detail: `${t('by')} ${s.by}${s.reason ? ` · ${s.reason}` : ''}`,
    });
  for (const note of notes)
    events.push({ at: note.at, what: t('event.note'), detail: `${t('by')} ${note.by} · ${note.text}` });
  for (const task of tasks)
    events.push({
      at: task.createdAt,
      what: `${t('event.task')}: ${t(`task.${task.type}`)}`,
      detail: `${f.dateTime(task.dueAt)} · ${t('by')} ${task.createdBy}${task.note ? ` · ${task.note}` : ''}`,
    });
  // Each message to the rep, the manager or the team: its channel, whether it went, and what the channel said.
  for (const m of messages)
    events.push({
      at: m.at,
      what: `${t('event.message')}: ${t(`channel.${m.channel}` as MessageKey) ?? m.channel}`,
      detail: [
        m.to,
        t(`outcome.${m.outcome}` as MessageKey) ?? m.outcome,
        m.status ? (t(`outcome.${m.status}` as MessageKey) ?? m.status) : undefined,
        m.detail,
      ]
        .filter(Boolean)
        .join(' · '),
    });
  for (const u of lead.followUps) {
    const key = `followUp.${u.kind}` as MessageKey;
    events.push({
      at: u.at,
      what: t(key) ?? u.kind,
      detail: [u.repId, u.detail].filter(Boolean).join(' · '),
    });
  }
  return events.sort((a, b) => a.at.localeCompare(b.at));
}

const ACTIONS = [
  ['contacted', 'markContacted'],
  ['qualified', 'markQualified'],
  ['won', 'markWon'],
  ['lost', 'markLost'],
  ['disqualified', 'markDisqualified'],
] as const;

/** One lead: who, why this owner, the score's parts, its timeline, and the rep's status actions. */
export async function leadView(ctx: Ctx, root: HTMLElement, id: string): Promise<void> {
  const { t, f } = ctx;
  const [detail, { disqualifyReasons }] = await Promise.all([
    api(LeadDetailSchema, `/leads/${encodeURIComponent(id)}`),
    dashboardSettings(),
  ]);
  const { lead } = detail;
  const path = `/leads/${encodeURIComponent(id)}`;
  /** Sends, announces, and shows the lead again with what changed. */
  const submit = async (route: string, body: Record<string, unknown>) => {
    try {
      await api(Acknowledged, route, { method: 'POST', body: { by: 'dashboard', ...body } });
      ctx.announce(t('done'));
      await leadView(ctx, root, id);
    } catch (error) {
      ctx.announce(error instanceof ApiError ? error.message : t('error'));
    }
  };
  const noteText = h('textarea', { id: 'note-text', name: 'text', rows: 3, maxlength: 5000, required: true });
  const taskType = h(
    'select',
    { id: 'task-type', name: 'type' },
    ...(['call', 'meeting', 'email', 'other'] as const).map((type) =>
      h('option', { value: type }, t(`task.${type}`)),
    ),
  );
  const taskDue = h('input', { id: 'task-due', name: 'dueAt', type: 'datetime-local', required: true });
  const taskNote = h('input', { id: 'task-note', name: 'note', maxlength: 5000 });
  const open = detail.tasks
    .filter((task) => task.status === 'open')
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  const reason = h('input', { id: 'lost-reason', name: 'reason', maxlength: 500 });
  // A deal's value goes with qualified (expected) and won (the deal's): an exact decimal, never a float.
  const { reportingCurrency } = await dashboardSettings();
  const amount = h('input', {
    id: 'deal-amount',
    name: 'amount',
    inputmode: 'decimal',
    maxlength: 24,
  }) as HTMLInputElement;
  const currency = h('input', {
    id: 'deal-currency',
    name: 'currency',
    value: lead.expectedValue?.currency ?? reportingCurrency,
    maxlength: 3,
    size: 4,
  }) as HTMLInputElement;
  const expected = h('input', {
    id: 'expected-value',
    inputmode: 'decimal',
    maxlength: 24,
    value: lead.expectedValue?.amount ?? '',
  }) as HTMLInputElement;
  const closeDate = h('input', {
    id: 'expected-close',
    type: 'date',
    value: lead.expectedCloseDate ?? '',
  }) as HTMLInputElement;
  const saveValues = async () => {
    try {
      await api(Acknowledged, path, {
        method: 'PATCH',
        body: {
          by: 'dashboard',
          expectedValue: expected.value.trim()
            ? { amount: expected.value.trim(), currency: currency.value.trim().toUpperCase() }
            : null,
          expectedCloseDate: closeDate.value || null,
        },
      });
      ctx.announce(t('done'));
      await leadView(ctx, root, id);
    } catch (error) {
      ctx.announce(error instanceof ApiError ? error.message : t('error'));
    }
  };
  const dqReason = h(
    'select',
    { id: 'dq-reason', name: 'dq-reason' },
    ...disqualifyReasons.map((r) => h('option', { value: r }, reasonLabel(t, r))),
  );
  const act = async (type: (typeof ACTIONS)[number][0]) => {
    try {
      await api(Acknowledged, `/leads/${encodeURIComponent(id)}/events`, {
        method: 'POST',
        body: {
          type,
          by: 'dashboard',
          ...(type === 'lost' ? { reason: (reason as HTMLInputElement).value } : {}),
          ...(type === 'disqualified' ? { reason: (dqReason as HTMLSelectElement).value } : {}),
          ...((type === 'won' || type === 'qualified') && amount.value.trim()
            ? { amount: amount.value.trim(), currency: currency.value.trim().toUpperCase() }
            : {}),
        },
      });
      ctx.announce(t('done'));
      await leadView(ctx, root, id);
    } catch (error) {
      ctx.announce(error instanceof ApiError ? error.message : t('error'));
    }
  };
  root.replaceChildren(
    h('p', {}, h('a', { href: '#/leads' }, t('back'))),
    h('h1', {}, lead.contact.name ?? lead.id),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t('status')),
      h('dd', { 'data-status': lead.status }, t(`status.${lead.status}`)),
      h('dt', {}, t('owner')),
      h('dd', {}, lead.ownerId ?? '—'),
      h('dt', {}, t('score')),
      h('dd', {}, f.integer(lead.score.total)),
      h('dt', {}, t('segments')),
      h('dd', {}, lead.segments.join(', ') || '—'),
      h('dt', {}, t('assignmentReason')),
      h('dd', {}, lead.assignment ? `${lead.assignment.reason} (${lead.assignment.rule ?? ''})` : '—'),
      h('dt', {}, t('dealValue')),
      h(
        'dd',
        { 'data-figure': 'deal-value' },
        lead.dealValue
          ? f.money(lead.dealValue.amount, lead.dealValue.currency)
          : lead.expectedValue
            ? `${f.money(lead.expectedValue.amount, lead.expectedValue.currency)} (${t('expected')})`
            : '—',
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'actions-title' },
      h('h2', { id: 'actions-title' }, t('actions')),
      h(
        'div',
        { class: 'actions' },
        ...ACTIONS.map(([type, label]) =>
          h('button', { type: 'button', 'data-action': type, onclick: () => void act(type) }, t(label)),
        ),
        h('label', { for: 'lost-reason' }, t('lostReason')),
        reason,
        h('label', { for: 'dq-reason' }, t('disqualifyReason')),
        dqReason,
        h('label', { for: 'deal-amount' }, t('dealAmount')),
        amount,
        h('label', { for: 'deal-currency' }, t('currency')),
        currency,
      ),
      ['won', 'lost', 'disqualified'].includes(lead.status)
        ? null
        : h(
            'form',
            {
              id: 'values-form',
              class: 'actions',
              onsubmit: (event: Event) => {
                event.preventDefault();
                void saveValues();
              },
            },
            h('label', { for: 'expected-value' }, t('expectedValue')),
            expected,
            h('label', { for: 'expected-close' }, t('expectedClose')),
            closeDate,
            h('button', { type: 'submit' }, t('save')),
          ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'tasks-title' },
      h('h2', { id: 'tasks-title' }, t('tasks')),
      h(
        'ul',
        { class: 'tasks' },
        ...open.map((task) =>
          h(
            'li',
            { 'data-task': task.id, ...(task.dueAt < new Date().toISOString() ? { class: 'overdue' } : {}) },
            h('strong', {}, t(`task.${task.type}`)),
            ' ',
            h('time', { datetime: task.dueAt }, f.dateTime(task.dueAt)),
            task.note ? h('span', {}, ` · ${task.note}`) : null,
            ' ',
            h(
              'button',
              {
                type: 'button',
                'data-task-action': 'done',
                onclick: () => void submit(`${path}/tasks/${task.id}/done`, {}),
              },
              t('markDone'),
            ),
            h(
              'button',
              {
                type: 'button',
                'data-task-action': 'cancel',
                onclick: () => void submit(`${path}/tasks/${task.id}/cancel`, {}),
              },
              t('cancelTask'),
            ),
          ),
        ),
      ),
      h(
        'form',
        {
          class: 'plan',
          onsubmit: (event: Event) => {
            event.preventDefault();
            const due = (taskDue as HTMLInputElement).value;
            const note = (taskNote as HTMLInputElement).value.trim();
            void submit(`${path}/tasks`, {
              type: (taskType as HTMLSelectElement).value,
              // The viewer's local time, as the browser reads it, sent with its offset (as UTC).
              dueAt: new Date(due).toISOString(),
              ...(note ? { note } : {}),
            });
          },
        },
        h('label', { for: 'task-type' }, t('taskType')),
        taskType,
        h('label', { for: 'task-due' }, t('dueAt')),
        taskDue,
        h('label', { for: 'task-note' }, t('noteText')),
        taskNote,
        h('button', { type: 'submit' }, t('planTask')),
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'notes-title' },
      h('h2', { id: 'notes-title' }, t('notes')),
      h(
        'form',
        {
          class: 'note',
          onsubmit: (event: Event) => {
            event.preventDefault();
            void submit(`${path}/notes`, { text: (noteText as HTMLTextAreaElement).value });
          },
        },
        h('label', { for: 'note-text' }, t('noteText')),
        noteText,
        h('button', { type: 'submit' }, t('addNote')),
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'timeline-title' },
      h('h2', { id: 'timeline-title' }, t('timeline')),
      h(
        'ol',
        { class: 'timeline' },
        ...timeline(ctx, detail).map((e) =>
          h(
            'li',
            {},
            h('time', { datetime: e.at }, f.dateTime(e.at)),
            h('strong', {}, e.what),
            h('span', {}, e.detail),
          ),
        ),
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'score-title' },
      h('h2', { id: 'score-title' }, t('scoreBreakdown')),
      h(
        'table',
        { class: 'grid' },
        h(
          'thead',
          {},
          h('tr', {}, h('th', { scope: 'col' }, t('rule')), h('th', { scope: 'col' }, t('points'))),
        ),
        h(
          'tbody',
          {},
          ...lead.score.breakdown.map((b) =>
            h('tr', {}, h('td', {}, b.ruleId), h('td', { class: 'num' }, f.integer(b.points))),
          ),
        ),
      ),
    ),
  );
}
