import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { createNurtureHandler } from '../../functions/nurture/handler.ts';
import { createOpsHandler } from '../../functions/ops/handler.ts';
import { documentClient } from '../../functions/shared/aws/clients.ts';
import { DynamoKpiStore } from '../../functions/shared/aws/dynamo-kpi-store.ts';
import { DynamoLeadLister } from '../../functions/shared/aws/dynamo-lead-list.ts';
import { DynamoLeadRepository } from '../../functions/shared/aws/dynamo-lead-repository.ts';
import { DynamoRepRepository } from '../../functions/shared/aws/dynamo-rep-repository.ts';
import { DynamoSuppressionList } from '../../functions/shared/aws/dynamo-suppression-list.ts';
import { DynamoTimerStore } from '../../functions/shared/aws/dynamo-timer-store.ts';
import { SesMailer } from '../../functions/shared/aws/ses-mailer.ts';
import { SqsSender } from '../../functions/shared/aws/sqs-sender.ts';
import type { Config } from '../../functions/shared/config.ts';
import { HttpError } from '../../functions/shared/errors.ts';
import type { Mailer } from '../../functions/shared/ports.ts';
import type { TimerMessage } from '../../functions/shared/timers.ts';
import type { TestAws } from './aws.ts';
import { silentLogger } from './factories.ts';

/** What ingest keeps in the table (Idempotency-Key claims, payloads too large for the queue), on a test's table. */
export function ingestStore(aws: TestAws): DynamoLeadRepository {
  return new DynamoLeadRepository(documentClient(aws.dynamodb), aws.resources.tableName);
}

/** The ops function on a test's own resources, with the config's reps seeded, and the repositories it uses. */
export async function opsOn(aws: TestAws, config: Config, now: () => Date) {
  const db = documentClient(aws.dynamodb);
  const leads = new DynamoLeadRepository(db, aws.resources.tableName);
  const reps = new DynamoRepRepository(db, aws.resources.tableName);
  const kpis = new DynamoKpiStore(db, aws.resources.tableName);
  await reps.seed(config.routing.reps, now());
  const ops = createOpsHandler({
    config,
    leads,
    lister: new DynamoLeadLister(db, aws.resources.tableName),
    reps,
    kpis,
    routingQueue: new SqsSender(aws.sqs, aws.resources.routing.url),
    suppressions: new DynamoSuppressionList(db, aws.resources.tableName),
    now,
    logger: silentLogger(),
  });
  return { ops, leads, reps, kpis };
}

/** The nurture function (stream, timers, SES feedback) on a test's own resources and clock. */
export function nurtureOn(
  aws: TestAws,
  config: Config,
  now: () => Date,
  mailer: Mailer = new SesMailer(aws.ses),
) {
  const db = documentClient(aws.dynamodb);
  const leads = new DynamoLeadRepository(db, aws.resources.tableName);
  const timers = {
    store: new DynamoTimerStore(db, aws.resources.tableName),
    queue: new SqsSender<TimerMessage>(aws.sqs, aws.resources.timers.url),
  };
  const suppressions = new DynamoSuppressionList(db, aws.resources.tableName);
  const kpis = new DynamoKpiStore(db, aws.resources.tableName);
  const nurture = createNurtureHandler({
    config,
    mailer,
    reps: new DynamoRepRepository(db, aws.resources.tableName, config.routing.reps),
    leads,
    kpis,
    timers,
    suppressions,
    routingQueue: new SqsSender(aws.sqs, aws.resources.routing.url),
    idempotency: new DynamoDBPersistenceLayer({
      tableName: aws.resources.idempotencyTableName,
      awsSdkV3Client: aws.dynamodb,
    }),
    now,
    logger: silentLogger(),
  });
  return { nurture, leads, timers, suppressions, kpis };
}

/** The HttpError a call throws (failing the test when it throws nothing, or something else). */
export function rejection(run: () => unknown): HttpError {
  try {
    run();
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected an HttpError');
}
