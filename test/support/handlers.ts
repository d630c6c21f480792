import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { FOOTPRINTS, type FunctionName } from '../../functions/footprints.ts';
import { wireNurture } from '../../functions/nurture/wiring.ts';
import { wireOps } from '../../functions/ops/wiring.ts';
import { documentClient } from '../../functions/shared/aws/clients.ts';
import { DynamoKpiStore } from '../../functions/shared/aws/dynamo-kpi-store.ts';
import { DynamoLeadRepository } from '../../functions/shared/aws/dynamo-lead-repository.ts';
import { DynamoRepRepository } from '../../functions/shared/aws/dynamo-rep-repository.ts';
import { DynamoSuppressionList } from '../../functions/shared/aws/dynamo-suppression-list.ts';
import { DynamoTimerStore } from '../../functions/shared/aws/dynamo-timer-store.ts';
import { sesClient } from '../../functions/shared/aws/ses-mailer.ts';
import { smsClient } from '../../functions/shared/aws/sms-sender.ts';
import { SqsSender } from '../../functions/shared/aws/sqs-sender.ts';
import type { Config } from '../../functions/shared/config.ts';
import { HttpError } from '../../functions/shared/errors.ts';
import type { TimerMessage } from '../../functions/shared/timers.ts';
import { AccessGuard } from '../../local/access-guard.ts';
import { functionEnv } from '../../local/pipeline.ts';
import type { TestAws } from './aws.ts';
import { silentLogger } from './factories.ts';

/**
 * What Lambda gives a function, on this test's resources: the environment the stack sets from its footprint,
 * and clients that refuse, as IAM would, any request the footprint does not grant.
 */
export function functionOn(aws: TestAws, fn: FunctionName, graphApiUrl = '', smsUrl = 'http://127.0.0.1:9') {
  const access = new AccessGuard(aws.resources);
  const clients = {
    dynamodb: new DynamoDBClient({}),
    sqs: new SQSClient({}),
    ses: sesClient(),
    sms: smsClient({ endpoint: smsUrl }),
  };
  access.attach(clients.dynamodb, fn, FOOTPRINTS[fn]);
  access.attach(clients.sqs, fn, FOOTPRINTS[fn]);
  access.attach(clients.ses, fn, FOOTPRINTS[fn]);
  access.attach(clients.sms, fn, FOOTPRINTS[fn]);
  return { clients, env: functionEnv(fn, aws.resources, graphApiUrl), access };
}

/** The ops function on a test's own resources, with the config's reps seeded, and the repositories it uses. */
export async function opsOn(aws: TestAws, config: Config, now: () => Date) {
  const db = documentClient(aws.dynamodb);
  const leads = new DynamoLeadRepository(db, aws.resources.tableName);
  const reps = new DynamoRepRepository(db, aws.resources.tableName);
  const kpis = new DynamoKpiStore(db, aws.resources.tableName);
  await reps.seed(config.routing.reps, now());
  const ops = wireOps({ ...functionOn(aws, 'ops'), config, now, logger: silentLogger() });
  return { ops, leads, reps, kpis };
}

/** The nurture function (stream, timers, SES feedback) on a test's own resources and clock, as Lambda builds it. */
export function nurtureOn(aws: TestAws, config: Config, now: () => Date) {
  const db = documentClient(aws.dynamodb);
  const nurture = wireNurture({ ...functionOn(aws, 'nurture'), config, now, logger: silentLogger() });
  return {
    nurture,
    leads: new DynamoLeadRepository(db, aws.resources.tableName),
    timers: {
      store: new DynamoTimerStore(db, aws.resources.tableName),
      queue: new SqsSender<TimerMessage>(aws.sqs, aws.resources.timers.url),
    },
    suppressions: new DynamoSuppressionList(db, aws.resources.tableName),
    kpis: new DynamoKpiStore(db, aws.resources.tableName),
  };
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
