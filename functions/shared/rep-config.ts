import * as z from 'zod';
import { PersonChannels } from './channel-config.ts';
import { Locale } from './lead.ts';

// The configuration's building blocks and the rep schema, apart from config.ts: functions that read reps from
// the table need these, and none needs the whole configuration schema built at cold start (it is baked in).

export const Slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'use lowercase letters, digits and dashes (at most 63 characters)');

export const CountryCode = z
  .string()
  .regex(/^[A-Z]{2}$/, 'use a two-letter ISO 3166 country code such as SA, AE, IR');

/** A web form's double-submit window, also used for a dedupe key whose form is no longer configured. */
export const DUPLICATE_WINDOW_MINUTES = 10;

export const Time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time such as 09:00 or 17:30');
export const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date such as 2026-03-20');
export const TimeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'an IANA time zone such as Asia/Riyadh' },
);

export const WorkingHours = z.strictObject({
  start: Time,
  end: Time,
  /** ISO weekdays (1 = Monday … 7 = Sunday); by default, every day but the region's weekend. */
  days: z.array(z.number().int().min(1).max(7)).optional(),
});
export type WorkingHours = z.infer<typeof WorkingHours>;

export const RepConfig = z.strictObject({
  id: Slug,
  name: z.string().min(1),
  email: z.email(),
  locale: Locale.default('en'),
  timezone: TimeZone.default('UTC'),
  /** Country whose weekend and holidays the rep keeps (SA, EG: Fri–Sat; IR: Fri; AE: Sat–Sun). */
  region: CountryCode.optional(),
  weight: z.number().int().min(1).max(100).default(1),
  active: z.boolean().default(true),
  workingHours: WorkingHours.optional(),
  outOfOffice: z.array(z.strictObject({ from: Day, to: Day })).default([]),
  capacity: z
    .strictObject({
      maxOpen: z.number().int().min(1).optional(),
      perDay: z.number().int().min(1).optional(),
    })
    .optional(),
  /** WhatsApp, SMS and a personal chat webhook, tried as `notifications.routes` says. */
  channels: PersonChannels.optional(),
});
export type RepConfig = z.infer<typeof RepConfig>;
