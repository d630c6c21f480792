import { api, query, Roi, type RoiGroup } from '../api.ts';
import { pairedChart } from '../charts.ts';
import type { Ctx } from '../context.ts';
import { h } from '../dom.ts';
import type { MessageKey } from '../i18n.ts';

type Column = {
  key: keyof RoiGroup;
  label: MessageKey;
  kind: 'text' | 'integer' | 'money' | 'percent' | 'ratio' | 'days';
};

const COLUMNS: Column[] = [
  { key: 'group', label: 'group', kind: 'text' },
  { key: 'spend', label: 'spend', kind: 'money' },
  { key: 'leads', label: 'leads', kind: 'integer' },
  { key: 'costPerLead', label: 'costPerLead', kind: 'money' },
  { key: 'mqls', label: 'mqls', kind: 'integer' },
  { key: 'sqls', label: 'sqls', kind: 'integer' },
  { key: 'costPerSql', label: 'costPerSql', kind: 'money' },
  { key: 'mqlToSqlPercent', label: 'mqlToSql', kind: 'percent' },
  { key: 'won', label: 'won', kind: 'integer' },
  { key: 'revenue', label: 'revenue', kind: 'money' },
  { key: 'averageDealValue', label: 'averageDeal', kind: 'money' },
  { key: 'costPerWon', label: 'costPerWon', kind: 'money' },
  { key: 'roiPercent', label: 'roiPercent', kind: 'percent' },
  { key: 'roas', label: 'roas', kind: 'ratio' },
  { key: 'medianDaysToWon', label: 'daysToWon', kind: 'days' },
];

/** A figure for sorting: money and counts as numbers (only to order rows; shown as the exact decimals). */
function sortValue(group: RoiGroup, key: keyof RoiGroup): number | string {
  const value = group[key];
  if (value === null) return Number.NEGATIVE_INFINITY;
  return typeof value === 'string' && key !== 'group' && key !== 'currency' ? Number(value) : value;
}

/**
 * Where next month's budget should go: per source or campaign, spend, leads and their cost, MQL → SQL, deals
 * won, revenue and ROI, sortable by any column; and spend against revenue week by week.
 */
export async function roiPage(ctx: Ctx, root: HTMLElement): Promise<void> {
  const { t, f } = ctx;
  const state = {
    groupBy: (location.hash.split('/')[2] === 'campaign' ? 'campaign' : 'source') as 'source' | 'campaign',
    sort: 'spend' as keyof RoiGroup,
    descending: true,
  };
  const roi = await api(Roi, `/kpi/roi${query({ groupBy: state.groupBy })}`);
  const table = h('table', { id: 'roi-table' });

  function cell(group: RoiGroup, column: Column): string {
    const value = group[column.key];
    if (value === null) return '—';
    switch (column.kind) {
      case 'money':
        return f.money(String(value), roi.currency);
      case 'integer':
        return f.integer(Number(value));
      case 'percent':
        return f.percent(Number(value));
      case 'ratio':
      case 'days':
        return f.decimal(Number(value));
      default:
        return String(value);
    }
  }

  function draw(): void {
    const rows = [...roi.groups].sort((a, b) => {
      const [x, y] = [sortValue(a, state.sort), sortValue(b, state.sort)];
      const order = x < y ? -1 : x > y ? 1 : 0;
      return state.descending ? -order : order;
    });
    table.replaceChildren(
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...COLUMNS.map((column) =>
            h(
              'th',
              {
                scope: 'col',
                ...(state.sort === column.key
                  ? { 'aria-sort': state.descending ? 'descending' : 'ascending' }
                  : {}),
              },
              h(
                'button',
                {
                  type: 'button',
                  'data-sort': column.key,
                  onclick: () => {
                    state.descending = state.sort === column.key ? !state.descending : true;
                    state.sort = column.key;
                    draw();
                  },
                },
                t(column.label),
              ),
            ),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        ...rows.map((group) =>
          h(
            'tr',
            { 'data-group': group.group },
            ...COLUMNS.map((column) =>
              h(column.key === 'group' ? 'th' : 'td', { 'data-column': column.key }, cell(group, column)),
            ),
          ),
        ),
      ),
    );
  }
  draw();

  root.replaceChildren(
    h('h1', {}, t('roiTitle')),
    h(
      'p',
      { class: 'filters' },
      h(
        'a',
        { href: '#/roi/source', ...(state.groupBy === 'source' ? { 'aria-current': 'page' } : {}) },
        t('bySource'),
      ),
      ' · ',
      h(
        'a',
        { href: '#/roi/campaign', ...(state.groupBy === 'campaign' ? { 'aria-current': 'page' } : {}) },
        t('byCampaign'),
      ),
    ),
    h('div', { class: 'table-scroll' }, table),
    h(
      'section',
      { 'aria-labelledby': 'weeks-title' },
      h('h2', { id: 'weeks-title' }, t('spendVsRevenue')),
      pairedChart(
        roi.weeks.map((w) => ({
          label: f.day(w.from),
          a: Number(w.spend),
          b: Number(w.revenue),
          aText: f.money(w.spend, roi.currency),
          bText: f.money(w.revenue, roi.currency),
        })),
        { a: t('spend'), b: t('revenue') },
        { name: t('spendVsRevenue'), rtl: ctx.rtl },
      ),
    ),
  );
}
