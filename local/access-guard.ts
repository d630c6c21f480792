import type { InitializeMiddleware, MiddlewareStack } from '@smithy/types';
import type { FunctionName } from '../functions/footprints.ts';
import type { Footprint, QueueName } from '../functions/shared/footprint.ts';
import type { Resources } from './resources.ts';

/** One access as IAM sees it: `service:Action resource`, e.g. `dynamodb:Query index/list`, `sqs:SendMessage routing`. */
export type Access = string;

/** The accesses a footprint grants, in the names `accessesOf` gives requests. */
export function grantedAccesses(footprint: Footprint): Set<Access> {
  const granted = new Set<Access>();
  for (const action of footprint.table?.actions ?? []) granted.add(`dynamodb:${action} table`);
  for (const index of footprint.table?.indexQueries ?? []) granted.add(`dynamodb:Query index/${index}`);
  for (const action of footprint.idempotencyTable ?? []) granted.add(`dynamodb:${action} idempotency-table`);
  for (const queue of footprint.sendsTo ?? []) granted.add(`sqs:SendMessage ${queue}`);
  if (footprint.sendsMail) granted.add('ses:SendEmail');
  if (footprint.sendsSms) granted.add('sms-voice:SendTextMessage');
  return granted;
}

/** The document client's command names, as the DynamoDB actions IAM checks. */
const DOCUMENT_ACTIONS: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  TransactWrite: 'TransactWriteItems',
  TransactGet: 'TransactGetItems',
};

/** What IAM checks for the transaction's items: each item's own action on its table. */
const TRANSACT_ACTIONS = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
};

type Input = {
  TableName?: string;
  IndexName?: string;
  QueueUrl?: string;
  RequestItems?: Record<string, unknown>;
  TransactItems?: Record<string, { TableName?: string } | undefined>[];
};

/**
 * The accesses one request needs, by the resource names the local runner uses. A request to a resource the
 * pipeline does not own is named by its raw name, so it can never match a grant.
 */
export function accessesOf(service: string, command: string, input: Input, resources: Resources): Access[] {
  const operation = command.replace(/Command$/, '');
  if (service === 'SQS') {
    const queue = (['intake', 'routing', 'timers'] as QueueName[]).find(
      (q) => resources[q].url === input.QueueUrl,
    );
    const action = operation === 'SendMessageBatch' ? 'SendMessage' : operation;
    return [`sqs:${action} ${queue ?? input.QueueUrl ?? 'unknown queue'}`];
  }
  if (service === 'SESv2') return [`ses:${operation}`];
  if (service === 'PinpointSMSVoiceV2') return [`sms-voice:${operation}`];
  if (service !== 'DynamoDB') return [`${service.toLowerCase()}:${operation}`];
  const table = (name: string | undefined) =>
    name === resources.tableName
      ? 'table'
      : name === resources.idempotencyTableName
        ? 'idempotency-table'
        : `${name}`;
  const action = DOCUMENT_ACTIONS[operation] ?? operation;
  if (action === 'TransactWriteItems')
    return (input.TransactItems ?? []).flatMap((item) =>
      Object.entries(TRANSACT_ACTIONS)
        .filter(([kind]) => item[kind] !== undefined)
        .map(([kind, itemAction]) => `dynamodb:${itemAction} ${table(item[kind]?.TableName)}`),
    );
  if (action === 'BatchGetItem' || action === 'BatchWriteItem')
    return Object.keys(input.RequestItems ?? {}).map((name) => `dynamodb:${action} ${table(name)}`);
  if (input.IndexName !== undefined) return [`dynamodb:${action} index/${input.IndexName}`];
  return [`dynamodb:${action} ${table(input.TableName)}`];
}

/** Thrown, as IAM answers, for a request outside the function's footprint. */
export class AccessDeniedError extends Error {
  override name = 'AccessDeniedException';
}

/**
 * IAM for the local runner and the tests: each function's clients refuse any request its footprint does not
 * grant (naming the footprint to change), and every access made is recorded, so a test can find grants that
 * nothing uses.
 */
export class AccessGuard {
  private readonly used = new Map<FunctionName, Set<Access>>();
  /** Requests refused, by function and access: none, when every footprint is complete. */
  readonly denied: string[] = [];

  constructor(private readonly resources: Resources) {}

  attach<I extends object, O extends object>(
    client: { middlewareStack: MiddlewareStack<I, O> },
    fn: FunctionName,
    footprint: Footprint,
  ): void {
    const granted = grantedAccesses(footprint);
    const used = this.used.get(fn) ?? new Set<Access>();
    this.used.set(fn, used);
    const guard: InitializeMiddleware<I, O> = (next, context) => async (args) => {
      const service = (context.clientName ?? 'Unknown').replace(/Client$/, '');
      for (const access of accessesOf(
        service,
        context.commandName ?? 'Unknown',
        args.input as Input,
        this.resources,
      )) {
        if (!granted.has(access)) {
          this.denied.push(`${fn} ${access}`);
          throw new AccessDeniedError(
            `${fn} is not granted ${access}: add it to functions/${fn}/footprint.ts if the function needs it`,
          );
        }
        used.add(access);
      }
      return next(args);
    };
    client.middlewareStack.add(guard, {
      step: 'initialize',
      name: `leadpipeAccessGuard-${fn}`,
      priority: 'high',
    });
  }

  /** Accesses each function made since the guard was attached. */
  usedBy(fn: FunctionName): Set<Access> {
    return new Set(this.used.get(fn) ?? []);
  }
}
