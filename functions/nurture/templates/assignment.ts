import type { RepConfig } from '../../shared/config.ts';
import { escapeHtml, headerSafe } from '../../shared/html.ts';
import { displayName, type Lead, type Locale } from '../../shared/lead.ts';
import { fontStack, formatNumber, formatWhen, isolateLtr, ltrSpan, RLM, RTL } from './layout.ts';

export { formatWhen } from './layout.ts';

import type { Action } from '../../shared/links.ts';

type Strings = {
  subject: (name: string, score: number) => string;
  heading: string;
  greeting: (rep: string) => string;
  intro: string;
  name: string;
  email: string;
  phone: string;
  company: string;
  source: string;
  received: string;
  score: string;
  segments: string;
  answers: string;
  why: string;
  open: string;
  unnamed: string;
  sources: Record<Lead['source'], string>;
  actionsIntro: string;
  actions: Record<Action, string>;
  due: string;
  reminderSubject: (name: string) => string;
  reminderHeading: string;
  reminderIntro: string;
};

const STRINGS: Record<Locale, Strings> = {
  en: {
    subject: (name, score) => `New lead: ${name} (score ${score})`,
    heading: 'A new lead is yours',
    greeting: (rep) => `Hi ${rep},`,
    intro: 'This lead was just assigned to you. The sooner you call, the likelier you reach them.',
    name: 'Name',
    email: 'Email',
    phone: 'Phone',
    company: 'Company',
    source: 'Source',
    received: 'Received',
    score: 'Score',
    segments: 'Segments',
    answers: 'Answers',
    why: 'Why you',
    open: 'Open the lead',
    unnamed: 'Unnamed lead',
    sources: {
      'web-form': 'Web form',
      facebook: 'Facebook Lead Ads',
      google: 'Google Ads lead form',
      import: 'Imported spreadsheet',
    },
    actionsIntro: 'Tell us how it went (one click, then confirm):',
    actions: {
      contacted: 'I contacted them',
      qualified: 'Qualified',
      won: 'Won',
      lost: 'Lost',
      later: 'Call back later',
    },
    due: 'Contact by',
    reminderSubject: (name) => `Reminder: ${name} is still waiting for your call`,
    reminderHeading: 'This lead is still waiting',
    reminderIntro:
      'The first-contact deadline has passed and nobody has reached this lead yet. Please call now.',
  },
  ar: {
    subject: (name, score) => `عميل محتمل جديد: ${name} (التقييم ${score})`,
    heading: 'عميل محتمل جديد لك',
    greeting: (rep) => `مرحبًا ${rep}،`,
    intro: 'تم إسناد هذا العميل إليك للتو. كلما اتصلت أسرع زادت فرصة الوصول إليه.',
    name: 'الاسم',
    email: 'البريد الإلكتروني',
    phone: 'الهاتف',
    company: 'الشركة',
    source: 'المصدر',
    received: 'وقت الاستلام',
    score: 'التقييم',
    segments: 'الشرائح',
    answers: 'الإجابات',
    why: 'سبب الإسناد',
    open: 'فتح العميل',
    unnamed: 'عميل بلا اسم',
    sources: {
      'web-form': 'نموذج الموقع',
      facebook: 'إعلانات فيسبوك',
      google: 'نموذج إعلانات Google',
      import: 'جدول مستورد',
    },
    actionsIntro: 'أخبرنا بما حدث (نقرة ثم تأكيد):',
    actions: {
      contacted: 'تواصلت معه',
      qualified: 'مؤهل',
      won: 'تمت الصفقة',
      lost: 'خسرناه',
      later: 'اتصل لاحقًا',
    },
    due: 'تواصل قبل',
    reminderSubject: (name) => `تذكير: ${name} ما زال ينتظر اتصالك`,
    reminderHeading: 'هذا العميل ما زال ينتظر',
    reminderIntro: 'انقضت مهلة التواصل الأول ولم يتواصل أحد مع هذا العميل بعد. يرجى الاتصال الآن.',
  },
  fa: {
    subject: (name, score) => `سرنخ جدید: ${name} (امتیاز ${score})`,
    heading: 'یک سرنخ جدید به شما رسید',
    greeting: (rep) => `سلام ${rep}،`,
    intro: 'این سرنخ همین الان به شما سپرده شد. هرچه زودتر تماس بگیرید، شانس پاسخ بیشتر است.',
    name: 'نام',
    email: 'ایمیل',
    phone: 'تلفن',
    company: 'شرکت',
    source: 'منبع',
    received: 'زمان دریافت',
    score: 'امتیاز',
    segments: 'بخش‌ها',
    answers: 'پاسخ‌ها',
    why: 'چرا شما',
    open: 'باز کردن سرنخ',
    unnamed: 'سرنخ بی‌نام',
    sources: {
      'web-form': 'فرم وب‌سایت',
      facebook: 'تبلیغات سرنخ فیسبوک',
      google: 'فرم سرنخ Google Ads',
      import: 'فایل واردشده',
    },
    actionsIntro: 'نتیجه را به ما بگویید (یک کلیک، سپس تأیید):',
    actions: {
      contacted: 'تماس گرفتم',
      qualified: 'واجد شرایط',
      won: 'قرارداد بسته شد',
      lost: 'از دست رفت',
      later: 'بعداً تماس می‌گیرم',
    },
    due: 'مهلت تماس',
    reminderSubject: (name) => `یادآوری: ${name} هنوز منتظر تماس شماست`,
    reminderHeading: 'این سرنخ هنوز منتظر است',
    reminderIntro:
      'مهلت اولین تماس گذشته و هنوز کسی با این سرنخ تماس نگرفته است. لطفاً همین حالا تماس بگیرید.',
  },
};

export type RenderedMail = { subject: string; html: string; text: string };

export function renderAssignmentEmail(input: {
  lead: Lead;
  rep: RepConfig;
  leadUrl: string;
  /** Signed, expiring links; a click shows a confirm page (mail scanners must not act). */
  actions?: readonly { action: Action; url: string }[];
  /** `reminder`: the first-contact deadline passed without contact. */
  variant?: 'assignment' | 'reminder';
}): RenderedMail {
  const reminder = input.variant === 'reminder';
  const { lead, rep, leadUrl } = input;
  const actions = input.actions ?? [];
  const locale = rep.locale;
  const t = STRINGS[locale];
  const rtl = RTL[locale];
  const dir = rtl ? 'rtl' : 'ltr';
  const align = rtl ? 'right' : 'left';
  const name = displayName(lead.contact) ?? t.unnamed;
  const phone = lead.phoneE164 ?? lead.contact.phone;

  // Subjects are plain text: start RTL ones with RLM so clients pick the right direction.
  const subject = headerSafe(
    `${rtl ? RLM : ''}${reminder ? t.reminderSubject(name) : t.subject(name, lead.score.total)}`,
  );
  const heading = reminder ? t.reminderHeading : t.heading;
  const intro = reminder ? t.reminderIntro : t.intro;

  const rows: Array<[string, string, string]> = [];
  rows.push([t.name, escapeHtml(name), name]);
  // An address that is not valid is shown as typed, without a mailto link.
  if (lead.contact.email)
    rows.push([
      t.email,
      lead.emailValid === false
        ? ltrSpan(lead.contact.email)
        : `<a href="mailto:${escapeHtml(lead.contact.email)}" dir="ltr">${escapeHtml(isolateLtr(lead.contact.email))}</a>`,
      isolateLtr(lead.contact.email),
    ]);
  if (phone) {
    const href = lead.phoneE164
      ? `<a href="tel:${escapeHtml(lead.phoneE164)}" dir="ltr">${escapeHtml(isolateLtr(phone))}</a>`
      : ltrSpan(phone);
    rows.push([t.phone, href, isolateLtr(phone)]);
  }
  if (lead.contact.company) rows.push([t.company, escapeHtml(lead.contact.company), lead.contact.company]);
  rows.push([t.source, escapeHtml(t.sources[lead.source]), t.sources[lead.source]]);
  const received = formatWhen(lead.receivedAt, locale, rep.timezone);
  rows.push([t.received, escapeHtml(received), received]);
  const dueAt = lead.assignment?.sla?.dueAt;
  if (dueAt) {
    const due = formatWhen(dueAt, locale, rep.timezone);
    rows.push([t.due, `<strong>${escapeHtml(due)}</strong>`, due]);
  }
  const breakdown = lead.score.breakdown
    .map((b) => `${b.ruleId} ${b.points >= 0 ? '+' : ''}${b.points}`)
    .join(', ');
  const scoreText = `${formatNumber(lead.score.total, locale)}${breakdown ? ` (${isolateLtr(breakdown)})` : ''}`;
  rows.push([t.score, escapeHtml(scoreText), scoreText]);
  if (lead.segments.length > 0) {
    const segments = isolateLtr(lead.segments.join(', '));
    rows.push([t.segments, escapeHtml(segments), segments]);
  }
  if (lead.assignment)
    rows.push([t.why, ltrSpan(lead.assignment.reason), isolateLtr(lead.assignment.reason)]);

  const answers = Object.entries(lead.answers);
  const cell = `style="padding:6px 10px;border-bottom:1px solid #e5e7eb;text-align:${align};direction:${dir};vertical-align:top"`;
  const tableRows = rows
    .map(
      ([label, value]) =>
        `<tr><th ${cell} scope="row">${escapeHtml(label)}</th><td ${cell}>${value}</td></tr>`,
    )
    .join('');
  const answerRows = answers
    .map(
      ([q, a]) =>
        `<tr><th ${cell} scope="row">${escapeHtml(q)}</th><td ${cell}>${escapeHtml(a).replace(/\n/g, '<br>')}</td></tr>`,
    )
    .join('');
  const font = fontStack(locale);

  const html = `<!doctype html>
<html lang="${locale}" dir="${dir}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(subject)}</title></head>
<body dir="${dir}" style="margin:0;padding:16px;direction:${dir};text-align:${align};font-family:${font};mso-font-alt:Tahoma;color:#111827">
<table role="presentation" dir="${dir}" style="max-width:640px;width:100%;border-collapse:collapse;direction:${dir}">
<tr><td dir="${dir}" style="text-align:${align};direction:${dir}">
<h1 style="font-size:20px;margin:0 0 12px">${escapeHtml(heading)}</h1>
<p style="margin:0 0 8px">${escapeHtml(t.greeting(rep.name))}</p>
<p style="margin:0 0 16px">${escapeHtml(intro)}</p>
<table role="presentation" dir="${dir}" style="width:100%;border-collapse:collapse;direction:${dir}">${tableRows}</table>
${answers.length > 0 ? `<h2 style="font-size:16px;margin:20px 0 8px">${escapeHtml(t.answers)}</h2><table role="presentation" dir="${dir}" style="width:100%;border-collapse:collapse;direction:${dir}">${answerRows}</table>` : ''}
 ${
   actions.length > 0
     ? `<p style="margin:20px 0 8px">${escapeHtml(t.actionsIntro)}</p><p style="margin:0 0 16px">${actions
         .map(
           (a) =>
             `<a href="${escapeHtml(a.url)}" style="display:inline-block;margin:0 0 8px;padding:8px 12px;border:1px solid #2563eb;border-radius:6px;color:#2563eb;text-decoration:none">${escapeHtml(t.actions[a.action])}</a>`,
         )
         .join(' ')}</p>`
     : ''
 }
<p style="margin:20px 0"><a href="${escapeHtml(leadUrl)}" style="background:#2563eb;color:#ffffff;padding:10px 16px;border-radius:6px;text-decoration:none">${escapeHtml(t.open)}</a></p>
</td></tr></table>
</body>
</html>`;

  const mark = rtl ? RLM : '';
  const textLines = [
    `${mark}${heading}`,
    '',
    `${mark}${t.greeting(rep.name)}`,
    `${mark}${intro}`,
    '',
    // One-line fields stay on one line in the text part too, whatever reached the template.
    ...rows.map(([label, , plain]) => `${mark}${label}: ${headerSafe(plain)}`),
    ...(answers.length > 0
      ? ['', `${mark}${t.answers}:`, ...answers.map(([q, a]) => `${mark}- ${q}: ${a}`)]
      : []),
    ...(actions.length > 0
      ? ['', `${mark}${t.actionsIntro}`, ...actions.map((a) => `${mark}- ${t.actions[a.action]}: ${a.url}`)]
      : []),
    '',
    `${mark}${t.open}: ${leadUrl}`,
  ];
  return { subject, html, text: textLines.join('\n') };
}
