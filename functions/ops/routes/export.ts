import { UTF8_BOM } from '../../shared/csv.ts';
import { HttpError } from '../../shared/errors.ts';
import type { HttpResponse } from '../../shared/http.ts';
import { LeadListQuery, listKeys, listRange } from '../../shared/lead-list.ts';
import { parseQuery } from '../core.ts';
import type { OpsDeps, OpsRoutes } from '../deps.ts';
import { exportHeader, exportRow } from '../export.ts';

/**
 * What one response holds at most: API Gateway and Lambda answer at most 6 MB, so a larger export comes in
 * parts, each naming the next (`Link: <…&cursor=…>; rel="next"`), which `npm run export` follows.
 */
export const EXPORT_PART_BYTES = 4 * 1024 * 1024;

/** The list as a spreadsheet: the list's filters and range, a rep's own leads only. */
export function exportRoutes(
  deps: Pick<OpsDeps, 'lister' | 'reps' | 'logger' | 'exportPartBytes'>,
): OpsRoutes<'GET /v1/leads/export.csv'> {
  return {
    'GET /v1/leads/export.csv': async ({ event, now, viewer }): Promise<HttpResponse> => {
      const query = parseQuery(LeadListQuery, event.queryStringParameters);
      if (query.q !== undefined)
        throw new HttpError(400, 'validation_failed', 'An export takes the list filters, not a search.', [
          { path: 'q', message: 'export the list (status, source, owner, range…) instead' },
        ]);
      const scoped = viewer.role === 'rep' ? { ...query, ownerId: viewer.repId } : query;
      const range = listRange(query, now);
      const { reps } = await deps.reps.roster();
      const names = new Map(reps.map((r) => [r.id, r.name]));
      const parts = [UTF8_BOM, exportHeader()];
      let bytes = Buffer.byteLength(parts.join(''));
      const limit = deps.exportPartBytes ?? EXPORT_PART_BYTES;
      let cursor = query.cursor;
      let rows = 0;
      let full = false;
      while (!full) {
        const page = await deps.lister.page({ ...scoped, limit: 100, ...(cursor ? { cursor } : {}) }, range);
        for (const [i, lead] of page.leads.entries()) {
          const row = exportRow(lead, names);
          parts.push(row);
          bytes += Buffer.byteLength(row);
          rows++;
          // Full: the next part starts right after this lead (the list's cursor is its place in the list).
          if (bytes >= limit && (i < page.leads.length - 1 || page.next !== undefined)) {
            cursor = listKeys(lead).listSk;
            full = true;
            break;
          }
        }
        if (!full) cursor = page.next;
        if (cursor === undefined) break;
      }
      const next = cursor
        ? new URLSearchParams({ ...(event.queryStringParameters ?? {}), cursor }).toString()
        : undefined;
      deps.logger.info('leads exported', { rows, bytes, more: next !== undefined });
      return {
        statusCode: 200,
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="leads-${range.from}-${range.to}.csv"`,
          'cache-control': 'no-store',
          ...(next
            ? { link: `<${event.rawPath}?${next}>; rel="next"`, 'x-leadpipe-next-cursor': cursor ?? '' }
            : {}),
        },
        body: parts.join(''),
      };
    },
  };
}
