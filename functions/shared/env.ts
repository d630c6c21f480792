import * as z from './zod.ts';

export const TableEnv = z.object({ TABLE_NAME: z.string().check(z.minLength(3)) });
export const IdempotencyEnv = z.object({ IDEMPOTENCY_TABLE_NAME: z.string().check(z.minLength(3)) });
export const IntakeQueueEnv = z.object({ INTAKE_QUEUE_URL: z.url() });
export const RoutingQueueEnv = z.object({ ROUTING_QUEUE_URL: z.url() });
export const TimerQueueEnv = z.object({ TIMER_QUEUE_URL: z.url() });
export const MailEnv = z.object({ SES_CONFIGURATION_SET: z.optional(z.string().check(z.minLength(1))) });
/** The dashboard's Cognito sign-in: the managed login's host name and the page's app client. */
export const DashboardEnv = z.object({
  DASHBOARD_SIGN_IN_DOMAIN: z.string().check(z.minLength(1)),
  DASHBOARD_CLIENT_ID: z.string().check(z.minLength(1)),
});

/** Reads the function's environment at cold start; a missing variable stops the function with its name. */
export function parseEnv<T extends z.ZodMiniType>(
  schema: T,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const names = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`function environment is incomplete: ${names}`);
  }
  return result.data;
}
/** Meta's Graph API; the local runner and the tests point it at a fake. */
export const DEFAULT_GRAPH_API_BASE_URL = 'https://graph.facebook.com';
export const GraphEnv = z.object({ GRAPH_API_BASE_URL: z._default(z.url(), DEFAULT_GRAPH_API_BASE_URL) });

/**
 * Outbound HTTP to addresses others chose (chat webhooks, subscribers): loopback is allowed only where the local
 * runner sets this (its receivers live there); the stack never sets it. Telegram's API base is replaceable
 * for the same reason.
 */
export const OutboundEnv = z.object({
  OUTBOUND_ALLOW_LOOPBACK: z._default(z.enum(['true', 'false']), 'false'),
  TELEGRAM_API_BASE_URL: z._default(z.url(), 'https://api.telegram.org'),
});
