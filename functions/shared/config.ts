import { ChatWebhook, NOTICE_KINDS, NotificationsConfig, PersonChannels } from './channel-config.ts';
import { ConditionSchema, LeadFieldPath } from './conditions.ts';
import { CrmConfig } from './crm/crm-config.ts';
import { formatPath } from './errors.ts';
import { Locale } from './lead.ts';
import { CurrencyCode, DatedRate } from './money.ts';
import { CountryCode, Day, DUPLICATE_WINDOW_MINUTES, RepConfig, Slug, WorkingHours } from './rep-config.ts';
import { DISABLE_AFTER_HOURS, RETRY_SECONDS } from './webhooks.ts';
import * as z from './zod.ts';

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
  allowedOrigins: z._default(z.array(z.union([z.literal('*'), z.url()])).check(z.minLength(1)), ['*']),
  /** Posted field name → lead field, for forms whose inputs are not named like the lead fields. */
  fields: z._default(z.record(z.string().check(z.minLength(1)), ContactField), {}),
  /** Lead fields that must be present; `email-or-phone` accepts either. */
  required: z._default(z.array(z.union([ContactField, z.literal('email-or-phone')])), ['email-or-phone']),
  /** Where a plain HTML form is sent (303) after a successful post. */
  redirect: z.optional(z.url()),
  /** A hidden input that people leave empty and bots fill in. */
  honeypot: z.optional(z.string().check(z.minLength(1))),
  defaultCountry: z.optional(CountryCode),
  locale: z._default(Locale, 'en'),
  /** Submissions larger than this get 413. */
  maxBodyBytes: z._default(z.number().check(z.int(), z.gte(1024), z.lte(1_048_576)), 65_536),
  /** The same body posted again within this window (a double click, a browser retry) is one lead. */
  duplicateWindowMinutes: z._default(
    z.number().check(z.int(), z.gte(0), z.lte(1440)),
    DUPLICATE_WINDOW_MINUTES,
  ),
  test: z._default(z.boolean(), false),
});
export type FormConfig = z.infer<typeof FormConfig>;

const PlatformId = z.string().check(z.regex(/^\d+$/, 'a numeric id, written as a string'));

export const FacebookConfig = z.strictObject({
  appSecret: z.string().check(z.minLength(8)),
  verifyToken: z.string().check(z.minLength(8)),
  pageAccessToken: z.string().check(z.minLength(1)),
  graphApiVersion: z._default(z.string().check(z.regex(/^v\d+\.\d+$/)), 'v23.0'),
  /** Lead forms the reconcile job sweeps for leads whose webhook never arrived. */
  forms: z._default(z.array(PlatformId), []),
  /** How far back each reconcile run looks. */
  reconcileLookbackHours: z._default(z.number().check(z.int(), z.gte(1), z.lte(24 * 90)), 48),
  defaultCountry: z.optional(CountryCode),
  locale: z._default(Locale, 'en'),
});
export type FacebookConfig = z.infer<typeof FacebookConfig>;

export const GoogleConfig = z.strictObject({
  /** The default `google_key`; a form may carry its own in `forms`. */
  key: z.string().check(z.minLength(8)),
  forms: z._default(z.record(PlatformId, z.strictObject({ key: z.string().check(z.minLength(8)) })), {}),
  /** `flag`: Google's "Send test data" leads are stored as test leads (not routed, mailed or counted); `route`: treated as real. */
  testLeads: z._default(z.enum(['flag', 'route']), 'flag'),
  defaultCountry: z.optional(CountryCode),
  locale: z._default(Locale, 'en'),
});
export type GoogleConfig = z.infer<typeof GoogleConfig>;

export const ScoringRule = z.strictObject({
  id: Slug,
  description: z.optional(z.string()),
  when: ConditionSchema,
  points: z.number().check(z.int(), z.gte(-1000), z.lte(1000)),
});
export type ScoringRule = z.infer<typeof ScoringRule>;

export const SegmentRule = z.strictObject({
  id: Slug,
  when: ConditionSchema,
});
export type SegmentRule = z.infer<typeof SegmentRule>;

/** Minutes may be fractional (0.1 = 6 s): local runs and tests use second-long clocks. */
const Minutes = z.number().check(z.positive(), z.lte(525_600));

export const EscalationConfig = z.strictObject({
  /** Give the lead to the next available rep in the pool. */
  reassign: z._default(z.boolean(), true),
  /** Mail the pool's manager. */
  notifyManager: z._default(z.boolean(), true),
  /** How often one lead may be passed on; after that it stays and only the manager hears (no hot potato). */
  maxReassignments: z._default(z.number().check(z.int(), z.gte(0), z.lte(10)), 1),
});

/** A first-contact clock: a reminder at the deadline, escalation at the second one (if set). */
export const SlaPolicy = z.strictObject({
  firstContactMinutes: z.optional(Minutes),
  escalateAfterMinutes: z.optional(Minutes),
  escalation: z.optional(EscalationConfig),
});
export type SlaPolicy = z.infer<typeof SlaPolicy>;

export const Manager = z.strictObject({
  name: z.string().check(z.minLength(1)),
  email: z.email(),
  locale: z._default(Locale, 'en'),
  channels: z.optional(PersonChannels),
});
export type Manager = z.infer<typeof Manager>;

export const PoolConfig = z.strictObject({
  id: Slug,
  /** The pool takes leads in any of these segments; a pool with none takes only what no other pool takes. */
  segments: z._default(z.array(Slug), []),
  reps: z.array(Slug).check(z.minLength(1)),
  /** Only reps inside their working hours get leads (otherwise hours do not matter). */
  requireWorkingHours: z._default(z.boolean(), false),
  /** When nobody in the pool can take a lead: another pool, or a named owner. Without one, the lead waits. */
  fallback: z.optional(z.union([z.strictObject({ pool: Slug }), z.strictObject({ owner: Slug })])),
  /** Who hears of escalations in this pool. */
  manager: z.optional(Manager),
  /** The pool's own first-contact clock (a segment's clock wins over it). */
  sla: z.optional(SlaPolicy),
  /** The team's channel: a message for each assignment and escalation in the pool, with the lead's link. */
  teamChat: z.optional(ChatWebhook),
});
export type PoolConfig = z.infer<typeof PoolConfig>;

/** A marketing email in one language: subject and paragraphs; `{{firstName}}`-style fields are filled in, escaped. */
export const NurtureText = z.strictObject({
  subject: z.string().check(z.minLength(1), z.maxLength(200)),
  /** Paragraphs separated by blank lines. */
  body: z.string().check(z.minLength(1), z.maxLength(20_000)),
});

export const NurtureStep = z.strictObject({
  /** Minutes after the previous step (the first step: after the lead arrived). */
  afterMinutes: z.number().check(z.gte(0), z.lte(525_600)),
  template: Slug,
});

export const NurtureSequence = z.strictObject({
  id: Slug,
  /** Leads in any of these segments; none means every lead. */
  segments: z._default(z.array(Slug), []),
  /** Languages the sequence is written in; leads in another language are not enrolled. */
  locales: z._default(z.array(Locale).check(z.minLength(1)), ['en', 'ar', 'fa']),
  /**
   * The lawful basis for mailing: `consent` mails only leads who gave consent on the form (GDPR art. 6(1)(a),
   * the safe default); `legitimate-interest` mails every lead who left an email address.
   */
  lawfulBasis: z._default(z.enum(['consent', 'legitimate-interest']), 'consent'),
  /** `contacted`: stop once a rep made contact (or the lead closed); `closed`: only when won or lost. */
  stopWhen: z._default(z.enum(['contacted', 'closed']), 'contacted'),
  steps: z.array(NurtureStep).check(z.minLength(1), z.maxLength(50)),
});
export type NurtureSequence = z.infer<typeof NurtureSequence>;

export const NurtureConfig = z.strictObject({
  /** The first sequence a lead matches (segment, language, lawful basis) is the one it gets. */
  sequences: z._default(z.array(NurtureSequence), []),
  /** Template id → language → text. */
  templates: z._default(z.record(Slug, z.partialRecord(Locale, NurtureText)), {}),
});
export type NurtureConfig = z.infer<typeof NurtureConfig>;

export const Grade = z.strictObject({
  grade: z.string().check(z.minLength(1), z.maxLength(10)),
  min: z.number(),
});

const Percent = z.number().check(z.gte(0), z.lte(100));

// A section left out is parsed from `{}` (`prefault`), so each default is written once, on its field.
export const Config = z
  .strictObject({
    normalisation: z.prefault(
      z.strictObject({
        /** Tried last for numbers written without a country code. */
        homeCountry: z.optional(CountryCode),
        /** Campaign id, campaign name or utm_campaign → the country its national phone numbers belong to. */
        campaignCountries: z._default(z.record(z.string().check(z.minLength(1)), CountryCode), {}),
      }),
      {},
    ),
    duplicates: z.prefault(
      z.strictObject({
        /** A returning person (same valid phone or email) within this many days becomes a touch on their lead. */
        windowDays: z._default(z.number().check(z.int(), z.gte(1), z.lte(3650)), 365),
        /** A person whose lead is won or lost comes back as a new lead instead of a touch. */
        reopenClosed: z._default(z.boolean(), false),
      }),
      {},
    ),
    sources: z.strictObject({
      forms: z._default(z.record(Slug, FormConfig), {}),
      facebook: z.optional(FacebookConfig),
      google: z.optional(GoogleConfig),
    }),
    scoring: z.prefault(
      z.strictObject({
        rules: z._default(z.array(ScoringRule), []),
        segments: z._default(z.array(SegmentRule), []),
        /** The highest `min` a score reaches names its grade. */
        grades: z._default(z.array(Grade), []),
        /** Marketing- and sales-qualified from these totals. */
        thresholds: z.optional(z.strictObject({ mql: z.number(), sql: z.number() })),
      }),
      {},
    ),
    routing: z.strictObject({
      reps: z.array(RepConfig).check(z.minLength(1)),
      pools: z.array(PoolConfig).check(z.minLength(1)),
      defaultPool: Slug,
      /** A lead nobody can take is tried again this often (SQS delay, at most 15 minutes). */
      retryUnassignedSeconds: z._default(z.number().check(z.int(), z.gte(1), z.lte(900)), 900),
    }),
    sla: z.prefault(
      z.strictObject({
        /** Minutes from an assignment to first contact, counted in the owner's business hours. */
        firstContactMinutes: z._default(Minutes, 15),
        /** Minutes from the assignment to escalation when nobody made contact; no escalation without it. */
        escalateAfterMinutes: z.optional(Minutes),
        escalation: z.prefault(EscalationConfig, {}),
        /** Count only the rep's working hours (reps without working hours count wall-clock time). */
        businessHours: z._default(z.boolean(), true),
        /** Clocks per segment: the first of a lead's segments listed here wins over the pool's clock. */
        segments: z._default(z.record(Slug, SlaPolicy), {}),
      }),
      {},
    ),
    nurture: z.prefault(NurtureConfig, {}),
    calendar: z.prefault(
      z.strictObject({
        /** Public holidays by country: no working hours on these local dates. */
        holidays: z._default(z.record(CountryCode, z.array(Day)), {}),
      }),
      {},
    ),
    workspace: z.prefault(
      z.strictObject({
        /** Why a lead can be disqualified; reported by source and campaign (which campaigns bring junk). */
        disqualifyReasons: z._default(z.array(Slug).check(z.minLength(1)), [
          'spam',
          'wrong-number',
          'not-a-buyer',
          'duplicate',
          'out-of-area',
        ]),
      }),
      {},
    ),
    money: z.prefault(
      z.strictObject({
        /** Every report's currency: deal values and spend in other currencies convert at the rates below. */
        reportingCurrency: z._default(CurrencyCode, 'USD'),
        /** Units of the reporting currency per unit of another, each from a day on: fixed, never looked up. */
        rates: z._default(z.record(CurrencyCode, z.array(DatedRate).check(z.minLength(1))), {}),
        /** The chance (percent) an open lead in each stage is won: the forecast weighs its value by it. */
        stageProbabilities: z.prefault(
          z.strictObject({
            new: z._default(Percent, 5),
            unassigned: z._default(Percent, 5),
            assigned: z._default(Percent, 5),
            contacted: z._default(Percent, 10),
            qualified: z._default(Percent, 40),
          }),
          {},
        ),
        /** Campaign id → the name reports show (Google's webhook sends only ids; spend reports may too). */
        campaignNames: z._default(
          z.record(z.string().check(z.minLength(1)), z.string().check(z.minLength(1), z.maxLength(200))),
          {},
        ),
      }),
      {},
    ),
    /** Outbound webhooks: how long a failing delivery is retried, and when a failing subscriber is disabled. */
    webhooks: z.prefault(
      z.strictObject({
        /** The wait before each retry; after the last, the event waits in the timer DLQ for a redrive. */
        retrySeconds: z._default(
          z.array(z.number().check(z.int(), z.gte(1), z.lte(86_400))).check(z.minLength(1), z.maxLength(20)),
          RETRY_SECONDS,
        ),
        disableAfterHours: z._default(z.number().check(z.gte(1), z.lte(720)), DISABLE_AFTER_HOURS),
      }),
      {},
    ),
    /** The CRM every lead is pushed to (Odoo), kept up to date one way. */
    crm: z.prefault(CrmConfig, {}),
    /** WhatsApp, SMS and team chat besides email, and which message kinds go where. */
    notifications: z.prefault(NotificationsConfig, {}),
    mail: z.strictObject({
      from: z.email(),
      fromName: z._default(
        z.string().check(z.regex(/^[^\r\n"<>]*$/, 'no line breaks, quotes or angle brackets')),
        'leadpipe',
      ),
      /** Base URL of the HTTP API, used for links in emails. */
      publicBaseUrl: z.url(),
      /** Signs the action links in reps' emails (a secret: SSM in AWS). */
      linkSigningKey: z.string().check(z.minLength(16)),
      /** How long an action link in an email works. */
      actionLinkDays: z._default(z.number().check(z.int(), z.gte(1), z.lte(90)), 14),
    }),
  })
  .check(
    z.superRefine((config, ctx) => {
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
    }),
  );
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
