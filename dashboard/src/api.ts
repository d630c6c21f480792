import * as z from 'zod/mini';
import { LEAD_STATUSES } from '../../functions/shared/lead-status.ts';
import { authorization, signInAgain } from './auth.ts';

/** The dashboard's own copies of the ops routes: a Cognito token authorizes them in AWS. */
const BASE = '/dashboard/api/v1';

/** The lead statuses, in pipeline order (the list's filter offers them so): plain data the functions share. */
export const STATUSES = LEAD_STATUSES;
const Status = z.enum(STATUSES);
export type Status = z.infer<typeof Status>;

const ResponseGroup = z.object({
  group: z.string(),
  contacted: z.number(),
  p50Minutes: z.nullable(z.number()),
  p90Minutes: z.nullable(z.number()),
  slaMetPercent: z.nullable(z.number()),
  bandsMinutes: z.record(z.string(), z.number()),
});
export type ResponseGroup = z.infer<typeof ResponseGroup>;

export const ResponseTimes = z.object({
  from: z.string(),
  to: z.string(),
  slaMinutes: z.optional(z.number()),
  groups: z.array(ResponseGroup),
});
export type ResponseTimes = z.infer<typeof ResponseTimes>;

const FunnelGroup = z.object({
  group: z.string(),
  new: z.number(),
  contacted: z.number(),
  qualified: z.number(),
  won: z.number(),
  lost: z.number(),
  disqualified: z.number(),
  disqualifiedReasons: z.record(z.string(), z.number()),
  contactedPercent: z.nullable(z.number()),
  qualifiedPercent: z.nullable(z.number()),
  wonPercent: z.nullable(z.number()),
});
export type FunnelGroup = z.infer<typeof FunnelGroup>;

export const Funnel = z.object({
  from: z.string(),
  to: z.string(),
  groups: z.array(FunnelGroup),
  days: z.optional(z.array(z.object({ day: z.string(), groups: z.array(FunnelGroup) }))),
});
export type Funnel = z.infer<typeof Funnel>;

const LeadSummary = z.object({
  id: z.string(),
  createdAt: z.string(),
  source: z.string(),
  status: Status,
  ownerId: z.optional(z.string()),
  segments: z.array(z.string()),
  test: z.boolean(),
  name: z.optional(z.string()),
  score: z.number(),
  campaign: z.optional(z.string()),
  nextTaskDueAt: z.optional(z.string()),
});
export type LeadSummary = z.infer<typeof LeadSummary>;

export const LeadPage = z.object({ leads: z.array(LeadSummary), next: z.optional(z.string()) });

const Assignment = z.object({
  repId: z.string(),
  poolId: z.string(),
  rule: z.optional(z.string()),
  reason: z.string(),
  by: z.optional(z.string()),
  at: z.string(),
});

const TaskType = z.enum(['call', 'meeting', 'email', 'other']);
export type TaskType = z.infer<typeof TaskType>;

export const Task = z.object({
  id: z.string(),
  leadId: z.string(),
  type: TaskType,
  dueAt: z.string(),
  note: z.optional(z.string()),
  ownerId: z.string(),
  leadName: z.optional(z.string()),
  status: z.enum(['open', 'done', 'cancelled']),
  createdAt: z.string(),
  createdBy: z.string(),
  overdue: z.optional(z.boolean()),
});
export type Task = z.infer<typeof Task>;

export const Agenda = z.object({ ownerId: z.string(), until: z.string(), tasks: z.array(Task) });

export const LeadDetail = z.object({
  notes: z.array(z.object({ id: z.string(), text: z.string(), by: z.string(), at: z.string() })),
  tasks: z.array(Task),
  /** Which channel reached whom: one per notice, channel and person. */
  messages: z._default(
    z.array(
      z.object({
        notice: z.string(),
        channel: z.string(),
        to: z.string(),
        at: z.string(),
        outcome: z.string(),
        status: z.optional(z.string()),
        detail: z.optional(z.string()),
      }),
    ),
    [],
  ),
  lead: z.object({
    id: z.string(),
    source: z.string(),
    formId: z.string(),
    createdAt: z.string(),
    contact: z.object({
      name: z.optional(z.string()),
      email: z.optional(z.string()),
      phone: z.optional(z.string()),
    }),
    score: z.object({
      total: z.number(),
      breakdown: z.array(z.object({ ruleId: z.string(), points: z.number() })),
    }),
    segments: z.array(z.string()),
    status: Status,
    ownerId: z.optional(z.string()),
    assignment: z.optional(Assignment),
    expectedValue: z.optional(z.object({ amount: z.string(), currency: z.string() })),
    dealValue: z.optional(z.object({ amount: z.string(), currency: z.string() })),
    expectedCloseDate: z.optional(z.string()),
    history: z.array(Assignment),
    firstContactAt: z.optional(z.string()),
    statusHistory: z.array(
      z.object({ status: Status, at: z.string(), by: z.string(), reason: z.optional(z.string()) }),
    ),
    touches: z.array(z.object({ id: z.string(), at: z.string(), source: z.string() })),
    followUps: z.array(
      z.object({
        id: z.string(),
        kind: z.string(),
        at: z.string(),
        repId: z.optional(z.string()),
        detail: z.optional(z.string()),
      }),
    ),
  }),
});
export type LeadDetail = z.infer<typeof LeadDetail>['lead'];

export const Reps = z.object({
  reps: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      active: z.boolean(),
      pausedReason: z.optional(z.string()),
      openLeads: z.number(),
      leadsToday: z.optional(z.number()),
    }),
  ),
});
export type Rep = z.infer<typeof Reps>['reps'][number];

/** Any JSON object: for answers whose content the page does not use. */
export const Acknowledged = z.looseObject({});

/** An error the API answered with: its message is written for a person. */
export class ApiError extends Error {}

export async function api<T>(
  schema: { parse(data: unknown): T },
  path: string,
  init?: { method: 'POST' | 'PATCH'; body: unknown },
): Promise<T> {
  const response = await fetch(`${BASE}${path}`, {
    method: init?.method ?? 'GET',
    headers: {
      accept: 'application/json',
      ...authorization(),
      ...(init ? { 'content-type': 'application/json' } : {}),
    },
    ...(init ? { body: JSON.stringify(init.body) } : {}),
  });
  if (response.status === 401) await signInAgain();
  const json: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const message = (json as { error?: { message?: string } } | undefined)?.error?.message;
    throw new ApiError(message ?? `${response.status} ${response.statusText}`);
  }
  return schema.parse(json);
}

export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') search.set(k, String(v));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** The dashboard's settings file: the sign-in (auth.ts reads it) and the configured disqualification reasons. */
const Settings = z.object({ disqualifyReasons: z.array(z.string()), reportingCurrency: z.string() });
let settings: Promise<z.infer<typeof Settings>> | undefined;
export function dashboardSettings(): Promise<z.infer<typeof Settings>> {
  settings ??= fetch('/dashboard/config.json')
    .then((r) => r.json())
    .then((json) => Settings.parse(json));
  return settings;
}

/**
 * The list as a spreadsheet, saved by the browser: every part of a large export in turn (each after the first
 * without its byte-order mark and header row), with the viewer's token.
 */
export async function downloadExport(params: Record<string, string | number | undefined>): Promise<number> {
  const parts: string[] = [];
  let path: string | undefined = `${BASE}/leads/export.csv${query(params)}`;
  while (path) {
    const response: Response = await fetch(path, { headers: { accept: 'text/csv', ...authorization() } });
    if (response.status === 401) await signInAgain();
    if (!response.ok) throw new ApiError(`${response.status} ${response.statusText}`);
    const text = await response.text();
    parts.push(parts.length === 0 ? text : text.replace(/^\uFEFF[^\r\n]*\r\n/, ''));
    const next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
    // The next part's path is the API's own (/v1/…); the dashboard calls its copy under its prefix.
    path = next ? `${BASE}${next.replace(/^.*?\/v1/, '')}` : undefined;
  }
  const blob = new Blob(parts, { type: 'text/csv;charset=utf-8' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = 'leads.csv';
  link.click();
  URL.revokeObjectURL(link.href);
  return parts.join('').split('\r\n').length - 2;
}

export const ImportView = z.object({
  id: z.string(),
  status: z.enum(['importing', 'done', 'interrupted']),
  rows: z.number(),
  created: z.number(),
  merged: z.number(),
  pending: z.number(),
  refused: z.array(z.object({ row: z.number(), code: z.string(), reason: z.string() })),
  refusedCount: z.number(),
  interrupted: z.optional(z.string()),
});
export type ImportView = z.infer<typeof ImportView>;

/** The server's limit (functions/shared/imports.ts): a larger file is refused here before it is sent. */
export const IMPORT_MAX_BYTES = 4 * 1024 * 1024;

/**
 * A spreadsheet sent as it is (its bytes, so a UTF-16 Meta download stays UTF-16), with the viewer's token;
 * answers the import's id. A refused file throws its message with the rows and columns to fix.
 */
export async function uploadImport(file: Blob, params: Record<string, string | undefined>): Promise<string> {
  const response = await fetch(`${BASE}/imports${query(params)}`, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/octet-stream', ...authorization() },
    body: file,
  });
  if (response.status === 401) await signInAgain();
  const json = (await response.json().catch(() => undefined)) as
    | { id?: string; error?: { message?: string; issues?: { path: string; message: string }[] } }
    | undefined;
  if (!response.ok || json?.id === undefined) {
    const issues = (json?.error?.issues ?? []).map((i) => `${i.path}: ${i.message}`).join('; ');
    throw new ApiError(
      `${json?.error?.message ?? `${response.status} ${response.statusText}`}${issues ? ` (${issues})` : ''}`,
    );
  }
  return json.id;
}

const RoiGroup = z.object({
  group: z.string(),
  currency: z.string(),
  spend: z.string(),
  leads: z.number(),
  costPerLead: z.nullable(z.string()),
  mqls: z.number(),
  sqls: z.number(),
  costPerSql: z.nullable(z.string()),
  mqlToSqlPercent: z.nullable(z.number()),
  contacted: z.number(),
  won: z.number(),
  revenue: z.string(),
  averageDealValue: z.nullable(z.string()),
  costPerWon: z.nullable(z.string()),
  roiPercent: z.nullable(z.number()),
  roas: z.nullable(z.number()),
  medianDaysToWon: z.nullable(z.number()),
});
export type RoiGroup = z.infer<typeof RoiGroup>;

export const Roi = z.object({
  from: z.string(),
  to: z.string(),
  currency: z.string(),
  groups: z.array(RoiGroup),
  weeks: z.array(z.object({ from: z.string(), spend: z.string(), revenue: z.string() })),
});

export const Forecast = z.object({
  currency: z.string(),
  groups: z.array(
    z.object({ group: z.string(), deals: z.number(), openValue: z.string(), weightedValue: z.string() }),
  ),
});
