import {
  Acknowledged,
  ApiError,
  api,
  dashboardSettings,
  type LeadDetail,
  LeadDetail as LeadDetailSchema,
} from '../api.ts';
import type { Ctx } from '../context.ts';
import { h } from '../dom.ts';
import { type MessageKey, reasonLabel } from '../i18n.ts';

type TimelineEvent = { at: string; what: string; detail: string };

/** Everything that happened to a lead, oldest first: arrival, returns, owners, status, automations. */
function timeline(ctx: Ctx, lead: LeadDetail): TimelineEvent[] {
  const { t } = ctx;
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
  const [{ lead }, { disqualifyReasons }] = await Promise.all([
    api(LeadDetailSchema, `/leads/${encodeURIComponent(id)}`),
    dashboardSettings(),
  ]);
  const reason = h('input', { id: 'lost-reason', name: 'reason', maxlength: 500 });
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
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'timeline-title' },
      h('h2', { id: 'timeline-title' }, t('timeline')),
      h(
        'ol',
        { class: 'timeline' },
        ...timeline(ctx, lead).map((e) =>
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
