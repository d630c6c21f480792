import type { NoticeKind } from '../../shared/channel-config.ts';
import { displayName, type Lead, type Locale } from '../../shared/lead.ts';
import type { TaskType } from '../../shared/workspace.ts';
import { formatNumber, formatWhen, isolateLtr, RTL } from './layout.ts';

/**
 * The short form of each rep and manager message, for SMS, team chat and WhatsApp: a title, a few plain lines and
 * the lead's link. Names and answers are user text: they are isolated (FSI…PDI) so a Latin name keeps its place
 * in an Arabic line and the other way round; numbers and links are isolated left to right.
 */
export type ShortText = { title: string; lines: string[]; linkLabel: string; rtl: boolean };

type Strings = {
  assignment: (name: string) => string;
  reminder: (name: string) => string;
  escalation: (name: string, rep: string, minutes: string) => string;
  taskReminder: (type: string, name: string) => string;
  team: (name: string, rep: string) => string;
  phone: string;
  source: string;
  score: string;
  due: string;
  open: string;
  unnamed: string;
  sources: Record<Lead['source'], string>;
  types: Record<TaskType, string>;
};

const STRINGS: Record<Locale, Strings> = {
  en: {
    assignment: (name) => `New lead for you: ${name}`,
    reminder: (name) => `Reminder: ${name} is still waiting for your call`,
    escalation: (name, rep, minutes) =>
      `Escalation: ${rep} has not contacted ${name} within ${minutes} minutes`,
    taskReminder: (type, name) => `Time to ${type} ${name}`,
    team: (name, rep) => `New lead ${name} → ${rep}`,
    phone: 'Phone',
    source: 'Source',
    score: 'Score',
    due: 'Planned for',
    open: 'Open the lead',
    unnamed: 'an unnamed lead',
    sources: {
      'web-form': 'Web form',
      facebook: 'Facebook Lead Ads',
      google: 'Google Ads',
      import: 'Import',
    },
    types: { call: 'call', meeting: 'meet', email: 'email', other: 'follow up with' },
  },
  ar: {
    assignment: (name) => `عميل محتمل جديد لك: ${name}`,
    reminder: (name) => `تذكير: ${name} ما زال ينتظر اتصالك`,
    escalation: (name, rep, minutes) => `تصعيد: لم يتواصل ${rep} مع ${name} خلال ${minutes} دقيقة`,
    taskReminder: (type, name) => `حان وقت ${type} ${name}`,
    team: (name, rep) => `عميل محتمل جديد ${name} ← ${rep}`,
    phone: 'الهاتف',
    source: 'المصدر',
    score: 'التقييم',
    due: 'مخطط له في',
    open: 'فتح العميل',
    unnamed: 'عميل بلا اسم',
    sources: {
      'web-form': 'نموذج الموقع',
      facebook: 'إعلانات فيسبوك',
      google: 'إعلانات جوجل',
      import: 'استيراد',
    },
    types: { call: 'الاتصال بـ', meeting: 'الاجتماع مع', email: 'مراسلة', other: 'متابعة' },
  },
  fa: {
    assignment: (name) => `سرنخ جدید برای شما: ${name}`,
    reminder: (name) => `یادآوری: ${name} هنوز منتظر تماس شماست`,
    escalation: (name, rep, minutes) => `ارجاع: ${rep} در ${minutes} دقیقه با ${name} تماس نگرفته است`,
    taskReminder: (type, name) => `وقت ${type} ${name} است`,
    team: (name, rep) => `سرنخ جدید ${name} ← ${rep}`,
    phone: 'تلفن',
    source: 'منبع',
    score: 'امتیاز',
    due: 'برنامه‌ریزی‌شده برای',
    open: 'باز کردن سرنخ',
    unnamed: 'سرنخ بی‌نام',
    sources: {
      'web-form': 'فرم وب‌سایت',
      facebook: 'تبلیغات فیسبوک',
      google: 'تبلیغات گوگل',
      import: 'درون‌ریزی',
    },
    types: { call: 'تماس با', meeting: 'دیدار با', email: 'ایمیل به', other: 'پیگیری' },
  },
};

const FSI = '\u2068';
const PDI = '\u2069';
/** User text of either direction, kept whole inside a line of the other. */
export const isolate = (value: string) => `${FSI}${value}${PDI}`;

/** The lead's source in the reader's language. */
export function sourceLabel(source: Lead['source'], locale: Locale): string {
  return STRINGS[locale].sources[source];
}

/** What the text names the lead by: its name, or the locale's word for an unnamed lead. */
export function leadLabel(lead: Lead, locale: Locale): string {
  return isolate(displayName(lead.contact) ?? STRINGS[locale].unnamed);
}

function details(lead: Lead, locale: Locale): string[] {
  const s = STRINGS[locale];
  return [
    ...(lead.contact.phone ? [`${s.phone}: ${isolateLtr(lead.contact.phone)}`] : []),
    `${s.source}: ${s.sources[lead.source]}`,
    `${s.score}: ${formatNumber(lead.score.total, locale)}`,
  ];
}

export type ShortTextInput =
  | { kind: 'assignment' | 'reminder'; lead: Lead; locale: Locale }
  | { kind: 'escalation'; lead: Lead; locale: Locale; repName: string; minutes: number }
  | { kind: 'taskReminder'; lead: Lead; locale: Locale; taskType: TaskType; dueAt: string; timeZone: string };

export function shortText(input: ShortTextInput): ShortText {
  const { lead, locale } = input;
  const s = STRINGS[locale];
  const name = leadLabel(lead, locale);
  const base = { linkLabel: s.open, rtl: RTL[locale] };
  const kind: NoticeKind = input.kind;
  switch (input.kind) {
    case 'assignment':
      return { ...base, title: s.assignment(name), lines: details(lead, locale) };
    case 'reminder':
      return { ...base, title: s.reminder(name), lines: details(lead, locale) };
    case 'escalation':
      return {
        ...base,
        title: s.escalation(name, isolate(input.repName), formatNumber(Math.round(input.minutes), locale)),
        lines: details(lead, locale),
      };
    case 'taskReminder':
      return {
        ...base,
        title: s.taskReminder(s.types[input.taskType], name),
        lines: [`${s.due}: ${formatWhen(input.dueAt, locale, input.timeZone)}`, ...details(lead, locale)],
      };
    default:
      throw new Error(`no short text for ${kind}`);
  }
}

/** The team channel's line for an assignment: who got which lead. */
export function teamAssignmentText(lead: Lead, locale: Locale, repName: string): ShortText {
  const s = STRINGS[locale];
  return {
    title: s.team(leadLabel(lead, locale), isolate(repName)),
    lines: details(lead, locale),
    linkLabel: s.open,
    rtl: RTL[locale],
  };
}
