import type { SecretName } from './secrets.ts';
import type { INDEX } from './table-schema.ts';

/** DynamoDB actions as IAM names them (a transaction is checked item by item, as IAM checks it). */
export type TableAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'BatchWriteItem'
  | 'ConditionCheckItem'
  | 'Query'
  | 'Scan';
export type IndexName = (typeof INDEX)[keyof typeof INDEX];
export type QueueName = 'intake' | 'routing' | 'timers';

/**
 * Everything a function touches in AWS, declared once. The stack derives the function's environment and IAM
 * grants from it; the local runner and the tests refuse, as IAM would, any request outside it; and a test
 * drives every function and fails on a declared access nothing used.
 */
export type Footprint = {
  /** The leads table: actions on the table itself, and the indexes the function queries. */
  table?: { actions: readonly TableAction[]; indexQueries?: readonly IndexName[] };
  /** Powertools idempotency records. */
  idempotencyTable?: readonly TableAction[];
  /** Queues the function sends to (sqs:SendMessage, which also covers SendMessageBatch). */
  sendsTo?: readonly QueueName[];
  /** SES SendEmail from the sending identity with the configuration set. */
  sendsMail?: boolean;
  /** End User Messaging SMS SendTextMessage from the configured origination identity. */
  sendsSms?: boolean;
  /** SSM parameters read once at cold start. */
  secrets?: readonly SecretName[];
  /** What invokes it besides API Gateway and schedules: queues (a batch at a time) and the table's stream. */
  triggers?: { queues?: readonly QueueName[]; tableStream?: boolean };
  /** Calls Meta's Graph API (its base URL is configurable so tests and the local runner use a fake). */
  callsGraphApi?: boolean;
};

/** The environment variable naming each queue's URL. */
export const QUEUE_URL_ENV = {
  intake: 'INTAKE_QUEUE_URL',
  routing: 'ROUTING_QUEUE_URL',
  timers: 'TIMER_QUEUE_URL',
} as const satisfies Record<QueueName, string>;

/** The resource-naming environment variables a footprint implies, as the stack sets them. */
export function footprintEnvNames(footprint: Footprint): string[] {
  return [
    ...(footprint.table ? ['TABLE_NAME'] : []),
    ...(footprint.idempotencyTable ? ['IDEMPOTENCY_TABLE_NAME'] : []),
    ...(footprint.sendsTo ?? []).map((q) => QUEUE_URL_ENV[q]),
    ...(footprint.sendsMail ? ['SES_CONFIGURATION_SET'] : []),
    ...(footprint.callsGraphApi ? ['GRAPH_API_BASE_URL'] : []),
  ];
}
