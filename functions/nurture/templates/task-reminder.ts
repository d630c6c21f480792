import { escapeHtml, headerSafe } from '../../shared/html.ts';
import { displayName, type Lead, type Locale } from '../../shared/lead.ts';
import type { RepRecord } from '../../shared/ports.ts';
import type { Task, TaskType } from '../../shared/workspace.ts';
import type { RenderedMail } from './assignment.ts';
import { emailPage, formatWhen, isolateLtr, RLM, RTL } from './layout.ts';

type Strings = {
  subject: (type: string, lead: string) => string;
  heading: (type: string) => string;
  due: (when: string) => string;
  note: string;
  open: string;
  unnamed: string;
  types: Record<TaskType, string>;
};

const STRINGS: Record<Locale, Strings> = {
  en: {
    subject: (type, lead) => `Reminder: ${type} ${lead}`,
    heading: (type) => `Time to ${type}`,
    due: (when) => `Planned for ${when}.`,
    note: 'Your note',
    open: 'Open the lead',
    unnamed: 'an unnamed lead',
    types: { call: 'call', meeting: 'meet', email: 'email', other: 'follow up with' },
  },
  ar: {
    subject: (type, lead) => `تذكير: ${type} ${lead}`,
    heading: (type) => `حان وقت ${type}`,
    due: (when) => `مخطط له في ${when}.`,
    note: 'ملاحظتك',
    open: 'فتح العميل',
    unnamed: 'عميل بلا اسم',
    types: { call: 'الاتصال بـ', meeting: 'الاجتماع مع', email: 'مراسلة', other: 'متابعة' },
  },
  fa: {
    subject: (type, lead) => `یادآوری: ${type} ${lead}`,
    heading: (type) => `وقت ${type} است`,
    due: (when) => `برنامه‌ریزی‌شده برای ${when}.`,
    note: 'یادداشت شما',
    open: 'باز کردن سرنخ',
    unnamed: 'یک سرنخ بی‌نام',
    types: { call: 'تماس با', meeting: 'جلسه با', email: 'ایمیل به', other: 'پیگیری' },
  },
};

/** The rep's reminder of a planned call, meeting or email: in their language, at their local time. */
export function renderTaskReminderEmail(input: {
  lead: Lead;
  task: Task;
  rep: Pick<RepRecord, 'locale' | 'timezone'>;
  leadUrl: string;
}): RenderedMail {
  const { lead, task, rep } = input;
  const locale = rep.locale;
  const t = STRINGS[locale];
  const mark = RTL[locale] ? RLM : '';
  const name = displayName(lead.contact) ?? t.unnamed;
  const type = t.types[task.type];
  const when = formatWhen(task.dueAt, locale, rep.timezone);
  const subject = headerSafe(`${mark}${t.subject(type, name)}`);
  const html = emailPage(
    locale,
    subject,
    `<h1 style="font-size:20px;margin:0 0 12px">${escapeHtml(`${t.heading(type)} ${name}`)}</h1>
<p style="margin:0 0 8px">${escapeHtml(t.due(when))}</p>
${task.note ? `<p style="margin:0 0 8px"><strong>${escapeHtml(t.note)}:</strong> ${escapeHtml(task.note)}</p>` : ''}
<p style="margin:20px 0"><a href="${escapeHtml(input.leadUrl)}" style="background:#2563eb;color:#ffffff;padding:10px 16px;border-radius:6px;text-decoration:none">${escapeHtml(t.open)}</a></p>`,
  );
  const text = [
    `${mark}${headerSafe(`${t.heading(type)} ${name}`)}`,
    '',
    `${mark}${t.due(when)}`,
    ...(task.note ? [`${mark}${t.note}: ${task.note}`] : []),
    '',
    `${mark}${t.open}: ${isolateLtr(input.leadUrl)}`,
  ].join('\n');
  return { subject, html, text };
}
