import { ApiError, api, downloadExport, LeadPage, type LeadSummary, query, Reps, STATUSES } from '../api.ts';
import type { Ctx } from '../context.ts';
import { h } from '../dom.ts';

const SOURCES = ['web-form', 'facebook', 'google', 'import'];

type Filters = {
  q: string;
  status: string;
  source: string;
  ownerId: string;
  segment: string;
  minScore: string;
};

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

function row(ctx: Ctx, lead: LeadSummary, names: Map<string, string>): HTMLElement {
  const { t, f } = ctx;
  const overdue = lead.nextTaskDueAt !== undefined && lead.nextTaskDueAt < new Date().toISOString();
  return h(
    'tr',
    { 'data-lead': lead.id },
    h('td', {}, f.dateTime(lead.createdAt)),
    h(
      'td',
      {},
      h('a', { href: `#/leads/${encodeURIComponent(lead.id)}` }, lead.name ?? lead.id.slice(0, 8)),
      // A planned call whose time has passed: the rep sees it in the list.
      overdue
        ? h('span', { class: 'badge overdue', title: f.dateTime(lead.nextTaskDueAt ?? '') }, t('overdue'))
        : null,
    ),
    h('td', {}, lead.source),
    h('td', {}, h('span', { class: `status status-${lead.status}` }, t(`status.${lead.status}`))),
    h('td', {}, lead.ownerId ? (names.get(lead.ownerId) ?? lead.ownerId) : '—'),
    h('td', { class: 'num' }, f.integer(lead.score)),
    h('td', {}, lead.segments.join(', ')),
  );
}

/** The lead list: newest first, filtered, refreshed every 10 seconds while it is open. */
export async function leads(ctx: Ctx, root: HTMLElement, signal: AbortSignal): Promise<void> {
  const { t } = ctx;
  const filters: Filters = { q: '', status: '', source: '', ownerId: '', segment: '', minScore: '' };
  // Owners by name, and the filter as a choice of reps (a rep's roster holds only themself).
  const roster = (await api(Reps, '/reps')).reps;
  const names = new Map(roster.map((r) => [r.id, r.name]));
  const body = h('tbody');
  const more = h('button', { type: 'button', hidden: true }, t('loadMore'));
  let next: string | undefined;

  async function load(reset: boolean): Promise<void> {
    // A search is all time and one page; the list is the range, newest first, page by page.
    const page = await api(
      LeadPage,
      `/leads${query({ ...filters, limit: 50, cursor: reset || filters.q ? undefined : next })}`,
    );
    const rows = page.leads.map((lead) => row(ctx, lead, names));
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
      t('search'),
      h('input', {
        name: 'q',
        type: 'search',
        placeholder: t('searchHint'),
        oninput: (e: Event) => (filters.q = (e.target as HTMLInputElement).value.trim()),
      }),
    ),
    select(
      t('owner'),
      'ownerId',
      [['', t('any')], ...roster.map((r): [string, string] => [r.id, r.name])],
      filters,
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
    h(
      'button',
      {
        type: 'button',
        id: 'export',
        onclick: async () => {
          const { q: _search, ...listFilters } = filters;
          try {
            const rows = await downloadExport(listFilters);
            ctx.announce(`${t('exported')}: ${ctx.f.integer(rows)}`);
          } catch (error) {
            ctx.announce(error instanceof ApiError ? error.message : t('error'));
          }
        },
      },
      t('export'),
    ),
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
    if (filters.q === '' && (next === undefined || body.children.length <= 50))
      void load(true).catch(() => undefined);
  }, 10_000);
  signal.addEventListener('abort', () => clearInterval(timer));
}
