import { svg } from './dom.ts';

/** The sources' colours, chosen for contrast on white and apart for colour-blind viewers. */
const PALETTE = ['#1f5fa8', '#c2410c', '#15803d', '#7c3aed', '#a16207', '#be185d'];

/**
 * A bar chart as SVG, one bar per label. In a right-to-left page the first bar stands at the right, as the
 * reader's eye starts there. Each bar carries its figure as a <title> and the chart an accessible name.
 */
export function barChart(
  bars: { label: string; value: number; text: string }[],
  options: { name: string; rtl: boolean },
): SVGElement {
  const width = 560;
  const height = 220;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const slot = width / Math.max(1, bars.length);
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': options.name,
    class: 'chart',
  });
  bars.forEach((bar, i) => {
    const x = options.rtl ? width - (i + 1) * slot : i * slot;
    const barHeight = Math.round(((height - 50) * bar.value) / max);
    chart.append(
      svg(
        'rect',
        {
          x: x + slot * 0.15,
          y: height - 30 - barHeight,
          width: slot * 0.7,
          height: Math.max(barHeight, 1),
          fill: PALETTE[0],
          'data-value': bar.value,
        },
        svg('title', {}, `${bar.label}: ${bar.text}`),
      ),
      svg(
        'text',
        { x: x + slot / 2, y: height - 36 - barHeight, 'text-anchor': 'middle', class: 'value' },
        bar.text,
      ),
      svg('text', { x: x + slot / 2, y: height - 10, 'text-anchor': 'middle', class: 'label' }, bar.label),
    );
  });
  return chart;
}

/** Stacked bars per day, one colour per series (source), with a legend. */
export function stackedChart(
  days: { label: string; values: Record<string, number> }[],
  series: string[],
  options: { name: string; rtl: boolean; format: (n: number) => string },
): SVGElement {
  const width = 560;
  const height = 240;
  const legend = 24;
  const max = Math.max(1, ...days.map((d) => Object.values(d.values).reduce((a, b) => a + b, 0)));
  const slot = width / Math.max(1, days.length);
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height + legend}`,
    role: 'img',
    'aria-label': options.name,
    class: 'chart',
  });
  days.forEach((day, i) => {
    const x = options.rtl ? width - (i + 1) * slot : i * slot;
    let y = height - 30;
    for (const [s, name] of series.entries()) {
      const value = day.values[name] ?? 0;
      if (value === 0) continue;
      const h = Math.round(((height - 50) * value) / max);
      y -= h;
      chart.append(
        svg(
          'rect',
          { x: x + slot * 0.15, y, width: slot * 0.7, height: h, fill: PALETTE[s % PALETTE.length] },
          svg('title', {}, `${day.label} · ${name}: ${options.format(value)}`),
        ),
      );
    }
    if (days.length <= 16 || i % Math.ceil(days.length / 12) === 0)
      chart.append(
        svg('text', { x: x + slot / 2, y: height - 10, 'text-anchor': 'middle', class: 'label' }, day.label),
      );
  });
  series.forEach((name, s) => {
    const x = options.rtl ? width - 16 - s * 120 : s * 120;
    chart.append(
      svg('rect', { x, y: height + 6, width: 12, height: 12, fill: PALETTE[s % PALETTE.length] }),
      svg(
        'text',
        { x: options.rtl ? x - 6 : x + 18, y: height + 17, class: 'label', 'text-anchor': 'start' },
        name,
      ),
    );
  });
  return chart;
}

/**
 * Two bars per period side by side (spend and revenue), each series its own colour, with a legend: money in
 * against money out, week by week. Right to left, the first period stands at the right.
 */
export function pairedChart(
  periods: { label: string; a: number; b: number; aText: string; bText: string }[],
  names: { a: string; b: string },
  options: { name: string; rtl: boolean },
): SVGElement {
  const width = 560;
  const height = 240;
  const legend = 24;
  const max = Math.max(1, ...periods.flatMap((p) => [p.a, p.b]));
  const slot = width / Math.max(1, periods.length);
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': options.name,
    class: 'chart',
  });
  const scale = (v: number) => Math.round(((height - legend - 50) * v) / max);
  periods.forEach((p, i) => {
    const x = options.rtl ? width - (i + 1) * slot : i * slot;
    const bar = (value: number, text: string, series: 0 | 1, label: string) =>
      svg(
        'rect',
        {
          x: x + slot * (series === 0 ? 0.1 : 0.5),
          y: height - 30 - scale(value),
          width: slot * 0.4,
          height: Math.max(scale(value), 1),
          fill: PALETTE[series === 0 ? 1 : 2],
          'data-series': series === 0 ? 'a' : 'b',
          'data-value': value,
        },
        svg('title', {}, `${p.label} · ${label}: ${text}`),
      );
    chart.append(
      bar(p.a, p.aText, 0, names.a),
      bar(p.b, p.bText, 1, names.b),
      svg('text', { x: x + slot / 2, y: height - 10, 'text-anchor': 'middle', class: 'label' }, p.label),
    );
  });
  [names.a, names.b].forEach((name, i) => {
    const x = options.rtl ? width - 16 - i * 150 : 10 + i * 150;
    chart.append(
      svg('rect', { x, y: 4, width: 12, height: 12, fill: PALETTE[i === 0 ? 1 : 2] }),
      // `start` follows the text's direction: in a right-to-left page it ends at x, left of the swatch.
      svg('text', { x: options.rtl ? x - 6 : x + 18, y: 14, 'text-anchor': 'start', class: 'label' }, name),
    );
  });
  return chart;
}
