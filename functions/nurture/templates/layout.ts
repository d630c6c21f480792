import { escapeHtml } from '../../shared/html.ts';
import type { Locale } from '../../shared/lead.ts';

export const RTL: Record<Locale, boolean> = { en: false, ar: true, fa: true };
const LRI = '\u2066';
const PDI = '\u2069';
export const RLM = '\u200f';

/** Latin fragments (emails, phones, URLs) inside RTL text keep their own order. */
export function isolateLtr(value: string): string {
  return `${LRI}${value}${PDI}`;
}

export function ltrSpan(value: string): string {
  return `<span dir="ltr">${escapeHtml(isolateLtr(value))}</span>`;
}

// Building an Intl formatter reads ICU data (about 200 µs for a date format here), using one a few µs: each is
// built once per locale and zone, not once per message. A handful of locales and rep zones bound the maps.
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const numberFormats = new Map<string, Intl.NumberFormat>();

/** Each locale's digits: Persian, Arabic-Indic, Latin. */
const NUMBER_TAGS: Record<Locale, string> = { fa: 'fa-IR', ar: 'ar-EG', en: 'en' };

/** Dates in the reader's own calendar and time zone: Solar Hijri for Persian, Gregorian otherwise. */
export function formatWhen(iso: string, locale: Locale, timeZone: string): string {
  const tag = locale === 'fa' ? 'fa-IR-u-ca-persian' : locale === 'ar' ? 'ar-u-ca-gregory-nu-arab' : 'en-GB';
  const key = `${tag} ${timeZone}`;
  let format = dateFormats.get(key);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short', timeZone });
    dateFormats.set(key, format);
  }
  return format.format(new Date(iso));
}

/** A number in the locale's own digits, to at most `fraction` decimals. */
export function formatNumber(n: number, locale: Locale, fraction = 3): string {
  const key = `${locale} ${fraction}`;
  let format = numberFormats.get(key);
  if (format === undefined) {
    format = new Intl.NumberFormat(NUMBER_TAGS[locale], { maximumFractionDigits: fraction });
    numberFormats.set(key, format);
  }
  return format.format(n);
}

/** Fonts that exist on phones and desktops, with Tahoma for Outlook's Arabic script. */
export function fontStack(locale: Locale): string {
  return RTL[locale]
    ? "Vazirmatn,'Noto Naskh Arabic','Noto Sans Arabic',Tahoma,Arial,sans-serif"
    : "-apple-system,'Segoe UI',Roboto,Arial,sans-serif";
}

/** A whole HTML email: `lang` and `dir` on every level mail clients read them from. `inner` is already escaped. */
export function emailPage(locale: Locale, title: string, inner: string): string {
  const dir = RTL[locale] ? 'rtl' : 'ltr';
  const align = RTL[locale] ? 'right' : 'left';
  return `<!doctype html>
<html lang="${locale}" dir="${dir}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head>
<body dir="${dir}" style="margin:0;padding:16px;direction:${dir};text-align:${align};font-family:${fontStack(locale)};mso-font-alt:Tahoma;color:#111827">
<table role="presentation" dir="${dir}" style="max-width:640px;width:100%;border-collapse:collapse;direction:${dir}">
<tr><td dir="${dir}" style="text-align:${align};direction:${dir}">
${inner}
</td></tr></table>
</body>
</html>`;
}
