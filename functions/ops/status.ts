import type { Config } from '../shared/config.ts';
import { HttpError, issuesFromZod } from '../shared/errors.ts';
import type { Lead, LeadStatus, StatusChange } from '../shared/lead.ts';
import { fromMinor, MoneyInput, toReporting, type Valued } from '../shared/money.ts';
import * as z from '../shared/zod.ts';

/** What a rep (from an email action, the dashboard or the API) or a manager reports about a lead. */
export const StatusEvent = z
  .strictObject({
    type: z.enum(['contacted', 'qualified', 'won', 'lost', 'disqualified']),
    by: z.string().check(z.trim(), z.minLength(1), z.maxLength(100), z.regex(/^[^\r\n]*$/, 'one line')),
    reason: z.optional(z.string().check(z.trim(), z.maxLength(500))),
    competitor: z.optional(z.string().check(z.trim(), z.maxLength(200))),
    /** What the deal is worth: with `qualified` its expected value, with `won` the deal's. */
    amount: z.optional(z.union([z.number(), z.string()])),
    /** ISO 4217; the reporting currency when left out. */
    currency: z.optional(z.string()),
  })
  .check(
    z.refine(
      (e) => !['lost', 'disqualified'].includes(e.type) || (e.reason !== undefined && e.reason !== ''),
      {
        message: 'a lost or disqualified lead needs a reason',
        path: ['reason'],
      },
    ),
    z.refine((e) => e.amount === undefined || e.type === 'qualified' || e.type === 'won', {
      message: 'an amount goes with qualified or won',
      path: ['amount'],
    }),
  );
export type StatusEvent = z.infer<typeof StatusEvent>;

const OUTCOMES = ['won', 'lost', 'disqualified'] as const;

/**
 * The pipeline of the source documents: new → contacted → qualified → won, with lost and disqualified from any
 * open state. The three outcomes are final.
 */
const NEXT: Record<LeadStatus, readonly LeadStatus[]> = {
  new: ['contacted', 'qualified', ...OUTCOMES],
  unassigned: ['contacted', 'qualified', ...OUTCOMES],
  assigned: ['contacted', 'qualified', ...OUTCOMES],
  contacted: ['qualified', ...OUTCOMES],
  qualified: OUTCOMES,
  won: [],
  lost: [],
  disqualified: [],
};

const CONTACT: readonly LeadStatus[] = ['contacted', 'qualified', 'won'];

export type StatusUpdate = {
  status: LeadStatus;
  change: StatusChange;
  /** Set on the first contact only: it stops the speed-to-lead clock. */
  firstContactAt?: string;
  /** The amount the event came with: the expected value (qualified) or the deal's value (won). */
  value?: { field: 'expectedValue' | 'dealValue'; money: Valued };
};

/**
 * An amount as the API, a link's form or the dashboard sends it, checked: exact in its currency (the reporting
 * one when none is named), and convertible on the day (a rate in the config), else 400 naming what to fix.
 */
export function readMoney(
  input: { amount: number | string; currency?: string | undefined },
  money: Config['money'],
  day: string,
  path = 'amount',
): Valued {
  const parsed = MoneyInput.safeParse({
    amount: input.amount,
    currency: input.currency ?? money.reportingCurrency,
  });
  if (!parsed.success)
    throw new HttpError(
      400,
      'validation_failed',
      'The amount needs fixing.',
      issuesFromZod(parsed.error).map((i) => ({ ...i, path: i.path === 'currency' ? 'currency' : path })),
    );
  const reported = toReporting(parsed.data, money, day);
  if (reported === undefined)
    throw new HttpError(
      400,
      'no_rate',
      `There is no rate from ${parsed.data.currency} to ${money.reportingCurrency} on ${day}: add one under money.rates in the config, or give the amount in ${money.reportingCurrency}.`,
    );
  return { ...parsed.data, reported: fromMinor(reported, money.reportingCurrency).amount };
}

/** When the lead entered its current status: its last change, else its assignment, else its creation. */
export function stageStart(lead: Lead): string {
  return lead.statusHistory.at(-1)?.at ?? lead.assignment?.at ?? lead.createdAt;
}

/**
 * The change an event makes, or undefined when the lead is in that status already (a repeated click changes
 * nothing). A step backwards, or any step from an outcome, is refused with 409; a disqualification needs one of
 * the configured reasons (400). The change records how long the lead spent in the status it leaves.
 */
export function applyStatusEvent(
  lead: Lead,
  event: StatusEvent,
  now: Date,
  config: Pick<Config, 'workspace' | 'money'>,
): StatusUpdate | undefined {
  const { disqualifyReasons } = config.workspace;
  if (lead.status === event.type) return undefined;
  if (!NEXT[lead.status].includes(event.type)) {
    throw new HttpError(409, 'status_not_allowed', `A ${lead.status} lead cannot become ${event.type}.`);
  }
  if (event.type === 'disqualified' && !disqualifyReasons.includes(event.reason ?? ''))
    throw new HttpError(
      400,
      'unknown_reason',
      `A lead is disqualified for one of the configured reasons: ${disqualifyReasons.join(', ')}.`,
    );
  const at = now.toISOString();
  const value =
    event.amount === undefined
      ? undefined
      : {
          field: event.type === 'won' ? ('dealValue' as const) : ('expectedValue' as const),
          money: readMoney({ amount: event.amount, currency: event.currency }, config.money, at.slice(0, 10)),
        };
  const stageMinutes = Math.max(0, (now.getTime() - Date.parse(stageStart(lead))) / 60_000);
  return {
    status: event.type,
    change: {
      status: event.type,
      at,
      by: event.by,
      ...(event.reason ? { reason: event.reason.replace(/[\r\n]+/g, ' ') } : {}),
      ...(event.competitor ? { competitor: event.competitor } : {}),
      from: lead.status,
      stageMinutes: Math.round(stageMinutes * 100) / 100,
    },
    ...(lead.firstContactAt === undefined && CONTACT.includes(event.type) ? { firstContactAt: at } : {}),
    ...(value ? { value } : {}),
  };
}
