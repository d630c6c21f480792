import type { Config } from '../../shared/config.ts';
import { HttpError } from '../../shared/errors.ts';
import { ImportFormat, type ImportRefusal, ImportSourceName } from '../../shared/imports.ts';
import { type IntakeMessage, Locale } from '../../shared/lead.ts';
import type { SourceDefaults } from '../../shared/meta-intake.ts';
import { ownValue } from '../../shared/records.ts';
import * as z from '../../shared/zod.ts';
import { columnKey, detectFormat, mapColumns } from './columns.ts';
import { decodeFile, FileEncoding } from './decode.ts';
import { mappedRow, metaRow, type RowContext } from './rows.ts';
import { readSheet } from './sheet.ts';

/** `POST /v1/imports?source=…`: what the file is called and how its leads are treated. */
export const ImportQuery = z.strictObject({
  source: ImportSourceName,
  /** Recognised from the header when absent. */
  format: z.optional(ImportFormat),
  /** `false` keeps the leads unassigned (a manager assigns them by hand). */
  route: z.pipe(
    z._default(z.enum(['true', 'false']), 'true'),
    z.transform((v) => v === 'true'),
  ),
  encoding: z.optional(FileEncoding),
  /** The leads' language and phone country when the source's settings do not say. */
  locale: z.optional(Locale),
  country: z.optional(z.string().check(z.regex(/^[A-Z]{2}$/, 'a two-letter country code such as SA'))),
  fileName: z.optional(z.string().check(z.trim(), z.maxLength(200))),
});
export type ImportQuery = z.infer<typeof ImportQuery>;

export type ImportPlan = {
  format: ImportFormat;
  rows: number;
  messages: IntakeMessage[];
  refused: ImportRefusal[];
};

/** A Meta file takes Meta's settings, a Google file Google's, a list the form named like the import, if any. */
function defaultsFor(format: ImportFormat, query: ImportQuery, config: Config): SourceDefaults {
  const configured =
    format === 'meta'
      ? config.sources.facebook
      : format === 'google'
        ? config.sources.google
        : ownValue(config.sources.forms, query.source);
  const base: SourceDefaults = configured ?? ownValue(config.sources.forms, query.source) ?? { locale: 'en' };
  const defaultCountry = query.country ?? base.defaultCountry;
  return { locale: query.locale ?? base.locale, ...(defaultCountry ? { defaultCountry } : {}) };
}

const CONTACT_COLUMNS =
  'email (email, e-mail, البريد الإلكتروني, ایمیل…) or phone (phone, mobile, الجوال, رقم الهاتف, موبایل, تلفن…)';

/**
 * The whole file read, checked and turned into intake messages before anything is written: a file that cannot
 * be read is refused whole (4xx), and a row that cannot be a lead is listed with its reason.
 */
export function planImport(
  bytes: Uint8Array,
  query: ImportQuery,
  context: { importId: string; receivedAt: string; config: Config },
): ImportPlan {
  const { text } = decodeFile(bytes, query.encoding);
  const sheet = readSheet(text);
  const format = query.format ?? detectFormat(sheet.header);
  const ctx: RowContext = {
    importId: context.importId,
    source: query.source,
    route: query.route,
    receivedAt: context.receivedAt,
    defaults: defaultsFor(format, query, context.config),
  };
  const targets = mapColumns(sheet.header);
  if (format === 'meta') {
    if (!sheet.header.some((h) => h.trim().toLowerCase() === 'id'))
      throw new HttpError(
        422,
        'not_a_meta_file',
        'A Meta lead download has an "id" column; this file has none.',
      );
  } else {
    if (!targets.some((t) => t !== undefined && 'contact' in t && ['email', 'phone'].includes(t.contact)))
      throw new HttpError(
        422,
        'no_contact_column',
        `No column holds an email or a phone number, so no row could be reached. Name a column ${CONTACT_COLUMNS}. Columns found: ${sheet.header
          .slice(0, 20)
          .map((h) => `"${h}"`)
          .join(', ')}.`,
      );
    if (format === 'google' && !sheet.header.some((h) => columnKey(h) === columnKey('lead id')))
      throw new HttpError(
        422,
        'not_a_google_file',
        'A Google Ads lead download has a lead id column; this file has none.',
      );
  }
  const messages: IntakeMessage[] = [];
  const refused: ImportRefusal[] = [];
  for (const { row, cells } of sheet.rows) {
    const result =
      format === 'meta'
        ? metaRow(sheet.header, cells, row, ctx)
        : mappedRow(format, sheet.header, targets, cells, row, ctx);
    if ('message' in result) messages.push(result.message);
    else refused.push({ row, ...result.refusal });
  }
  return { format, rows: sheet.rows.length, messages, refused };
}
