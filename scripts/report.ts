import { parseArgs } from 'node:util';
import { opsRequest } from './ops-client.ts';

// npm run report -- [--from 2026-03-01] [--to 2026-03-31] [--by rep|source|campaign|segment|day]:
// speed-to-lead and the funnel, from the KPI aggregates of the running local pipeline.
// npm run report -- --roi [--by source|campaign]: spend, cost per lead and per deal, revenue and ROI.
type RoiGroup = {
  group: string;
  spend: string;
  leads: number;
  costPerLead: string | null;
  sqls: number;
  costPerSql: string | null;
  won: number;
  revenue: string;
  costPerWon: string | null;
  roiPercent: number | null;
  roas: number | null;
};
type ResponseGroup = {
  group: string;
  contacted: number;
  p50Minutes: number | null;
  p90Minutes: number | null;
  averageBusinessMinutes: number | null;
  slaMetPercent: number | null;
  bandsMinutes: Record<string, number>;
};
type FunnelGroup = {
  group: string;
  new: number;
  contacted: number;
  qualified: number;
  won: number;
  lost: number;
  wonPercent: number | null;
};

const show = (n: number | null) => (n === null ? '–' : String(n));
const show2 = (n: string | null) => n ?? '–';

try {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      by: { type: 'string' },
      roi: { type: 'boolean' },
    },
  });
  if (values.roi) {
    const roiQuery = new URLSearchParams({
      groupBy: values.by ?? 'source',
      ...(values.from ? { from: values.from } : {}),
      ...(values.to ? { to: values.to } : {}),
    });
    const roi = (await opsRequest('GET', `/v1/kpi/roi?${roiQuery}`)) as {
      from: string;
      to: string;
      currency: string;
      groups: RoiGroup[];
    };
    console.log(`Return on spend, ${roi.from} to ${roi.to}, in ${roi.currency}\n`);
    const header = [
      'group',
      'spend',
      'leads',
      'per lead',
      'SQLs',
      'per SQL',
      'won',
      'revenue',
      'per won',
      'ROI %',
      'ROAS',
    ];
    console.log(header.join('\t'));
    for (const g of roi.groups)
      console.log(
        [
          g.group,
          g.spend,
          g.leads,
          show2(g.costPerLead),
          g.sqls,
          show2(g.costPerSql),
          g.won,
          g.revenue,
          show2(g.costPerWon),
          show(g.roiPercent),
          show(g.roas),
        ].join('\t'),
      );
    process.exit(0);
  }
  const query = new URLSearchParams({
    groupBy: values.by ?? 'all',
    ...(values.from ? { from: values.from } : {}),
    ...(values.to ? { to: values.to } : {}),
  });
  const rt = (await opsRequest('GET', `/v1/kpi/response-time?${query}`)) as {
    from: string;
    to: string;
    slaMinutes: number;
    groups: ResponseGroup[];
  };
  const funnel = (await opsRequest('GET', `/v1/kpi/funnel?${query}`)) as { groups: FunnelGroup[] };
  console.log(`Speed to lead, ${rt.from} to ${rt.to} (SLA ${rt.slaMinutes} business minutes)\n`);
  console.log(
    [
      'group'.padEnd(20),
      'contacted',
      'p50 min',
      'p90 min',
      'avg business min',
      'SLA met %',
      '0-5/5-15/15-60/60-240/240-1440/>1440',
    ].join('  '),
  );
  for (const g of rt.groups) {
    console.log(
      [
        g.group.padEnd(20),
        String(g.contacted).padStart(9),
        show(g.p50Minutes).padStart(7),
        show(g.p90Minutes).padStart(7),
        show(g.averageBusinessMinutes).padStart(16),
        show(g.slaMetPercent).padStart(9),
        Object.values(g.bandsMinutes).join('/'),
      ].join('  '),
    );
  }
  console.log('\nFunnel\n');
  console.log(['group'.padEnd(20), 'new', 'contacted', 'qualified', 'won', 'lost', 'won %'].join('  '));
  for (const g of funnel.groups) {
    console.log(
      [
        g.group.padEnd(20),
        String(g.new).padStart(3),
        String(g.contacted).padStart(9),
        String(g.qualified).padStart(9),
        String(g.won).padStart(3),
        String(g.lost).padStart(4),
        show(g.wonPercent).padStart(5),
      ].join('  '),
    );
  }
} catch (error) {
  console.error(`report: ${(error as Error).message}`);
  process.exit(1);
}
