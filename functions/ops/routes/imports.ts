import { HttpError } from '../../shared/errors.ts';
import { jsonResponse } from '../../shared/http.ts';
import { IMPORT_MAX_BYTES, type ImportRecord, importView, REFUSALS_KEPT } from '../../shared/imports.ts';
import { parseQuery, requireManager } from '../core.ts';
import type { OpsDeps, OpsRoutes } from '../deps.ts';
import { ImportQuery, planImport } from '../imports/plan.ts';

/** Content types a spreadsheet arrives as: the bytes themselves (browsers call a .csv many names). */
const SPREADSHEET_TYPES =
  /^(text\/(csv|tab-separated-values|plain)|application\/(octet-stream|csv|vnd\.ms-excel))\s*(;|$)/i;

/**
 * Spreadsheets of leads in: the whole file is read and checked before anything is written, then each row goes
 * on the intake queue, as a webhook lead does; the pipeline counts each stored row on the import's record.
 */
export function importRoutes(
  deps: Pick<OpsDeps, 'config' | 'imports' | 'intakeQueue' | 'newId' | 'logger'>,
): OpsRoutes<'POST /v1/imports' | 'GET /v1/imports/{importId}'> {
  const { logger } = deps;
  return {
    'POST /v1/imports': async ({ event, now, viewer }) => {
      requireManager(viewer, 'import leads');
      const query = parseQuery(ImportQuery, event.queryStringParameters);
      const type = event.headers['content-type'] ?? '';
      if (!SPREADSHEET_TYPES.test(type))
        throw new HttpError(
          415,
          'unsupported_media_type',
          `Send the file itself as the body (Content-Type: text/csv, or application/octet-stream for any encoding), not ${type ? `"${type.slice(0, 100)}"` : 'without a Content-Type'}.`,
        );
      const body =
        event.body === undefined
          ? Buffer.alloc(0)
          : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
      if (body.byteLength > IMPORT_MAX_BYTES)
        throw new HttpError(
          413,
          'file_too_large',
          `The file is ${(body.byteLength / 1_048_576).toFixed(1)} MB; one import takes at most ${IMPORT_MAX_BYTES / 1_048_576} MB (about 20,000 rows). Split it into several files.`,
        );
      const id = deps.newId();
      const plan = planImport(body, query, {
        importId: id,
        receivedAt: now.toISOString(),
        config: deps.config,
      });
      const record: ImportRecord = {
        id,
        source: query.source,
        format: plan.format,
        route: query.route,
        by: viewer.role === 'manager' ? viewer.name : viewer.repId,
        createdAt: now.toISOString(),
        ...(query.fileName ? { fileName: query.fileName } : {}),
        rows: plan.rows,
        queued: plan.messages.length,
        refused: plan.refused.slice(0, REFUSALS_KEPT),
        refusedCount: plan.refused.length,
        created: 0,
        merged: 0,
      };
      await deps.imports.create(record);
      try {
        await deps.intakeQueue.sendAll(plan.messages);
      } catch (error) {
        // Some rows may be queued: they are imported. The same file sent again imports the rest, and finds the
        // queued ones already there (each row's lead id comes from the row), so nothing is imported twice.
        logger.error('import interrupted while queueing', { importId: id, error: error as Error });
        await deps.imports.markInterrupted(
          id,
          'queueing stopped part-way; send the same file again to finish',
        );
        throw new HttpError(
          503,
          'import_interrupted',
          'The rows could not all be queued. Send the same file again: rows already in are recognised and not imported twice.',
          undefined,
          { 'retry-after': '30' },
        );
      }
      // Counts and codes only: rows are personal data.
      logger.info('import accepted', {
        importId: id,
        format: plan.format,
        rows: plan.rows,
        queued: plan.messages.length,
        refused: plan.refused.length,
      });
      return jsonResponse(
        202,
        { id, status: 'importing', format: plan.format, rows: plan.rows, refusedCount: plan.refused.length },
        { location: `/v1/imports/${id}` },
      );
    },
    'GET /v1/imports/{importId}': async ({ event, viewer }) => {
      requireManager(viewer, 'see imports');
      const id = event.pathParameters?.importId ?? '';
      const record = await deps.imports.get(id);
      if (record === undefined) throw new HttpError(404, 'unknown_import', `There is no import "${id}".`);
      return jsonResponse(200, importView(record));
    },
  };
}
