import type { Manager } from '../../shared/config.ts';
import { escapeHtml, headerSafe } from '../../shared/html.ts';
import { displayName, type Lead, type Locale } from '../../shared/lead.ts';
import type { RenderedMail } from './assignment.ts';
import { emailPage, formatNumber, formatWhen, isolateLtr, RLM, RTL } from './layout.ts';

type Strings = {
  subject: (lead: string, rep: string) => string;
  heading: string;
  body: (lead: string, rep: string, minutes: string, since: string) => string;
  reassigned: string;
  kept: string;
  open: string;
  unnamed: string;
};

const STRINGS: Record<Locale, Strings> = {
  en: {
    subject: (lead, rep) => `Escalation: ${lead} not contacted by ${rep}`,
    heading: 'A lead missed its first-contact deadline',
    body: (lead, rep, minutes, since) =>
      `${lead} was assigned to ${rep} at ${since} and has not been contacted within ${minutes} minutes.`,
    reassigned: 'The lead is being passed to the next available rep in the pool.',
    kept: 'The lead stays with the rep; please follow up.',
    open: 'Open the lead',
    unnamed: 'An unnamed lead',
  },
  ar: {
    subject: (lead, rep) => `تصعيد: لم يتواصل ${rep} مع ${lead}`,
    heading: 'عميل محتمل تجاوز مهلة التواصل الأول',
    body: (lead, rep, minutes, since) =>
      `أُسند ${lead} إلى ${rep} في ${since} ولم يتم التواصل معه خلال ${minutes} دقيقة.`,
    reassigned: 'يجري نقل العميل إلى المندوب المتاح التالي في المجموعة.',
    kept: 'يبقى العميل مع المندوب؛ يرجى المتابعة.',
    open: 'فتح العميل',
    unnamed: 'عميل بلا اسم',
  },
  fa: {
    subject: (lead, rep) => `ارجاع: ${rep} با ${lead} تماس نگرفته است`,
    heading: 'یک سرنخ از مهلت اولین تماس گذشت',
    body: (lead, rep, minutes, since) =>
      `${lead} در ${since} به ${rep} سپرده شد و ظرف ${minutes} دقیقه با او تماس گرفته نشده است.`,
    reassigned: 'سرنخ به نماینده‌ی در دسترس بعدی در این گروه سپرده می‌شود.',
    kept: 'سرنخ نزد همین نماینده می‌ماند؛ لطفاً پیگیری کنید.',
    open: 'باز کردن سرنخ',
    unnamed: 'یک سرنخ بی‌نام',
  },
};

/** The pool manager's note: which lead, whose, since when, and what happens now. */
export function renderEscalationEmail(input: {
  lead: Lead;
  repName: string;
  manager: Manager;
  timeZone: string;
  minutes: number;
  reassigning: boolean;
  leadUrl: string;
}): RenderedMail {
  const { lead, manager } = input;
  const locale = manager.locale;
  const t = STRINGS[locale];
  const mark = RTL[locale] ? RLM : '';
  const name = displayName(lead.contact) ?? t.unnamed;
  const since = formatWhen(lead.assignment?.at ?? lead.receivedAt, locale, input.timeZone);
  const minutes = formatNumber(input.minutes, locale, 1);
  const body = t.body(name, input.repName, minutes, since);
  const next = input.reassigning ? t.reassigned : t.kept;
  const subject = headerSafe(`${mark}${t.subject(name, input.repName)}`);
  const html = emailPage(
    locale,
    subject,
    `<h1 style="font-size:20px;margin:0 0 12px">${escapeHtml(t.heading)}</h1>
<p style="margin:0 0 8px">${escapeHtml(body)}</p>
<p style="margin:0 0 16px">${escapeHtml(next)}</p>
<p style="margin:20px 0"><a href="${escapeHtml(input.leadUrl)}" style="background:#2563eb;color:#ffffff;padding:10px 16px;border-radius:6px;text-decoration:none">${escapeHtml(t.open)}</a></p>`,
  );
  const text = [
    `${mark}${t.heading}`,
    '',
    `${mark}${headerSafe(body)}`,
    `${mark}${next}`,
    '',
    `${mark}${t.open}: ${isolateLtr(input.leadUrl)}`,
  ].join('\n');
  return { subject, html, text };
}
