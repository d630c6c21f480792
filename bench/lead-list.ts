import type { Pipeline } from '../local/pipeline.ts';
import { PRICES } from './prices.ts';

const PAGES = 20;

type Page = { leads: { id: string; ownerId?: string }[]; next?: string };

/**
 * What a page of the dashboard's lead list costs: `GET /v1/leads` through the running pipeline, after the
 * burst, so the day's index holds every lead of the run. Three kinds of page: the first page as the dashboard
 * opens it, one rep's leads (a third of them match), and a filter nothing matches, which reads every lead of
 * the range up to the page's budget: the most a page can cost.
 */
export async function measureListPages(pipeline: Pipeline) {
  const get = async (path: string) => {
    const response = await fetch(`${pipeline.url}${path}`);
    if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
    return (await response.json()) as Page;
  };
  const first = await get('/v1/leads?limit=50');
  const rep = first.leads.find((l) => l.ownerId)?.ownerId ?? 'nobody';
  // A person of the burst, as a rep would search for them: their email, their number as typed at home, their
  // first name's start (shared by a share of the burst: the costly kind of search).
  const someone = (await (
    await fetch(`${pipeline.url}/v1/leads/${encodeURIComponent(first.leads[0]?.id ?? '')}`)
  ).json()) as { lead?: { contact: { email?: string; name?: string }; phoneE164?: string } };
  const contact = someone.lead?.contact ?? {};
  const national = someone.lead?.phoneE164?.replace(/^\+(966|98|971)/, '0') ?? '0500000000';
  const namePrefix = (contact.name ?? 'xx').slice(0, 3);
  const search = (q: string) => `/v1/leads?q=${encodeURIComponent(q)}`;
  const kinds = [
    { kind: 'first page, 50 newest', path: '/v1/leads?limit=50' },
    { kind: "one rep's leads, 50", path: `/v1/leads?limit=50&ownerId=${encodeURIComponent(rep)}` },
    { kind: 'a filter nothing matches', path: '/v1/leads?limit=50&status=won' },
    { kind: 'search: an email', path: search(contact.email ?? 'nobody@example.com') },
    { kind: 'search: a national number', path: search(national) },
    { kind: `search: a name's first letters ("${namePrefix}")`, path: search(namePrefix) },
  ];
  const rows = [];
  for (const { kind, path } of kinds) {
    await get(path);
    pipeline.requests.reset();
    const wallMs: number[] = [];
    let shown = 0;
    for (let i = 0; i < PAGES; i++) {
      const started = performance.now();
      shown += (await get(path)).leads.length;
      wallMs.push(performance.now() - started);
    }
    // Only the list's own reads: the sweep and late timers run beside it and are not the page's.
    const reads = pipeline.requests
      .snapshot()
      .filter(
        (r) =>
          r.role === 'function' &&
          r.service === 'DynamoDB' &&
          (r.operation === 'Query' || r.operation === 'BatchGetItem'),
      );
    const readUnits = reads.reduce((n, r) => n + (r.readUnits ?? 0), 0) / PAGES;
    wallMs.sort((a, b) => a - b);
    const p50 = wallMs[Math.floor(PAGES / 2)] ?? 0;
    // The ops function's share, billed as if it ran for the whole request at 256 MB (an upper bound).
    const lambda = PRICES.lambdaPerMillionRequests + (p50 / 1000) * 0.25 * PRICES.lambdaPerGbSecond * 1e6;
    rows.push({
      kind,
      leadsShown: shown / PAGES,
      requestsPerPage: reads.map((r) => ({ operation: r.operation, perPage: round(r.count / PAGES) })),
      readUnitsPerPage: round(readUnits),
      dollarsPerMillionPages: round(
        readUnits * PRICES.dynamoPerMillionReadUnits + PRICES.httpApiPerMillionRequests + lambda,
      ),
      wallMsP50: round(p50),
    });
  }
  return rows;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

export function listPagesMarkdown(rows: Awaited<ReturnType<typeof measureListPages>>): string[] {
  return [
    `## A page of the dashboard's lead list, and a search (after the burst; ${PAGES} of each)`,
    '',
    'The list index holds keys only, so it costs one small index write per lead and nothing as leads change; a page reads its leads with BatchGetItem. A search reads its entries by key (one Query per email or number reading, one for a name) and then its candidates with BatchGetItem, never the table. Dollars count the read units, the HTTP API request and the ops function at 256 MB for the whole wall time (an upper bound).',
    '',
    '| page | leads shown | requests per page | read units per page | $ per million pages | wall p50 (ms) |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.kind} | ${r.leadsShown} | ${r.requestsPerPage.map((q) => `${q.operation} ${q.perPage}`).join(', ')} | ${r.readUnitsPerPage} | ${r.dollarsPerMillionPages} | ${r.wallMsP50} |`,
    ),
    '',
  ];
}
