import type { NurtureConfig } from '../../shared/config.ts';
import { escapeHtml, headerSafe } from '../../shared/html.ts';
import { displayName, type Lead, type Locale } from '../../shared/lead.ts';
import type { RenderedMail } from './assignment.ts';
import { emailPage, RLM, RTL } from './layout.ts';

const FOOTER: Record<Locale, { why: string; unsubscribe: string }> = {
  en: {
    why: 'You receive this because you asked us to contact you.',
    unsubscribe: 'Unsubscribe',
  },
  ar: { why: 'تصلك هذه الرسالة لأنك طلبت منا التواصل معك.', unsubscribe: 'إلغاء الاشتراك' },
  fa: { why: 'این ایمیل را دریافت می‌کنید چون خواسته بودید با شما تماس بگیریم.', unsubscribe: 'لغو اشتراک' },
};

/** The fields a template may use: `{{firstName}}`, `{{name}}`, `{{company}}`. Missing ones become empty. */
function fieldsOf(lead: Lead): Record<string, string> {
  const name = displayName(lead.contact) ?? '';
  return {
    name,
    firstName: lead.contact.firstName ?? name.split(/\s+/)[0] ?? '',
    company: lead.contact.company ?? '',
  };
}

function fill(text: string, fields: Record<string, string>, encode: (s: string) => string): string {
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, key: string) => encode(fields[key] ?? ''));
}

/**
 * A nurture email from the configured text. The text is the operator's; the lead's fields are the person's and
 * escaped wherever they land (HTML body, plain text, subject header).
 */
export function renderNurtureEmail(input: {
  lead: Lead;
  template: string;
  templates: NurtureConfig['templates'];
  unsubscribeUrl: string;
}): RenderedMail {
  const { lead } = input;
  const locale = lead.locale;
  const text = input.templates[input.template]?.[locale];
  if (text === undefined) throw new Error(`template ${input.template} has no ${locale} text`);
  const fields = fieldsOf(lead);
  const mark = RTL[locale] ? RLM : '';
  const subject = headerSafe(`${mark}${fill(text.subject, fields, (s) => s)}`);
  const paragraphs = text.body
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  const footer = FOOTER[locale];
  const html = emailPage(
    locale,
    subject,
    `${paragraphs
      .map(
        (p) =>
          `<p style="margin:0 0 12px">${fill(escapeHtml(p), fields, escapeHtml).replace(/\n/g, '<br>')}</p>`,
      )
      .join('\n')}
<p style="margin:24px 0 0;font-size:12px;color:#6b7280">${escapeHtml(footer.why)} <a href="${escapeHtml(input.unsubscribeUrl)}" style="color:#6b7280">${escapeHtml(footer.unsubscribe)}</a></p>`,
  );
  const plain = [
    ...paragraphs.map((p) => `${mark}${fill(p, fields, (s) => headerSafe(s))}`),
    `${mark}${footer.why}\n${mark}${footer.unsubscribe}: ${input.unsubscribeUrl}`,
  ].join('\n\n');
  return { subject, html, text: plain };
}
