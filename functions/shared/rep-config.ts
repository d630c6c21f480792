import { PersonChannels } from './channel-config.ts';
import { Locale } from './lead.ts';
import * as z from './zod.ts';

// The configuration's building blocks and the rep schema, apart from config.ts: functions that read reps from
// the table need these, and none needs the whole configuration schema built at cold start (it is baked in).

export const Slug = z
  .string()
  .check(
    z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'use lowercase letters, digits and dashes (at most 63 characters)'),
  );

export const CountryCode = z
  .string()
  .check(z.regex(/^[A-Z]{2}$/, 'use a two-letter ISO 3166 country code such as SA, AE, IR'));

/** A web form's double-submit window, also used for a dedupe key whose form is no longer configured. */
export const DUPLICATE_WINDOW_MINUTES = 10;

export const Time = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time such as 09:00 or 17:30'));
export const Day = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'a date such as 2026-03-20'));
export const TimeZone = z.string().check(
  z.refine(
    (tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'an IANA time zone such as Asia/Riyadh' },
  ),
);

export const WorkingHours = z.strictObject({
  start: Time,
  end: Time,
  /** ISO weekdays (1 = Monday … 7 = Sunday); by default, every day but the region's weekend. */
  days: z.optional(z.array(z.number().check(z.int(), z.gte(1), z.lte(7)))),
});
export type WorkingHours = z.infer<typeof WorkingHours>;

export const RepConfig = z.strictObject({
  id: Slug,
  name: z.string().check(z.minLength(1)),
  email: z.email(),
  locale: z._default(Locale, 'en'),
  timezone: z._default(TimeZone, 'UTC'),
  /** Country whose weekend and holidays the rep keeps (SA, EG: Fri–Sat; IR: Fri; AE: Sat–Sun). */
  region: z.optional(CountryCode),
  weight: z._default(z.number().check(z.int(), z.gte(1), z.lte(100)), 1),
  active: z._default(z.boolean(), true),
  workingHours: z.optional(WorkingHours),
  outOfOffice: z._default(z.array(z.strictObject({ from: Day, to: Day })), []),
  capacity: z.optional(
    z.strictObject({
      maxOpen: z.optional(z.number().check(z.int(), z.gte(1))),
      perDay: z.optional(z.number().check(z.int(), z.gte(1))),
    }),
  ),
  /** WhatsApp, SMS and a personal chat webhook, tried as `notifications.routes` says. */
  channels: z.optional(PersonChannels),
});
export type RepConfig = z.infer<typeof RepConfig>;
