import { createHash } from 'node:crypto';
import { answerKey, isoTime, LINE_MAX_CHARS } from '../../shared/answers.ts';
import { leadIdFor } from '../../shared/ids.ts';
import type { RefusalCode } from '../../shared/imports.ts';
import { type Attribution, GraphLead, type IntakeMessage } from '../../shared/lead.ts';
import { cutAnswer, fitAnswers } from '../../shared/limits.ts';
import { intakeFromGraphLead, type SourceDefaults } from '../../shared/meta-intake.ts';
import { safeKey } from '../../shared/records.ts';
import { cleanValue } from '../../shared/text.ts';
import { type ColumnTarget, META_FIXED_COLUMNS, type MetaColumn } from './columns.ts';

/** What every row of one import shares. */
export type RowContext = {
  importId: string;
  source: string;
  route: boolean;
  receivedAt: string;
  defaults: SourceDefaults;
};

/** A row becomes an intake message, exactly as a webhook lead would, or is refused with a reason. */
export type RowResult = { message: IntakeMessage } | { refusal: { code: RefusalCode; reason: string } };

/** The row as it was in the file, kept (30 days, like a webhook's payload) for a replay after a bug. */
const RAW_MAX_BYTES = 64 * 1024;
function rawRow(header: readonly string[], cells: readonly string[], ctx: RowContext, row: number) {
  const raw = JSON.stringify({
    import: ctx.importId,
    row,
    cells: Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ''])),
  });
  return Buffer.byteLength(raw) <= RAW_MAX_BYTES ? raw : undefined;
}

const NO_CONTACT = {
  code: 'no-contact',
  reason: 'no email or phone: a rep could not reach this person',
} as const;

/** Meta's ids carry a type prefix in its download (`l:` lead, `f:` form, `ag:` ad, `as:` ad set, `c:` campaign). */
function metaId(value: string | undefined, prefix: string): string | undefined {
  const id = value?.trim().replace(new RegExp(`^${prefix}:`), '');
  return id && /^\d{1,30}$/.test(id) ? id : undefined;
}

/** Meta's download guards phone numbers and zip codes from spreadsheet reformatting with `p:` and `z:`. */
function metaAnswer(column: string, value: string): string {
  if (/phone/i.test(column)) return value.replace(/^p:/, '');
  if (/zip|post/i.test(column)) return value.replace(/^z:/, '');
  return value;
}

const FIXED = new Set<string>(META_FIXED_COLUMNS);

/**
 * A row of Meta's lead download, read back into the Graph API's lead (the form's questions are its field_data),
 * then given the lead id the webhook would give it: a lead Meta also sent is the same lead.
 */
export function metaRow(
  header: readonly string[],
  cells: readonly string[],
  row: number,
  ctx: RowContext,
): RowResult {
  const at = (name: string) => {
    const i = header.findIndex((h) => h.trim().toLowerCase() === name);
    const value = i === -1 ? undefined : cleanValue(cells[i] ?? '', false);
    return value === '' ? undefined : value;
  };
  const id = metaId(at('id'), 'l');
  if (id === undefined)
    return {
      refusal: { code: 'no-lead-id', reason: 'no Meta lead id (the id column should read l:<digits>)' },
    };
  const fieldData = header.flatMap((name, i) => {
    const column = name.trim();
    const value = cleanValue(cells[i] ?? '', true);
    if (FIXED.has(column.toLowerCase()) || value === '') return [];
    return [{ name: column, values: [metaAnswer(column, value)] }];
  });
  if (!fieldData.some((f) => /email|phone/i.test(f.name))) return { refusal: NO_CONTACT };
  const organic = at('is_organic')?.toLowerCase();
  const formId = metaId(at('form_id'), 'f');
  const adId = metaId(at('ad_id'), 'ag');
  const adsetId = metaId(at('adset_id'), 'as');
  const campaignId = metaId(at('campaign_id'), 'c');
  const lead = GraphLead.parse({
    id,
    ...(at('created_time') ? { created_time: at('created_time') } : {}),
    ...(formId ? { form_id: formId } : {}),
    ...(adId ? { ad_id: adId } : {}),
    ...(at('ad_name') ? { ad_name: at('ad_name') } : {}),
    ...(adsetId ? { adset_id: adsetId } : {}),
    ...(campaignId ? { campaign_id: campaignId } : {}),
    ...(at('campaign_name') ? { campaign_name: at('campaign_name') } : {}),
    ...(organic === 'true' || organic === 'false' ? { is_organic: organic === 'true' } : {}),
    ...(at('platform') ? { platform: at('platform') } : {}),
    field_data: fieldData,
  });
  const raw = rawRow(header, cells, ctx, row) ?? JSON.stringify({ import: ctx.importId, row, lead: id });
  const message = intakeFromGraphLead(lead, formId ?? ctx.source, ctx.defaults, ctx.receivedAt, raw);
  return { message: { ...message, import: { id: ctx.importId, row, route: ctx.route } } };
}

function isTrue(value: string): boolean {
  return ['true', '1', 'yes', 'y'].includes(value.trim().toLowerCase());
}

function setAttribution(attribution: Attribution, column: MetaColumn, value: string): void {
  switch (column) {
    case 'utm.source':
    case 'utm.medium':
    case 'utm.campaign':
    case 'utm.term':
    case 'utm.content':
      attribution.utm[column.slice(4) as keyof Attribution['utm']] = value;
      return;
    case 'campaignId':
    case 'campaignName':
    case 'adsetId':
    case 'adId':
    case 'adName':
    case 'creativeId':
    case 'assetGroupId':
    case 'gclId':
      attribution[column] = value;
      return;
    case 'formId':
      attribution.platformFormId = value;
      return;
    case 'externalId':
    case 'submittedAt':
    case 'test':
      return;
  }
}

/**
 * A row of Google's lead download or of any list, by its columns' names. Google's rows keep Google's lead id
 * (the webhook's lead too); a list's rows get an id from the list's own id column, else from their content,
 * so importing the same file again finds the same leads.
 */
export function mappedRow(
  format: 'google' | 'generic',
  header: readonly string[],
  targets: readonly (ColumnTarget | undefined)[],
  cells: readonly string[],
  row: number,
  ctx: RowContext,
): RowResult {
  const contact: Record<string, string> = {};
  const answers: Record<string, string> = {};
  const labels: Record<string, string> = {};
  const attribution: Attribution = { utm: {} };
  const facts: Partial<Record<MetaColumn, string>> = {};
  header.forEach((name, i) => {
    const target = targets[i];
    const multiline = target === undefined || ('contact' in target && target.contact === 'message');
    const value = cleanValue(cells[i] ?? '', multiline);
    if (value === '') return;
    if (target !== undefined && 'contact' in target) {
      contact[target.contact] =
        target.contact === 'message' ? cutAnswer(value) : cutAnswer(value, LINE_MAX_CHARS);
    } else if (target !== undefined) {
      const line = cutAnswer(value, LINE_MAX_CHARS);
      facts[target.meta] = line;
      setAttribution(attribution, target.meta, line);
    } else {
      const key = safeKey(answerKey(name));
      answers[key] = cutAnswer(value);
      const label = cleanValue(name, false);
      if (label !== key) labels[key] = label;
    }
  });
  if (contact.email === undefined && contact.phone === undefined) return { refusal: NO_CONTACT };
  const externalId = facts.externalId;
  if (format === 'google' && externalId === undefined)
    return { refusal: { code: 'no-lead-id', reason: 'no Google lead id (the lead id column is empty)' } };
  const leadId =
    format === 'google' && externalId !== undefined
      ? leadIdFor('google', externalId)
      : leadIdFor(
          'import',
          `${ctx.source}\n${externalId ?? createHash('sha256').update(JSON.stringify(cells)).digest('base64url')}`,
        );
  const submittedAt = isoTime(facts.submittedAt);
  const raw = rawRow(header, cells, ctx, row);
  return {
    message: {
      v: 1,
      leadId,
      source: format === 'google' ? 'google' : 'import',
      formId: (format === 'google' ? facts.formId : undefined) ?? ctx.source,
      ...(externalId ? { externalId } : {}),
      receivedAt: ctx.receivedAt,
      ...(submittedAt ? { submittedAt } : {}),
      contact,
      answers: fitAnswers(answers),
      ...(Object.keys(labels).length > 0 ? { answerLabels: labels } : {}),
      attribution,
      request: {},
      locale: ctx.defaults.locale,
      ...(ctx.defaults.defaultCountry ? { defaultCountry: ctx.defaults.defaultCountry } : {}),
      test: facts.test !== undefined && isTrue(facts.test),
      ...(raw ? { raw } : {}),
      import: { id: ctx.importId, row, route: ctx.route },
    },
  };
}
