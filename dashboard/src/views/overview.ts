import { api, Forecast, Funnel, type FunnelGroup, query, ResponseTimes, Roi } from '../api.ts';
import { barChart, stackedChart } from '../charts.ts';
import { type Ctx, duration } from '../context.ts';
import { h } from '../dom.ts';
import { reasonLabel } from '../i18n.ts';

const BAND_ORDER = ['0-5', '5-15', '15-60', '60-240', '240-1440', '>1440'];

function defaultRange(): { from: string; to: string } {
  const to = new Date();
  const from = new Date(to.getTime() - 29 * 86_400_000);
  return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
}

function card(label: string, value: string, id: string): HTMLElement {
  return h(
    'div',
    { class: 'card', 'data-figure': id },
    h('div', { class: 'card-label' }, label),
    h('div', { class: 'card-value' }, value),
  );
}

function funnelTable(ctx: Ctx, caption: string, groups: FunnelGroup[]): HTMLElement {
  const { t, f } = ctx;
  const pct = (n: number | null) => (n === null ? '—' : f.percent(n));
  return h(
    'table',
    { class: 'grid' },
    h('caption', {}, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...[
          t('group'),
          t('new'),
          t('contacted'),
          t('qualified'),
          t('won'),
          t('lost'),
          t('disqualified'),
          t('conversion'),
        ].map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h(
      'tbody',
      {},
      ...groups.map((g) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, g.group),
          h('td', {}, f.integer(g.new)),
          h('td', {}, `${f.integer(g.contacted)} (${pct(g.contactedPercent)})`),
          h('td', {}, `${f.integer(g.qualified)} (${pct(g.qualifiedPercent)})`),
          h('td', {}, f.integer(g.won)),
          h('td', {}, f.integer(g.lost)),
          // The reasons, largest first, in the cell's title: which campaigns bring junk, and why.
          h(
            'td',
            {
              title: Object.entries(g.disqualifiedReasons)
                .sort(([, a], [, b]) => b - a)
                .map(([reason, n]) => `${reasonLabel(t, reason)}: ${f.integer(n)}`)
                .join(', '),
            },
            f.integer(g.disqualified),
          ),
          h('td', {}, pct(g.wonPercent)),
        ),
      ),
    ),
  );
}

/** Speed to lead and the funnel for a date range: the first thing a manager opens. */
export async function overview(ctx: Ctx, root: HTMLElement, range = defaultRange()): Promise<void> {
  const { t, f } = ctx;
  const range$ = { ...range };
  const form = h(
    'form',
    {
      class: 'filters',
      onsubmit: (event: Event) => {
        event.preventDefault();
        void overview(ctx, root, range$);
      },
    },
    h(
      'label',
      {},
      t('from'),
      h('input', {
        type: 'date',
        name: 'from',
        value: range.from,
        oninput: (e: Event) => (range$.from = (e.target as HTMLInputElement).value),
      }),
    ),
    h(
      'label',
      {},
      t('to'),
      h('input', {
        type: 'date',
        name: 'to',
        value: range.to,
        oninput: (e: Event) => (range$.to = (e.target as HTMLInputElement).value),
      }),
    ),
    h('button', { type: 'submit' }, t('apply')),
  );
  const [rt, bySource, byCampaign, roi, forecast] = await Promise.all([
    api(ResponseTimes, `/kpi/response-time${query({ ...range, groupBy: 'all' })}`),
    api(Funnel, `/kpi/funnel${query({ ...range, groupBy: 'source', daily: 'true' })}`),
    api(Funnel, `/kpi/funnel${query({ ...range, groupBy: 'campaign' })}`),
    // Revenue is a manager's figure: a rep's page goes without it.
    api(Roi, `/kpi/roi${query({ ...range, groupBy: 'source' })}`).catch(() => undefined),
    api(Forecast, '/kpi/forecast').catch(() => undefined),
  ]);
  const revenue = roi ? sumDecimals(roi.groups.map((g) => g.revenue)) : undefined;
  const weighted = forecast ? sumDecimals(forecast.groups.map((g) => g.weightedValue)) : undefined;
  const all = rt.groups[0];
  const cards = h(
    'div',
    { class: 'cards' },
    card(t('contacted'), f.integer(all?.contacted ?? 0), 'contacted'),
    card(t('firstContactP50'), duration(ctx, all?.p50Minutes ?? null), 'p50'),
    card(t('firstContactP90'), duration(ctx, all?.p90Minutes ?? null), 'p90'),
    card(t('slaMet'), all?.slaMetPercent == null ? '—' : f.percent(all.slaMetPercent), 'sla-met'),
    ...(roi && revenue !== undefined
      ? [card(t('wonRevenue'), f.money(revenue, roi.currency), 'revenue')]
      : []),
    ...(forecast && weighted !== undefined
      ? [card(t('forecastWeighted'), f.money(weighted, forecast.currency), 'forecast')]
      : []),
  );
  const bands = BAND_ORDER.map((band) => {
    const value = all?.bandsMinutes[band] ?? 0;
    const [low, high] = band.startsWith('>') ? [band.slice(1), ''] : band.split('-');
    const label = high
      ? `${f.integer(Number(low))}–${f.integer(Number(high))}`
      : `>${f.integer(Number(low))}`;
    return { label, value, text: f.integer(value) };
  });
  const sources = bySource.groups.map((g) => g.group);
  // Every day of the range, with nothing on the quiet ones: one busy day must not fill the whole width.
  const counted = new Map((bySource.days ?? []).map((d) => [d.day, d.groups]));
  const days = everyDay(bySource.from, bySource.to).map((day) => ({
    label: f.day(day),
    values: Object.fromEntries((counted.get(day) ?? []).map((g) => [g.group, g.new])),
  }));
  root.replaceChildren(
    h('h1', {}, t('overview')),
    form,
    cards,
    h(
      'section',
      { 'aria-labelledby': 'bands-title' },
      h('h2', { id: 'bands-title' }, `${t('responseBands')} (${t('minutes')})`),
      all ? barChart(bands, { name: t('responseBands'), rtl: ctx.rtl }) : h('p', {}, t('noData')),
    ),
    h(
      'section',
      { 'aria-labelledby': 'daily-title' },
      h('h2', { id: 'daily-title' }, t('leadsPerDay')),
      days.some((d) => Object.keys(d.values).length > 0)
        ? stackedChart(days, sources, { name: t('leadsPerDay'), rtl: ctx.rtl, format: f.integer })
        : h('p', {}, t('noData')),
    ),
    h(
      'section',
      { 'aria-labelledby': 'funnel-title' },
      h('h2', { id: 'funnel-title' }, t('funnel')),
      funnelTable(ctx, t('bySource'), bySource.groups),
      funnelTable(ctx, t('byCampaign'), byCampaign.groups),
    ),
  );
}

/** Each calendar day from `from` to `to` (ISO dates), in order. */
export function everyDay(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** Exact decimal strings added without floats (the report's figures share the reporting currency's digits). */
function sumDecimals(amounts: string[]): string {
  const digits = Math.max(0, ...amounts.map((a) => a.split('.')[1]?.length ?? 0));
  const total = amounts.reduce((sum, a) => {
    const [whole = '0', fraction = ''] = a.replace('-', '').split('.');
    const minor = BigInt(whole) * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, '0') || '0');
    return sum + (a.startsWith('-') ? -minor : minor);
  }, 0n);
  const sign = total < 0n ? '-' : '';
  const abs = (total < 0n ? -total : total).toString().padStart(digits + 1, '0');
  return digits === 0 ? `${sign}${abs}` : `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
}
