import type { Lang } from './i18n.ts';

export type Calendar = 'gregory' | 'persian';

/** What the viewer chose: language, calendar (Solar Hijri for Persian when asked) and time zone. */
export type Viewpoint = { lang: Lang; calendar: Calendar; timeZone: string };

/**
 * The BCP 47 locale a viewpoint formats with: Arabic-Indic digits for Arabic, Extended Arabic-Indic (Persian)
 * digits for Persian, and the chosen calendar.
 */
export function localeOf(view: Viewpoint): string {
  const base = view.lang === 'en' ? 'en-GB' : view.lang === 'ar' ? 'ar-SA' : 'fa-IR';
  const numbering = view.lang === 'ar' ? 'arab' : view.lang === 'fa' ? 'arabext' : 'latn';
  return `${base}-u-nu-${numbering}-ca-${view.calendar}`;
}

export type Formatters = ReturnType<typeof formatters>;

export function formatters(view: Viewpoint) {
  const locale = localeOf(view);
  const integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const decimal = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  const dateTime = new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: view.timeZone,
  });
  // A UTC day (the KPI's unit) is shown as that calendar day, not shifted into the viewer's zone.
  const day = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' });
  return {
    locale,
    integer: (n: number) => integer.format(n),
    decimal: (n: number) => decimal.format(n),
    /** From a percentage figure (42.5 → "42.5%"), in the locale's digits and sign. */
    percent: (n: number) => percent.format(n / 100),
    dateTime: (iso: string) => dateTime.format(new Date(iso)),
    day: (isoDay: string) => day.format(new Date(`${isoDay}T00:00:00Z`)),
    /** An exact decimal amount (a string, never a float) in its currency, the locale's digits and symbol. */
    money: (amount: string, currency: string) =>
      new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amount as `${number}`),
    /** A duration in minutes, in the unit a manager reads it in. */
    minutes: (n: number, units: { minutes: string; hours: string; days: string }) =>
      n < 120
        ? `${decimal.format(n)} ${units.minutes}`
        : n < 2880
          ? `${decimal.format(n / 60)} ${units.hours}`
          : `${decimal.format(n / 1440)} ${units.days}`,
  };
}
