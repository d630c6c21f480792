import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { googleIntakeMessage, parseGoogleWebhook } from '../../functions/ingest/sources/google.ts';
import { decodeFile } from '../../functions/ops/imports/decode.ts';
import { ImportQuery, planImport } from '../../functions/ops/imports/plan.ts';
import { isFormula, readSheet, sniffDelimiter } from '../../functions/ops/imports/sheet.ts';
import { csvRow, UTF8_BOM } from '../../functions/shared/csv.ts';
import { leadIdFor } from '../../functions/shared/ids.ts';
import { IMPORT_MAX_ROWS } from '../../functions/shared/imports.ts';
import type { IntakeMessage } from '../../functions/shared/lead.ts';
import { ANSWER_MAX_CHARS } from '../../functions/shared/limits.ts';
import { testConfig } from '../support/factories.ts';
import { rejection as refusedWith } from '../support/handlers.ts';

const config = testConfig();
const fixture = (name: string) => readFileSync(new URL(`../fixtures/imports/${name}`, import.meta.url));
const query = (q: Record<string, string> = {}) => ImportQuery.parse({ source: 'expo-2026', ...q });
const context = { importId: 'import-1', receivedAt: '2026-03-22T09:00:00.000Z', config };
const plan = (bytes: Uint8Array, q: Record<string, string> = {}) => planImport(bytes, query(q), context);
const utf8 = (text: string) => Buffer.from(text, 'utf8');

function message(messages: IntakeMessage[], index: number): IntakeMessage {
  const found = messages[index];
  if (found === undefined) throw new Error(`no message ${index}`);
  return found;
}

describe("Meta's lead download (UTF-16, tab-separated)", () => {
  const result = plan(fixture('meta-leads-download.tsv'));

  it('is recognised by its columns and read whole', () => {
    expect(result.format).toBe('meta');
    expect(result.rows).toBe(4);
    expect(result.refused).toEqual([]);
  });

  it('gives each row the lead id the webhook gives the same lead, so both are one lead', () => {
    const first = message(result.messages, 0);
    expect(first.leadId).toBe(leadIdFor('facebook', '233370042045345'));
    expect(first.source).toBe('facebook');
    expect(first.formId).toBe('172036835026334');
    expect(first.import).toEqual({ id: 'import-1', row: 2, route: true });
  });

  it("reads Meta's prefixed ids and p: phones back into the Graph API's lead", () => {
    const lead = message(result.messages, 0).meta?.lead;
    expect(lead).toMatchObject({
      id: '233370042045345',
      form_id: '172036835026334',
      ad_id: '23849853425890183',
      adset_id: '23849853425900183',
      campaign_id: '23849853425910183',
      campaign_name: 'RE-Tehran-Q1',
      is_organic: false,
      platform: 'ig',
    });
    expect(lead?.field_data).toContainEqual({ name: 'phone_number', values: ['+989121234567'] });
    expect(lead?.field_data).toContainEqual({ name: 'full_name', values: ['رضا احمدی'] });
    expect(lead?.field_data.map((f) => f.name)).not.toContain('lead_status');
  });

  it('keeps an emoji in a name and the Testing Tool lead as Meta wrote them', () => {
    expect(message(result.messages, 1).meta?.lead?.field_data).toContainEqual({
      name: 'full_name',
      values: ['نورة القحطاني 🌷'],
    });
    expect(message(result.messages, 2).meta?.lead?.field_data).toContainEqual({
      name: 'email',
      values: ['test@meta.com'],
    });
  });

  it("takes Meta's settings for language and phone country", () => {
    expect(message(result.messages, 0)).toMatchObject({ locale: 'en', defaultCountry: 'SA' });
  });
});

describe("Google Ads' lead download", () => {
  const result = plan(fixture('google-leads-download.csv'));

  it("gives a row the lead id Google's webhook gives the same lead", () => {
    const webhook = readFileSync(new URL('../fixtures/google/lead-arabic.json', import.meta.url), 'utf8');
    const fromWebhook = googleIntakeMessage(
      parseGoogleWebhook(webhook),
      { key: 'k', locale: 'en', testLeads: 'flag', forms: {} },
      '2026-03-19T16:00:01.000Z',
      webhook,
    );
    expect(result.format).toBe('google');
    expect(message(result.messages, 0).leadId).toBe(fromWebhook.leadId);
  });

  it('maps the standard questions, keeps the custom one with its label, and the ids as strings', () => {
    const first = message(result.messages, 0);
    expect(first.contact).toEqual({
      name: 'خالد العتيبي',
      email: 'khalid@company.sa',
      phone: '٠٥٥ ١٢٣ ٤٥٦٧',
      city: 'جدة',
    });
    expect(Object.values(first.answers)).toEqual(['الاستشارات']);
    expect(Object.values(first.answerLabels ?? {})).toEqual(['ما الخدمة التي تهمك؟']);
    expect(first.attribution).toMatchObject({
      campaignId: '18446744073',
      adsetId: '9007199254740993',
      platformFormId: '9223372036854775807',
      gclId: 'Cj0KCQjw-gclid-abc',
    });
    expect(first.submittedAt).toBe('2026-03-19T16:00:00.000Z');
    expect(first.formId).toBe('9223372036854775807');
    expect(message(result.messages, 1).answers).toMatchObject({
      ما_الخدمة_التي_تهمك: 'Audit, then advice',
    });
  });
});

describe('a list with a header row', () => {
  it('maps Arabic column names and refuses, by its spreadsheet row, a row nobody can contact', () => {
    const result = plan(fixture('expo-arabic.csv'));
    expect(result.format).toBe('generic');
    expect(result.rows).toBe(4);
    expect(result.messages.map((m) => m.import?.row)).toEqual([2, 3, 4]);
    expect(result.refused).toEqual([
      { row: 5, code: 'no-contact', reason: expect.stringMatching(/no email or phone/) },
    ]);
    const sara = message(result.messages, 0);
    expect(sara.source).toBe('import');
    expect(sara.formId).toBe('expo-2026');
    expect(sara.contact).toEqual({
      name: 'سارة الدوسري',
      email: 'sara.d@example.sa',
      phone: '٠٥٠٥١٢٣٤٥٦',
      city: 'الرياض',
      company: 'شركة الأفق',
      message: 'زارت الجناح يوم الثلاثاء\nتريد عرض سعر',
    });
    expect(Object.values(sara.answers)).toEqual(['250000']);
  });

  it('reads Persian names apart as first and family name, from a semicolon-separated file', () => {
    const result = plan(fixture('webinar-persian.csv'), { locale: 'fa', country: 'IR' });
    expect(result.messages).toHaveLength(2);
    expect(message(result.messages, 0)).toMatchObject({
      contact: { firstName: 'زهرا', lastName: 'رضایی', phone: '۰۹۱۲۳۴۵۶۷۸۹', city: 'تهران' },
      locale: 'fa',
      defaultCountry: 'IR',
    });
    expect(message(result.messages, 1).contact.firstName).toBe('علی‌رضا');
  });

  it('gives the same rows the same lead ids in every import, so importing a file again creates nothing', () => {
    const again = planImport(fixture('expo-arabic.csv'), query(), { ...context, importId: 'import-2' });
    expect(again.messages.map((m) => m.leadId)).toEqual(
      plan(fixture('expo-arabic.csv')).messages.map((m) => m.leadId),
    );
  });

  it('uses a list’s own id column for the lead id, so an edited row is still the same lead', () => {
    const before = plan(utf8('id,name,email\r\nA-17,Sara,sara@example.com\r\n'));
    const edited = plan(utf8('id,name,email\r\nA-17,Sara D.,sara@example.com\r\n'));
    expect(message(edited.messages, 0).leadId).toBe(message(before.messages, 0).leadId);
    expect(message(edited.messages, 0).externalId).toBe('A-17');
  });

  it('keeps a very long answer, cut to the answer limit', () => {
    const long = 'x'.repeat(200_000);
    const result = plan(utf8(`email,notes from the call\r\na@example.com,${long}\r\n`));
    const answer = Object.values(message(result.messages, 0).answers)[0] ?? '';
    expect(Array.from(answer)).toHaveLength(ANSWER_MAX_CHARS);
  });

  it('routes by default and keeps the leads unassigned with route=false', () => {
    const unrouted = plan(utf8('email\r\na@example.com\r\n'), { route: 'false' });
    expect(message(unrouted.messages, 0).import?.route).toBe(false);
  });
});

describe('encodings', () => {
  it("refuses a file in Windows' Arabic code page unless it is named, then reads it", () => {
    const bytes = fixture('excel-windows-1256.csv');
    expect(refusedWith(() => plan(bytes))).toMatchObject({ status: 422, code: 'wrong_encoding' });
    const result = plan(bytes, { encoding: 'windows-1256' });
    expect(message(result.messages, 0).contact).toMatchObject({ name: 'سارة الدوسري', city: 'الرياض' });
  });

  it('reads UTF-16 without a byte-order mark by its zero bytes', () => {
    const text = 'name\temail\r\nسارة\tsara@example.com\r\n';
    expect(decodeFile(Buffer.from(text, 'utf16le')).text).toBe(text);
  });

  it('says what an Excel workbook is instead of calling it bad text', () => {
    const xlsx = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]);
    expect(refusedWith(() => plan(xlsx))).toMatchObject({
      status: 415,
      message: expect.stringMatching(/xlsx/),
    });
  });

  it('refuses text holding NUL characters (a binary file, or UTF-16 read as UTF-8)', () => {
    expect(refusedWith(() => plan(utf8('email\r\na\u0000@example.com\r\n')))).toMatchObject({
      code: 'wrong_encoding',
    });
  });
});

describe('a malformed file is refused whole, with the row to fix', () => {
  it('a row with more or fewer cells than the header', () => {
    const error = refusedWith(() =>
      plan(utf8('name,email\r\nSara,sara@example.com\r\nOmid,o@example.com,extra\r\n')),
    );
    expect(error).toMatchObject({
      status: 422,
      code: 'ragged_rows',
      message: expect.stringMatching(/^Row 3 /),
    });
  });

  it('a quote that is never closed', () => {
    expect(refusedWith(() => plan(utf8('name,email\r\n"Sara,sara@example.com\r\n')))).toMatchObject({
      code: 'unclosed_quote',
    });
  });

  it('an empty file, and a header with no rows', () => {
    expect(refusedWith(() => plan(utf8('')))).toMatchObject({ code: 'empty_file' });
    expect(refusedWith(() => plan(utf8('\ufeffname,email\r\n,\r\n')))).toMatchObject({ code: 'no_rows' });
  });

  it('cells holding spreadsheet formulas, each named by row and column', () => {
    const error = refusedWith(() =>
      plan(
        utf8('name,email\r\n"=HYPERLINK(""http://x.example"",""win"")",a@example.com\r\nOmid,@SUM(1+1)\r\n'),
      ),
    );
    expect(error).toMatchObject({ status: 422, code: 'formula_cells' });
    expect(error.issues).toEqual([
      { path: 'row 2, column "name"', message: 'a spreadsheet formula' },
      { path: 'row 3, column "email"', message: 'a spreadsheet formula' },
    ]);
  });

  it('a file with no email or phone column at all', () => {
    expect(refusedWith(() => plan(utf8('name,city\r\nSara,Riyadh\r\n')))).toMatchObject({
      code: 'no_contact_column',
    });
  });

  it(`more than ${IMPORT_MAX_ROWS} rows, and exactly ${IMPORT_MAX_ROWS} accepted`, () => {
    const rows = (n: number) =>
      utf8(`email\r\n${Array.from({ length: n }, (_, i) => `p${i}@example.com`).join('\r\n')}\r\n`);
    expect(plan(rows(IMPORT_MAX_ROWS)).messages).toHaveLength(IMPORT_MAX_ROWS);
    expect(refusedWith(() => plan(rows(IMPORT_MAX_ROWS + 1)))).toMatchObject({
      status: 413,
      code: 'too_many_rows',
    });
  });
});

describe('formula cells', () => {
  it('are formulas: =…, and +, -, @ before a function call or a DDE pipe', () => {
    for (const cell of ['=1+1', ' =A1', '@SUM(A1:A3)', '+cmd|"/C calc"!A0', '-2+3+cmd|x', '+HYPERLINK("x")'])
      expect(isFormula(cell), cell).toBe(true);
  });

  it('are not phone numbers, dashes, handles or plain text', () => {
    for (const cell of [
      '+966 55 123 4567',
      '-',
      '- call after 5',
      '@sara',
      '+٩٦٦٥٥١٢٣٤٥٦٧',
      'Ahmed (Riyadh)',
    ])
      expect(isFormula(cell), cell).toBe(false);
  });
});

describe('what leadpipe exports, it imports', () => {
  it('reads back every cell of a CSV written by the export, for any Unicode text', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\u0000'));
    fc.assert(
      fc.property(fc.array(fc.tuple(text, text), { minLength: 1, maxLength: 8 }), (rows) => {
        // A file whose every row is blank has nothing to import (refused: no_rows, tested above).
        fc.pre(rows.some((cells) => cells.some((c) => c.trim() !== '')));
        const csv = UTF8_BOM + csvRow(['name', 'note']) + rows.map(([a, b]) => csvRow([a, b])).join('');
        const sheet = readSheet(decodeFile(utf8(csv)).text);
        const expected = rows
          .map(([a, b]) => [a, b].map((v) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v).toWellFormed()))
          .filter((cells) => cells.some((c) => c.trim() !== ''));
        expect(sheet.rows.map((r) => r.cells)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('finds the delimiter outside quotes', () => {
    expect(sniffDelimiter('"a,b";c;d\r\n1;2;3')).toBe(';');
    expect(sniffDelimiter('id\tcreated_time\tad_id')).toBe('\t');
    expect(sniffDelimiter('email')).toBe(',');
  });
});
