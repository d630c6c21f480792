import { columnKey } from '../functions/ops/imports/columns.ts';
import { decodeFile } from '../functions/ops/imports/decode.ts';
import { readSheet } from '../functions/ops/imports/sheet.ts';

/** A spend row as `PUT /v1/spend` takes it. */
export type SpendRow = { day: string; source: string; campaign: string; amount: string; currency: string };

export type SpendFile = { format: 'meta' | 'google' | 'generic'; rows: SpendRow[]; skipped: number };

const key = columnKey;

/**
 * Google's report downloads start with a title line and a date-range line above the header: the header is the
 * first line naming a campaign column.
 */
function fromHeader(text: string): string {
  const lines = text.split(/\r?\n/);
  const at = lines.findIndex((line) => /(^|[,\t;"])\s*"?(campaign|campaign name)"?\s*([,\t;]|$)/i.test(line));
  return at > 0 ? lines.slice(at).join('\n') : text;
}

/** 1,234.56 or 1234.56 (the reports' own formats) as a plain decimal; dashes and blanks as nothing. */
function plainAmount(text: string): string | undefined {
  const cleaned = text.trim().replace(/[,\s]/g, '');
  return /^\d+(\.\d+)?$/.test(cleaned) ? cleaned : undefined;
}

/** 2026-12-01, or Meta's and Google's own day formats (Dec 1, 2026 is left to the generic reader). */
function isoDay(text: string): string | undefined {
  const value = text.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const parsed = new Date(`${value} UTC`);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed.toISOString().slice(0, 10);
}

/**
 * A spend report as the ad platforms export it, or a generic CSV: Meta Ads Manager's ("Campaign name", "Day"
 * or a one-day "Reporting starts"/"Reporting ends", "Amount spent (SAR)" with the currency in the header),
 * Google Ads' campaign report ("Day", "Campaign", "Campaign ID", "Currency code", "Cost"), or columns named day,
 * source, campaign, amount and currency. Rows with no spend (0, blank, the report's totals) are skipped.
 */
export function readSpendFile(
  bytes: Uint8Array,
  defaults: { source?: string; currency?: string } = {},
): SpendFile {
  const sheet = readSheet(fromHeader(decodeFile(bytes).text));
  const keys = sheet.header.map(key);
  const col = (...names: string[]) => keys.findIndex((k) => names.map(key).includes(k));
  const metaSpent = sheet.header.findIndex((h) => /^amount spent/i.test(h.trim()));
  const format =
    metaSpent !== -1 ? 'meta' : col('cost') !== -1 && col('campaign') !== -1 ? 'google' : 'generic';
  const headerCurrency = /\(([A-Z]{3})\)/.exec(sheet.header[metaSpent] ?? '')?.[1];
  const columns = {
    day: col('day', 'date'),
    starts: col('reporting starts'),
    ends: col('reporting ends'),
    campaign: format === 'meta' ? col('campaign name', 'campaign') : col('campaign', 'campaign name'),
    campaignId: col('campaign id'),
    amount:
      format === 'meta' ? metaSpent : format === 'google' ? col('cost') : col('amount', 'spend', 'cost'),
    currency: col('currency', 'currency code'),
    source: col('source'),
  };
  if (columns.campaign === -1 && columns.campaignId === -1)
    throw new Error('the report has no campaign column (Campaign name, Campaign, or campaign)');
  if (columns.amount === -1)
    throw new Error('the report has no amount column (Amount spent, Cost, or amount)');
  const rows: SpendRow[] = [];
  let skipped = 0;
  for (const { row, cells } of sheet.rows) {
    const at = (i: number) => (i === -1 ? '' : (cells[i] ?? '').trim());
    const amount = plainAmount(at(columns.amount));
    const campaign = at(columns.campaignId) || at(columns.campaign);
    const starts = at(columns.starts);
    const day =
      isoDay(at(columns.day)) ?? (starts && starts === at(columns.ends) ? isoDay(starts) : undefined);
    if (amount === undefined || Number(amount) === 0 || campaign === '' || /^total/i.test(campaign)) {
      skipped++;
      continue;
    }
    if (day === undefined)
      throw new Error(
        `row ${row}: no day; export the report broken down by day (Meta: Breakdown › By time › Day)`,
      );
    const source =
      at(columns.source) ||
      defaults.source ||
      (format === 'meta' ? 'facebook' : format === 'google' ? 'google' : '');
    const currency = at(columns.currency) || headerCurrency || defaults.currency || '';
    if (source === '') throw new Error(`row ${row}: no source; name it with --source facebook`);
    if (currency === '') throw new Error(`row ${row}: no currency; name it with --currency SAR`);
    rows.push({ day, source, campaign, amount, currency: currency.toUpperCase() });
  }
  return { format, rows, skipped };
}
