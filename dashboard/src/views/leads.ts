import { api, LeadPage, type LeadSummary, query, type Status } from '../api.ts';
import type { Ctx } from '../context.ts';
import { h } from '../dom.ts';

const STATUSES: Status[] = [
  'new',
  'unassigned',
  'assigned',
  'contacted',
  'qualified',
  'won',
  'lost',
  'disqualified',
];
const SOURCES = ['web-form', 'facebook', 'google'];

type Filters = { status: string; source: string; ownerId: string; segment: string; minScore: string };

function select(label: string, name: keyof Filters, options: [string, string][], filters: Filters) {
  return h(
    'label',
    {},
    label,
    h(
      'select',
      { name, onchange: (e: Event) => (filters[name] = (e.target as HTMLSelectElement).value) },
      ...options.map(([value, text]) => h('option', { value, selected: filters[name] === value }, text)),
    ),
  );
}

function row(ctx: Ctx, lead: LeadSummary): HTMLElement {
  const { t, f } = ctx;
  return h(
    'tr',
    { 'data-lead': lead.id },
    h('td', {}, f.dateTime(lead.createdAt)),
    h('td', {}, h('a', { href: `#/leads/${encodeURIComponent(lead.id)}` }, lead.name ?? lead.id.slice(0, 8))),
    h('td', {}, lead.source),
    h('td', {}, h('span', { class: `status status-${lead.status}` }, t(`status.${lead.status}`))),
    h('td', {}, lead.ownerId ?? '—'),
    h('td', { class: 'num' }, f.integer(lead.score)),
    h('td', {}, lead.segments.join(', ')),
  );
}

/** The lead list: newest first, filtered, refreshed every 10 seconds while it is open. */
export async function leads(ctx: Ctx, root: HTMLElement, signal: AbortSignal): Promise<void> {
  const { t } = ctx;
  const filters: Filters = { status: '', source: '', ownerId: '', segment: '', minScore: '' };
  const body = h('tbody');
  const more = h('button', { type: 'button', hidden: true }, t('loadMore'));
  let next: string | undefined;

  async function load(reset: boolean): Promise<void> {
    const page = await api(
      LeadPage,
      `/leads${query({ ...filters, limit: 50, cursor: reset ? undefined : next })}`,
    );
    const rows = page.leads.map((lead) => row(ctx, lead));
    if (reset) body.replaceChildren(...rows);
    else body.append(...rows);
    next = page.next;
    more.hidden = next === undefined;
  }
  more.addEventListener('click', () => void load(false));

  const form = h(
    'form',
    {
      class: 'filters',
      onsubmit: (event: Event) => {
        event.preventDefault();
        void load(true);
      },
    },
    select(
      t('status'),
      'status',
      [['', t('any')], ...STATUSES.map((s): [string, string] => [s, t(`status.${s}`)])],
      filters,
    ),
    select(t('source'), 'source', [['', t('any')], ...SOURCES.map((s): [string, string] => [s, s])], filters),
    h(
      'label',
      {},
      t('owner'),
      h('input', {
        name: 'ownerId',
        oninput: (e: Event) => (filters.ownerId = (e.target as HTMLInputElement).value),
      }),
    ),
    h(
      'label',
      {},
      t('segment'),
      h('input', {
        name: 'segment',
        oninput: (e: Event) => (filters.segment = (e.target as HTMLInputElement).value),
      }),
    ),
    h(
      'label',
      {},
      t('minScore'),
      h('input', {
        name: 'minScore',
        type: 'number',
        inputmode: 'numeric',
        oninput: (e: Event) => (filters.minScore = (e.target as HTMLInputElement).value),
      }),
    ),
    h('button', { type: 'submit' }, t('apply')),
  );
  root.replaceChildren(
    h('h1', {}, t('leads')),
    form,
    h('p', { class: 'hint' }, t('live')),
    h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        { class: 'grid', id: 'lead-list' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...[t('created'), t('name'), t('source'), t('status'), t('owner'), t('score'), t('segments')].map(
              (c) => h('th', { scope: 'col' }, c),
            ),
          ),
        ),
        body,
      ),
    ),
    more,
  );
  await load(true);
  // Live: the first page again every 10 s, unless the viewer has paged on.
  const timer = setInterval(() => {
    if (next === undefined || body.children.length <= 50) void load(true).catch(() => undefined);
  }, 10_000);
  signal.addEventListener('abort', () => clearInterval(timer));
}
