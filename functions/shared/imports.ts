import * as z from './zod.ts';

/**
 * A spreadsheet of leads, imported: its record (what was asked, how many rows, which were refused and why) and
 * the counts the pipeline adds as each row is stored. Every row travels the intake queue like a webhook lead.
 */

/**
 * The largest file: Lambda takes at most 6 MB per request, and a file that is not text arrives base64-encoded
 * (4/3 larger). 4 MiB is about 20,000 rows of a Meta export.
 */
export const IMPORT_MAX_BYTES = 4 * 1024 * 1024;
/** Rows per file: each is a queue message, sent within API Gateway's 30 seconds. */
export const IMPORT_MAX_ROWS = 20_000;
/** Columns per file; a wider sheet is not a lead list. */
export const IMPORT_MAX_COLUMNS = 200;
/** Refused rows listed on the import's record (an item holds at most 400 KB); the count is kept whole. */
export const REFUSALS_KEPT = 200;
/** How long an import's record and row receipts are kept. */
export const IMPORT_KEPT_SECONDS = 90 * 24 * 3600;

/** The spreadsheets people have: Meta's lead download, Google Ads' lead download, anything with a header row. */
export const ImportFormat = z.enum(['meta', 'google', 'generic']);
export type ImportFormat = z.infer<typeof ImportFormat>;

/** Why a row is refused: nobody to contact, or a platform's file row without the platform's lead id. */
export const RefusalCode = z.enum(['no-contact', 'no-lead-id']);
export type RefusalCode = z.infer<typeof RefusalCode>;

/** A row the import did not take, by its row number in the spreadsheet (the header is row 1). */
export const ImportRefusal = z.object({
  row: z.number().check(z.int(), z.gte(2)),
  code: RefusalCode,
  reason: z.string(),
});
export type ImportRefusal = z.infer<typeof ImportRefusal>;

/** What the pipeline did with a row: a new lead, or one it already had (same platform id or same person). */
export const ImportOutcome = z.enum(['created', 'merged']);
export type ImportOutcome = z.infer<typeof ImportOutcome>;

/** The name an import is known by (`expo-riyadh-2026`): its leads' form, one line, no markup. */
export const ImportSourceName = z
  .string()
  .check(
    z.trim(),
    z.minLength(1),
    z.maxLength(64),
    z.regex(
      /^[\p{L}\p{N}][\p{L}\p{N}._-]*$/u,
      'letters, digits, ".", "_" and "-", starting with a letter or digit',
    ),
  );

export const ImportRecord = z.object({
  id: z.string(),
  source: z.string(),
  format: ImportFormat,
  route: z.boolean(),
  by: z.string(),
  createdAt: z.iso.datetime(),
  fileName: z.optional(z.string()),
  /** Data rows in the file. */
  rows: z.number().check(z.int(), z.gte(0)),
  /** Rows put on the intake queue. */
  queued: z.number().check(z.int(), z.gte(0)),
  /** Refused rows, the first REFUSALS_KEPT of them; `refusedCount` counts them all. */
  refused: z.array(ImportRefusal),
  refusedCount: z.number().check(z.int(), z.gte(0)),
  created: z._default(z.number().check(z.int(), z.gte(0)), 0),
  merged: z._default(z.number().check(z.int(), z.gte(0)), 0),
  /** Set when queueing stopped part-way: sending the same file again finishes it (rows already in are merged). */
  interrupted: z.optional(z.string()),
});
export type ImportRecord = z.infer<typeof ImportRecord>;

export type ImportStatus = 'importing' | 'done' | 'interrupted';

/** Done when every queued row has been stored, one way or the other. */
export function importStatus(record: ImportRecord): ImportStatus {
  if (record.interrupted !== undefined) return 'interrupted';
  return record.created + record.merged >= record.queued ? 'done' : 'importing';
}

/** The import as `GET /v1/imports/{id}` answers it. */
export function importView(record: ImportRecord) {
  return {
    id: record.id,
    status: importStatus(record),
    source: record.source,
    format: record.format,
    route: record.route,
    createdAt: record.createdAt,
    ...(record.fileName ? { fileName: record.fileName } : {}),
    rows: record.rows,
    created: record.created,
    merged: record.merged,
    pending: Math.max(0, record.queued - record.created - record.merged),
    refused: record.refused,
    refusedCount: record.refusedCount,
    ...(record.interrupted ? { interrupted: record.interrupted } : {}),
  };
}

/** The import as its API answers it (JSON). */
export type ImportView = ReturnType<typeof importView>;
