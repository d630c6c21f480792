import { csvRow, UTF8_BOM } from '../functions/shared/csv.ts';
import type { Pipeline } from '../local/pipeline.ts';

type View = { status: string; created: number; merged: number; pending: number };

/** A list of `rows` new people (Arabic column names, the way a trade-show list comes back from Excel). */
function spreadsheet(rows: number): string {
  const lines = [csvRow(['الاسم', 'البريد الإلكتروني', 'رقم الجوال', 'المدينة', 'ملاحظات'])];
  for (let i = 0; i < rows; i++)
    lines.push(
      csvRow([
        `ضيف المعرض ${i}`,
        `import.bench.${i}@example.com`,
        `05${String(70_000_000 + i).padStart(8, '0')}`,
        i % 2 === 0 ? 'الرياض' : 'جدة',
        i % 5 === 0 ? 'يريد عرض سعر للباقة الكاملة' : '',
      ]),
    );
  return UTF8_BOM + lines.join('');
}

/**
 * A spreadsheet import through the running pipeline: the POST (whole file read, checked and queued), then the
 * time until scoring has stored and counted every row; then the same file again (every row merged). Rows stay
 * unassigned (`route=false`), so the figures are the import's own: a routed row then costs what any lead's
 * routing costs (the per-lead table).
 */
export async function measureImport(pipeline: Pipeline, rows: number, settle: () => Promise<void>) {
  const body = spreadsheet(rows);
  const runs = [];
  for (const pass of ['new rows', 'the same file again (all merged)']) {
    await settle();
    pipeline.requests.reset();
    const started = performance.now();
    const response = await fetch(`${pipeline.url}/v1/imports?source=bench-import&route=false`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv; charset=utf-8' },
      body,
    });
    const postMs = performance.now() - started;
    if (response.status !== 202) throw new Error(`import: HTTP ${response.status} ${await response.text()}`);
    const { id } = (await response.json()) as { id: string };
    let view: View | undefined;
    for (;;) {
      view = (await (await fetch(`${pipeline.url}/v1/imports/${id}`)).json()) as View;
      if (view.status !== 'importing') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - started) / 1000;
    await pipeline.requests.settled();
    const requests = pipeline.requests.snapshot().filter((r) => r.role !== 'sweeper');
    runs.push({
      pass,
      rows,
      created: view.created,
      merged: view.merged,
      postMs: Math.round(postMs),
      seconds: round(seconds),
      rowsPerSecond: round(rows / seconds),
      requestsPerRow: requests.map((r) => ({
        role: r.role,
        service: r.service,
        operation: r.operation,
        perRow: round(r.count / rows),
      })),
      writeUnitsPerRow: round(requests.reduce((n, r) => n + (r.writeUnits ?? 0), 0) / rows),
    });
  }
  return { bytes: Buffer.byteLength(body), runs };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

export function importMarkdown(result: Awaited<ReturnType<typeof measureImport>>): string[] {
  return [
    `## Importing a spreadsheet (${result.runs[0]?.rows ?? 0} rows, ${Math.round(result.bytes / 1024)} KiB, Arabic columns, route=false)`,
    '',
    '`POST /v1/imports` reads, checks and queues the whole file before it answers; scoring then stores each row as a webhook lead (normalise, de-duplicate, score, search entries) and counts it once on the import. "Until done" is from the POST to the import reporting every row stored. Requests are every AWS request of the pipeline in that time (the follow-up GETs of the import included; the sweep left out).',
    '',
    '| pass | POST (ms) | until done (s) | rows/s | created / merged | AWS requests per row | write units per row |',
    '|---|---|---|---|---|---|---|',
    ...result.runs.map(
      (r) =>
        `| ${r.pass} | ${r.postMs} | ${r.seconds} | ${r.rowsPerSecond} | ${r.created} / ${r.merged} | ${r.requestsPerRow
          .filter((q) => q.perRow >= 0.01)
          .map((q) => `${q.role === 'function' ? '' : `${q.role} `}${q.service} ${q.operation} ${q.perRow}`)
          .join(', ')} | ${r.writeUnitsPerRow} |`,
    ),
    '',
  ];
}
