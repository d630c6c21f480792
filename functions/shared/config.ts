import * as z from 'zod';
import { ChatWebhook, NOTICE_KINDS, NotificationsConfig, PersonChannels } from './channel-config.ts';
import { ConditionSchema, LeadFieldPath } from './conditions.ts';
import { CrmConfig } from './crm/crm-config.ts';
import { formatPath } from './errors.ts';
import { Locale } from './lead.ts';
import { CurrencyCode, DatedRate } from './money.ts';
import { CountryCode, Day, DUPLICATE_WINDOW_MINUTES, RepConfig, Slug, WorkingHours } from './rep-config.ts';
import { DISABLE_AFTER_HOURS, RETRY_SECONDS } from './webhooks.ts';

/** The fields a form can map onto; anything else a form posts is kept as an answer. */
export const ContactField = z.enum([
  'name',
  'firstName',
  'lastName',
  'email',
  'phone',
  'company',
  'jobTitle',
  'city',
  'region',
  'postalCode',
  'country',
  'message',
]);
export type ContactField = z.infer<typeof ContactField>;

export const FormConfig = z.strictObject({
  /** Browser origins allowed to post (CORS); `*` allows any origin. */
  allowedOrigins: z
    .array(z.union([z.literal('*'), z.url()]))
    .min(1)
    .default(['*']),
  /** Posted field name → lead field, for forms whose inputs are not named like the lead fields. */
  fields: z.record(z.string().min(1), ContactField).default({}),
  /** Lead fields that must be present; `email-or-phone` accepts either. */
  required: z.array(z.union([ContactField, z.literal('email-or-phone')])).default(['email-or-phone']),
  /** Where a plain HTML form is sent (303) after a successful post. */
  redirect: z.url().optional(),
  /** A hidden input that people leave empty and bots fill in. */
  honeypot: z.string().min(1).optional(),
  defaultCountry: CountryCode.optional(),
  locale: Locale.default('en'),
  /** Submissions larger than this get 413. */
  maxBodyBytes: z.number().int().min(1024).max(1_048_576).default(65_536),
  /** The same body posted again within this window (a double click, a browser retry) is one lead. */
  duplicateWindowMinutes: z.number().int().min(0).max(1440).default(DUPLICATE_WINDOW_MINUTES),
  test: z.boolean().default(false),
});
export type FormConfig = z.infer<typeof FormConfig>;

const PlatformId = z.string().regex(/^\d+$/, 'a numeric id, written as a string');

export const FacebookConfig = z.strictObject({
  appSecret: z.string().min(8),
  verifyToken: z.string().min(8),
  pageAccessToken: z.string().min(1),
  graphApiVersion: z
    .string()
    .regex(/^v\d+\.\d+$/)
    .default('v23.0'),
  /** Lead forms the reconcile job sweeps for leads whose webhook never arrived. */
  forms: z.array(PlatformId).default([]),
  /** How far back each reconcile run looks. */
  reconcileLookbackHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(48),
  defaultCountry: CountryCode.optional(),
  locale: Locale.default('en'),
});
export type FacebookConfig = z.infer<typeof FacebookConfig>;

export const GoogleConfig = z.strictObject({
  /** The default `google_key`; a form may carry its own in `forms`. */
  key: z.string().min(8),
  forms: z.record(PlatformId, z.strictObject({ key: z.string().min(8) })).default({}),
  /** `flag`: Google's "Send test data" leads are stored as test leads (not routed, mailed or counted); `route`: treated as real. */
  testLeads: z.enum(['flag', 'route']).default('flag'),
  defaultCountry: CountryCode.optional(),
  locale: Locale.default('en'),
});
export type GoogleConfig = z.infer<typeof GoogleConfig>;

export const ScoringRule = z.strictObject({
  id: Slug,
  description: z.string().optional(),
  when: ConditionSchema,
  points: z.number().int().min(-1000).max(1000),
});
export type ScoringRule = z.infer<typeof ScoringRule>;

export const SegmentRule = z.strictObject({
  id: Slug,
  when: ConditionSchema,
});
export type SegmentRule = z.infer<typeof SegmentRule>;

/** Minutes may be fractional (0.1 = 6 s): local runs and tests use second-long clocks. */
const Minutes = z.number().positive().max(525_600);

export const EscalationConfig = z.strictObject({
  /** Give the lead to the next available rep in the pool. */
  reassign: z.boolean().default(true),
  /** Mail the pool's manager. */
  notifyManager: z.boolean().default(true),
  /** How often one lead may be passed on; after that it stays and only the manager hears (no hot potato). */
  maxReassignments: z.number().int().min(0).max(10).default(1),
});

/** A first-contact clock: a reminder at the deadline, escalation at the second one (if set). */
export const SlaPolicy = z.strictObject({
  firstContactMinutes: Minutes.optional(),
  escalateAfterMinutes: Minutes.optional(),
  escalation: EscalationConfig.optional(),
});
export type SlaPolicy = z.infer<typeof SlaPolicy>;

export const Manager = z.strictObject({
  name: z.string().min(1),
  email: z.email(),
  locale: Locale.default('en'),
  channels: PersonChannels.optional(),
});
export type Manager = z.infer<typeof Manager>;

export const PoolConfig = z.strictObject({
  id: Slug,
  /** The pool takes leads in any of these segments; a pool with none takes only what no other pool takes. */
  segments: z.array(Slug).default([]),
  reps: z.array(Slug).min(1),
  /** Only reps inside their working hours get leads (otherwise hours do not matter). */
  requireWorkingHours: z.boolean().default(false),
  /** When nobody in the pool can take a lead: another pool, or a named owner. Without one, the lead waits. */
  fallback: z.union([z.strictObject({ pool: Slug }), z.strictObject({ owner: Slug })]).optional(),
  /** Who hears of escalations in this pool. */
  manager: Manager.optional(),
  /** The pool's own first-contact clock (a segment's clock wins over it). */
  sla: SlaPolicy.optional(),
  /** The team's channel: a message for each assignment and escalation in the pool, with the lead's link. */
  teamChat: ChatWebhook.optional(),
});
export type PoolConfig = z.infer<typeof PoolConfig>;

/** A marketing email in one language: subject and paragraphs; `{{firstName}}`-style fields are filled in, escaped. */
export const NurtureText = z.strictObject({
  subject: z.string().min(1).max(200),
  /** Paragraphs separated by blank lines. */
  body: z.string().min(1).max(20_000),
});

export const NurtureStep = z.strictObject({
  /** Minutes after the previous step (the first step: after the lead arrived). */
  afterMinutes: z.number().min(0).max(525_600),
  template: Slug,
});

export const NurtureSequence = z.strictObject({
  id: Slug,
  /** Leads in any of these segments; none means every lead. */
  segments: z.array(Slug).default([]),
  /** Languages the sequence is written in; leads in another language are not enrolled. */
  locales: z.array(Locale).min(1).default(['en', 'ar', 'fa']),
  /**
   * The lawful basis for mailing: `consent` mails only leads who gave consent on the form (GDPR art. 6(1)(a),
   * the safe default); `legitimate-interest` mails every lead who left an email address.
   */
  lawfulBasis: z.enum(['consent', 'legitimate-interest']).default('consent'),
  /** `contacted`: stop once a rep made contact (or the lead closed); `closed`: only when won or lost. */
  stopWhen: z.enum(['contacted', 'closed']).default('contacted'),
  steps: z.array(NurtureStep).min(1).max(50),
});
export type NurtureSequence = z.infer<typeof NurtureSequence>;

export const NurtureConfig = z.strictObject({
  /** The first sequence a lead matches (segment, language, lawful basis) is the one it gets. */
  sequences: z.array(NurtureSequence).default([]),
  /** Template id → language → text. */
  templates: z.record(Slug, z.partialRecord(Locale, NurtureText)).default({}),
});
export type NurtureConfig = z.infer<typeof NurtureConfig>;

export const Grade = z.strictObject({ grade: z.string().min(1).max(10), min: z.number() });

const Percent = z.number().min(0).max(100);

// A section left out is parsed from `{}` (`prefault`), so each default is written once, on its field.
export const Config = z
  .strictObject({
    normalisation: z
      .strictObject({
        /** Tried last for numbers written without a country code. */
        homeCountry: CountryCode.optional(),
        /** Campaign id, campaign name or utm_campaign → the country its national phone numbers belong to. */
        campaignCountries: z.record(z.string().min(1), CountryCode).default({}),
      })
      .prefault({}),
    duplicates: z
      .strictObject({
        /** A returning person (same valid phone or email) within this many days becomes a touch on their lead. */
        windowDays: z.number().int().min(1).max(3650).default(365),
        /** A person whose lead is won or lost comes back as a new lead instead of a touch. */
        reopenClosed: z.boolean().default(false),
      })
      .prefault({}),
    sources: z.strictObject({
      forms: z.record(Slug, FormConfig).default({}),
      facebook: FacebookConfig.optional(),
      google: GoogleConfig.optional(),
    }),
    scoring: z
      .strictObject({
        rules: z.array(ScoringRule).default([]),
        segments: z.array(SegmentRule).default([]),
        /** The highest `min` a score reaches names its grade. */
        grades: z.array(Grade).default([]),
        /** Marketing- and sales-qualified from these totals. */
        thresholds: z.strictObject({ mql: z.number(), sql: z.number() }).optional(),
      })
      .prefault({}),
    routing: z.strictObject({
      reps: z.array(RepConfig).min(1),
      pools: z.array(PoolConfig).min(1),
      defaultPool: Slug,
      /** A lead nobody can take is tried again this often (SQS delay, at most 15 minutes). */
      retryUnassignedSeconds: z.number().int().min(1).max(900).default(900),
    }),
    sla: z
      .strictObject({
        /** Minutes from an assignment to first contact, counted in the owner's business hours. */
        firstContactMinutes: Minutes.default(15),
        /** Minutes from the assignment to escalation when nobody made contact; no escalation without it. */
        escalateAfterMinutes: Minutes.optional(),
        escalation: EscalationConfig.prefault({}),
        /** Count only the rep's working hours (reps without working hours count wall-clock time). */
        businessHours: z.boolean().default(true),
        /** Clocks per segment: the first of a lead's segments listed here wins over the pool's clock. */
        segments: z.record(Slug, SlaPolicy).default({}),
      })
      .prefault({}),
    nurture: NurtureConfig.prefault({}),
    calendar: z
      .strictObject({
        /** Public holidays by country: no working hours on these local dates. */
        holidays: z.record(CountryCode, z.array(Day)).default({}),
      })
      .prefault({}),
    workspace: z
      .strictObject({
        /** Why a lead can be disqualified; reported by source and campaign (which campaigns bring junk). */
        disqualifyReasons: z
          .array(Slug)
          .min(1)
          .default(['spam', 'wrong-number', 'not-a-buyer', 'duplicate', 'out-of-area']),
      })
      .prefault({}),
    money: z
      .strictObject({
        /** Every report's currency: deal values and spend in other currencies convert at the rates below. */
        reportingCurrency: CurrencyCode.default('USD'),
        /** Units of the reporting currency per unit of another, each from a day on: fixed, never looked up. */
        rates: z.record(CurrencyCode, z.array(DatedRate).min(1)).default({}),
        /** The chance (percent) an open lead in each stage is won: the forecast weighs its value by it. */
        stageProbabilities: z
          .strictObject({
            new: Percent.default(5),
            unassigned: Percent.default(5),
            assigned: Percent.default(5),
            contacted: Percent.default(10),
            qualified: Percent.default(40),
          })
          .prefault({}),
        /** Campaign id → the name reports show (Google's webhook sends only ids; spend reports may too). */
        campaignNames: z.record(z.string().min(1), z.string().min(1).max(200)).default({}),
      })
      .prefault({}),
    /** Outbound webhooks: how long a failing delivery is retried, and when a failing subscriber is disabled. */
    webhooks: z
      .strictObject({
        /** The wait before each retry; after the last, the event waits in the timer DLQ for a redrive. */
        retrySeconds: z.array(z.number().int().min(1).max(86_400)).min(1).max(20).default(RETRY_SECONDS),
        disableAfterHours: z.number().min(1).max(720).default(DISABLE_AFTER_HOURS),
      })
      .prefault({}),
    /** The CRM every lead is pushed to (Odoo), kept up to date one way. */
    crm: CrmConfig.prefault({}),
    /** WhatsApp, SMS and team chat besides email, and which message kinds go where. */
    notifications: NotificationsConfig.prefault({}),
    mail: z.strictObject({
      from: z.email(),
      fromName: z
        .string()
        .regex(/^[^\r\n"<>]*$/, 'no line breaks, quotes or angle brackets')
        .default('leadpipe'),
      /** Base URL of the HTTP API, used for links in emails. */
      publicBaseUrl: z.url(),
      /** Signs the action links in reps' emails (a secret: SSM in AWS). */
      linkSigningKey: z.string().min(16),
      /** How long an action link in an email works. */
      actionLinkDays: z.number().int().min(1).max(90).default(14),
    }),
  })
  .superRefine((config, ctx) => {
    /** The ids of a list, with an issue for each one that appears twice. */
    const uniqueIds = (items: readonly { id: string }[], path: (string | number)[], what: string) => {
      const ids = new Set<string>();
      items.forEach((item, i) => {
        if (ids.has(item.id))
          ctx.addIssue({
            code: 'custom',
            path: [...path, i, 'id'],
            message: `duplicate ${what} id "${item.id}"`,
          });
        ids.add(item.id);
      });
      return ids;
    };
    const reps = uniqueIds(config.routing.reps, ['routing', 'reps'], 'rep');
    const pools = uniqueIds(config.routing.pools, ['routing', 'pools'], 'pool');
    config.routing.pools.forEach((pool, i) => {
      pool.reps.forEach((repId, j) => {
        if (!reps.has(repId))
          ctx.addIssue({
            code: 'custom',
            path: ['routing', 'pools', i, 'reps', j],
            message: `unknown rep "${repId}"; define it under routing.reps`,
          });
      });
    });
    config.routing.pools.forEach((pool, i) => {
      const fallback = pool.fallback;
      if (fallback && 'pool' in fallback && !pools.has(fallback.pool))
        ctx.addIssue({
          code: 'custom',
          path: ['routing', 'pools', i, 'fallback', 'pool'],
          message: `unknown pool "${fallback.pool}"`,
        });
      if (fallback && 'owner' in fallback && !reps.has(fallback.owner))
        ctx.addIssue({
          code: 'custom',
          path: ['routing', 'pools', i, 'fallback', 'owner'],
          message: `unknown rep "${fallback.owner}"`,
        });
    });
    if (!pools.has(config.routing.defaultPool))
      ctx.addIssue({
        code: 'custom',
        path: ['routing', 'defaultPool'],
        message: `unknown pool "${config.routing.defaultPool}"; define it under routing.pools`,
      });
    uniqueIds(config.nurture.sequences, ['nurture', 'sequences'], 'sequence');
    config.nurture.sequences.forEach((sequence, i) => {
      sequence.steps.forEach((step, j) => {
        const template = config.nurture.templates[step.template];
        if (template === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['nurture', 'sequences', i, 'steps', j, 'template'],
            message: `unknown template "${step.template}"; define it under nurture.templates`,
          });
          return;
        }
        for (const locale of sequence.locales)
          if (template[locale] === undefined)
            ctx.addIssue({
              code: 'custom',
              path: ['nurture', 'sequences', i, 'steps', j, 'template'],
              message: `template "${step.template}" has no "${locale}" text, but the sequence is sent in ${locale}`,
            });
      });
    });
    uniqueIds(config.scoring.rules, ['scoring', 'rules'], 'rule');
    // A route may name only channels that are set up; a chat in Telegram needs the bot.
    const { notifications } = config;
    for (const kind of NOTICE_KINDS) {
      const route = notifications.routes[kind];
      for (const channel of [...route.try, ...route.always]) {
        const missing =
          channel === 'whatsapp' && notifications.whatsapp === undefined
            ? 'notifications.whatsapp'
            : channel === 'sms' && notifications.sms === undefined
              ? 'notifications.sms'
              : undefined;
        if (missing)
          ctx.addIssue({
            code: 'custom',
            path: ['notifications', 'routes', kind],
            message: `${kind} messages go by ${channel}, but ${missing} is not configured`,
          });
      }
    }
    const chats = [
      ...config.routing.reps.map((r, i) => ({ chat: r.channels?.chat, path: ['routing', 'reps', i] })),
      ...config.routing.pools.flatMap((p, i) => [
        { chat: p.teamChat, path: ['routing', 'pools', i, 'teamChat'] },
        { chat: p.manager?.channels?.chat, path: ['routing', 'pools', i, 'manager'] },
      ]),
    ];
    for (const { chat, path } of chats)
      if (chat?.kind === 'telegram' && notifications.telegram === undefined)
        ctx.addIssue({
          code: 'custom',
          path,
          message: 'a Telegram chat needs the bot: set notifications.telegram.botToken',
        });
  });
export type Config = z.infer<typeof Config>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source} is not a valid leadpipe configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** For a problem inside a scoring rule or segment, the rule's id, so the message names the rule too. */
function ruleName(raw: unknown, path: readonly PropertyKey[]): string {
  const [section, list, index] = path;
  if (section !== 'scoring' || (list !== 'rules' && list !== 'segments') || typeof index !== 'number')
    return '';
  const rules = (raw as { scoring?: Record<string, unknown> } | null)?.scoring?.[list];
  const id = Array.isArray(rules) ? (rules[index] as { id?: unknown } | undefined)?.id : undefined;
  return typeof id === 'string' ? ` (rule "${id}")` : '';
}

/** Validates parsed configuration; errors name every bad key the way it is written in YAML. */
export function validateConfig(raw: unknown, source = 'configuration'): Config {
  const result = Config.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(
      source,
      result.error.issues.map(
        (issue) =>
          `${formatPath(issue.path)}${ruleName(raw, issue.path)}: ${
            // zod says "expected string, received undefined" for a key that is not there at all.
            /received undefined$/.test(issue.message) ? 'required, but missing' : issue.message
          }`,
      ),
    );
  }
  return result.data;
}

export { DUPLICATE_WINDOW_MINUTES, formatPath, LeadFieldPath, RepConfig, WorkingHours };
