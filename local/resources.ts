import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { LIST_INDEX } from '../functions/shared/aws/dynamo-lead-list.ts';
import { DUE_INDEX } from '../functions/shared/aws/dynamo-timer-store.ts';
import { INDEX } from '../functions/shared/table-schema.ts';

export type QueueRef = { url: string; arn: string; name: string };

export type Resources = {
  tableName: string;
  streamArn: string;
  idempotencyTableName: string;
  intake: QueueRef;
  intakeDlq: QueueRef;
  routing: QueueRef;
  routingDlq: QueueRef;
  /** Stream records that kept failing go here (the stream event source's on-failure destination). */
  nurtureFailures: QueueRef;
  /** Due timers, each hidden until its due time (DelaySeconds). */
  timers: QueueRef;
  timersDlq: QueueRef;
};

/** How long a received message stays hidden, and how many receives send it to its DLQ. */
export type QueueTiming = { visibilityTimeoutSeconds: number; maxReceiveCount: number };

/** Local queue timing: short, so retries and redrive are visible within seconds. */
export const LOCAL_QUEUE: QueueTiming = { visibilityTimeoutSeconds: 5, maxReceiveCount: 3 };

export async function createQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<QueueRef> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (QueueUrl === undefined) throw new Error(`queue ${name} was not created`);
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes?.QueueArn;
  if (arn === undefined) throw new Error(`queue ${name} has no ARN`);
  return { url: QueueUrl, arn, name };
}

async function createQueueWithDlq(
  sqs: SQSClient,
  name: string,
  timing: QueueTiming,
): Promise<[QueueRef, QueueRef]> {
  const dlq = await createQueue(sqs, `${name}-dlq`, { MessageRetentionPeriod: String(14 * 24 * 3600) });
  const queue = await createQueue(sqs, name, {
    VisibilityTimeout: String(timing.visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: dlq.arn,
      maxReceiveCount: timing.maxReceiveCount,
    }),
  });
  return [queue, dlq];
}

async function createTable(db: DynamoDBClient, input: ConstructorParameters<typeof CreateTableCommand>[0]) {
  try {
    await db.send(new CreateTableCommand(input));
  } catch (error) {
    // An on-disk database keeps its tables between runs.
    if (!(error instanceof ResourceInUseException)) throw error;
  }
}

/** The dashboard's lead list: new leads by creation day and shard, newest first, keys only. */
export const LIST_INDEX_SPEC = {
  IndexName: LIST_INDEX,
  KeySchema: [
    { AttributeName: 'listPk', KeyType: 'HASH' as const },
    { AttributeName: 'listSk', KeyType: 'RANGE' as const },
  ],
  Projection: { ProjectionType: 'KEYS_ONLY' as const },
};

/** Each rep's open tasks by due time (sparse), whole. */
export const AGENDA_INDEX_SPEC = {
  IndexName: INDEX.agenda,
  KeySchema: [
    { AttributeName: 'agendaPk', KeyType: 'HASH' as const },
    { AttributeName: 'agendaSk', KeyType: 'RANGE' as const },
  ],
  Projection: { ProjectionType: 'ALL' as const },
};

/**
 * Creates what the CDK data stack creates in AWS: the single table (stream NEW_AND_OLD_IMAGES, TTL), the
 * idempotency table, and each queue with its DLQ. Idempotent.
 */
export async function ensureResources(
  db: DynamoDBClient,
  sqs: SQSClient,
  prefix = 'leadpipe',
  timing: QueueTiming = LOCAL_QUEUE,
): Promise<Resources> {
  const tableName = `${prefix}-leads`;
  const idempotencyTableName = `${prefix}-idempotency`;
  await createTable(db, {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'duePk', AttributeType: 'S' },
      { AttributeName: 'dueSk', AttributeType: 'S' },
      { AttributeName: 'listPk', AttributeType: 'S' },
      { AttributeName: 'listSk', AttributeType: 'S' },
      { AttributeName: 'agendaPk', AttributeType: 'S' },
      { AttributeName: 'agendaSk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    // The timers' due index: sparse (only timers not yet enqueued carry duePk).
    GlobalSecondaryIndexes: [
      {
        IndexName: DUE_INDEX,
        KeySchema: [
          { AttributeName: 'duePk', KeyType: 'HASH' },
          { AttributeName: 'dueSk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      LIST_INDEX_SPEC,
      AGENDA_INDEX_SPEC,
    ],
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  });
  await createTable(db, {
    TableName: idempotencyTableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  });
  await Promise.all([
    db
      .send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        }),
      )
      .catch(ignoreTtlAlreadyEnabled),
    db
      .send(
        new UpdateTimeToLiveCommand({
          TableName: idempotencyTableName,
          TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
        }),
      )
      .catch(ignoreTtlAlreadyEnabled),
  ]);
  let { Table } = await db.send(new DescribeTableCommand({ TableName: tableName }));
  // A table kept on disk from an earlier version lacks the indexes added since, or has the list index with
  // its first projection: (re)build it, as a deploy does.
  const list = Table?.GlobalSecondaryIndexes?.find((i) => i.IndexName === LIST_INDEX);
  const stale =
    list !== undefined && list.Projection?.ProjectionType !== LIST_INDEX_SPEC.Projection.ProjectionType;
  if (stale) {
    await db.send(
      new UpdateTableCommand({
        TableName: tableName,
        GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: LIST_INDEX } }],
      }),
    );
    await untilIndex(db, tableName, LIST_INDEX, 'gone');
  }
  // Indexes added in later versions (or rebuilt), on a table kept on disk from before them, as a deploy builds them.
  const missing = [
    ...(list === undefined || stale ? [LIST_INDEX_SPEC] : []),
    ...(Table?.GlobalSecondaryIndexes?.some((i) => i.IndexName === INDEX.agenda) ? [] : [AGENDA_INDEX_SPEC]),
  ];
  for (const spec of missing) await addIndex(db, tableName, spec);
  if (missing.length > 0) ({ Table } = await db.send(new DescribeTableCommand({ TableName: tableName })));
  const streamArn = Table?.LatestStreamArn;
  if (streamArn === undefined) throw new Error(`table ${tableName} has no stream`);

  const [[intake, intakeDlq], [routing, routingDlq], [timers, timersDlq], nurtureFailures] =
    await Promise.all([
      createQueueWithDlq(sqs, `${prefix}-intake`, timing),
      createQueueWithDlq(sqs, `${prefix}-routing`, timing),
      createQueueWithDlq(sqs, `${prefix}-timers`, timing),
      createQueue(sqs, `${prefix}-nurture-failures`, { MessageRetentionPeriod: String(14 * 24 * 3600) }),
    ]);
  return {
    tableName,
    streamArn,
    idempotencyTableName,
    intake,
    intakeDlq,
    routing,
    routingDlq,
    nurtureFailures,
    timers,
    timersDlq,
  };
}

/** Builds an index on a table that lacks it (its key attributes are strings), and waits until it is active. */
async function addIndex(
  db: DynamoDBClient,
  tableName: string,
  spec: typeof LIST_INDEX_SPEC | typeof AGENDA_INDEX_SPEC,
): Promise<void> {
  await db.send(
    new UpdateTableCommand({
      TableName: tableName,
      AttributeDefinitions: spec.KeySchema.map((k) => ({
        AttributeName: k.AttributeName,
        AttributeType: 'S',
      })),
      GlobalSecondaryIndexUpdates: [{ Create: spec }],
    }),
  );
  await untilIndex(db, tableName, spec.IndexName, 'ACTIVE');
}

/** Waits for an index change to finish: DynamoDB deletes and builds indexes in the background. */
export async function untilIndex(
  db: DynamoDBClient,
  tableName: string,
  indexName: string,
  state: 'ACTIVE' | 'gone',
  // A large table kept on disk takes a while to index again.
  timeoutMs = 300_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { Table } = await db.send(new DescribeTableCommand({ TableName: tableName }));
    const index = Table?.GlobalSecondaryIndexes?.find((i) => i.IndexName === indexName);
    if (state === 'gone' ? index === undefined : index?.IndexStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `index ${indexName} of ${tableName} is not ${state} after ${Math.round(timeoutMs / 1000)} s`,
  );
}

function ignoreTtlAlreadyEnabled(error: unknown): void {
  if (error instanceof Error && /already enabled/i.test(error.message)) return;
  throw error;
}
