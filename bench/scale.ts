import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PurgeQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { wireRouting } from '../functions/routing/wiring.ts';
import { buildLead } from '../functions/scoring/core.ts';
import { wireScoring } from '../functions/scoring/wiring.ts';
import { documentClient } from '../functions/shared/aws/clients.ts';
import { DynamoLeadRepository, keys } from '../functions/shared/aws/dynamo-lead-repository.ts';
import { DynamoRepRepository } from '../functions/shared/aws/dynamo-rep-repository.ts';
import { IntakeMessage } from '../functions/shared/lead.ts';
import { createLogger } from '../functions/shared/logger.ts';
import { inBatches } from '../local/chaos.ts';
import { startDynamoDbLocal } from '../local/emulators.ts';
import { lambdaContext } from '../local/lambda-context.ts';
import { functionEnv } from '../local/pipeline.ts';
import { ensureResources } from '../local/resources.ts';
import { aroundTheClockConfig } from './demo-config.ts';

/** The event Lambda's SQS event source hands a function: one record per body. */
export function sqsEvent(bodies: readonly unknown[], queueArn: string, idPrefix: string): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `${idPrefix}-${i}`,
      receiptHandle: `${idPrefix}-${i}`,
      body: JSON.stringify(body),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'bench',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: 'us-east-1',
    })),
  };
}

/** A fresh table seeded with the demo reps, and the routing handler over it, as the routing and scale phases use them. */
export async function routingOnFreshTable(dynamodb: DynamoDBClient, sqs: SQSClient, label: string) {
  const config = aroundTheClockConfig();
  const resources = await ensureResources(dynamodb, sqs, `bench-${label}-${Date.now()}`);
  const db = documentClient(dynamodb);
  const leads = new DynamoLeadRepository(db, resources.tableName);
  const reps = new DynamoRepRepository(db, resources.tableName);
  await reps.seed(config.routing.reps, new Date());
  const routing = wireRouting({
    clients: { dynamodb, sqs },
    env: functionEnv('routing', resources, ''),
    config,
    logger: createLogger('bench'),
  });
  return { config, resources, db, leads, routing };
}

/**
 * Per-lead time as the table grows: a window of fresh leads goes through the scoring handler (normalise,
 * de-duplicate with identity keys, store) and the routing handler (counter, conditional assignment) when the
 * table holds 1k, 10k and 100k leads. Between windows the table is filled with leads as scoring stores them
 * (the lead item and its email and phone keys), written in batches: the fill is not what is measured.
 * A ratio near 1 means no step of a lead's path grows with the number of leads before it.
 */
export async function measureScale(sizes: readonly number[], window: number) {
  // A DynamoDB Local of its own: the earlier phases' tables would otherwise share its CPU (its TTL sweeper
  // scans every table) and the windows would measure them, not the table growing.
  const engine = await startDynamoDbLocal();
  const dynamodb = new DynamoDBClient({ endpoint: engine.endpoint });
  const sqs = new SQSClient({});
  const { config, resources, db, routing } = await routingOnFreshTable(dynamodb, sqs, 'scale');
  const scoring = wireScoring({
    clients: { dynamodb, sqs },
    env: functionEnv('scoring', resources, ''),
    config,
    logger: createLogger('bench'),
  });
  const intake = (id: string, n: number) =>
    IntakeMessage.parse({
      v: 1,
      leadId: id,
      source: 'web-form',
      formId: 'demo',
      receivedAt: new Date().toISOString(),
      contact: {
        email: `scale.${n}@example.com`,
        phone: `+9665${String(n).padStart(8, '0')}`,
        name: 'Scale',
      },
      locale: 'en',
    });
  const template = buildLead(intake('template', 0), config, new Date());
  const expiresAt = Math.floor(Date.now() / 1000) + 30 * 86_400;

  let stored = 0;
  let serial = 0;
  const fillTo = async (target: number) => {
    const ids = Array.from({ length: target - stored }, () => serial++);
    const batches: number[][] = [];
    // 8 leads of 3 items each fill a BatchWriteItem of 24.
    for (let i = 0; i < ids.length; i += 8) batches.push(ids.slice(i, i + 8));
    await inBatches(batches, 4, async (batch) => {
      await db.send(
        new BatchWriteCommand({
          RequestItems: {
            [resources.tableName]: batch.flatMap((n) => {
              const id = `scale-fill-${n}`;
              const email = `scale.${n}@example.com`;
              const phone = `+9665${String(n).padStart(8, '0')}`;
              return [
                { PutRequest: { Item: { ...keys.lead(id), type: 'lead', ...template, id, segments: [] } } },
                {
                  PutRequest: {
                    Item: { ...keys.identity('email', email), type: 'key', leadId: id, expiresAt },
                  },
                },
                {
                  PutRequest: {
                    Item: { ...keys.identity('phone', phone), type: 'key', leadId: id, expiresAt },
                  },
                },
              ];
            }),
          },
        }),
      );
    });
    stored = target;
  };

  /** A window of fresh leads through scoring, then routing; milliseconds per lead for each. */
  const runWindow = async () => {
    const messages = Array.from({ length: window }, () => serial++).map((n) => intake(`scale-${n}`, n));
    const batches: IntakeMessage[][] = [];
    for (let i = 0; i < messages.length; i += 10) batches.push(messages.slice(i, i + 10));
    const started = performance.now();
    await inBatches(batches, 4, async (batch) => {
      const response = await scoring(
        sqsEvent(batch, resources.intake.arn, batch[0]?.leadId ?? ''),
        lambdaContext('scoring', 30_000),
      );
      if (response.batchItemFailures.length > 0) throw new Error('scoring failed in the scale run');
    });
    const scored = performance.now();
    await inBatches(batches, 4, async (batch) => {
      const response = await routing(
        sqsEvent(
          batch.map((m) => ({ v: 1, leadId: m.leadId })),
          resources.routing.arn,
          `routing-${batch[0]?.leadId ?? ''}`,
        ),
        lambdaContext('routing', 30_000),
      );
      if (response.batchItemFailures.length > 0) throw new Error('routing failed in the scale run');
    });
    const ended = performance.now();
    stored += window;
    // Scoring's own routing messages are not consumed here (routing was fed directly): drop them.
    await sqs.send(new PurgeQueueCommand({ QueueUrl: resources.routing.url }));
    const perLead = (ms: number) => Math.round((ms / window) * 100) / 100;
    return {
      perLeadMs: perLead(ended - started),
      scoringPerLeadMs: perLead(scored - started),
      routingPerLeadMs: perLead(ended - scored),
    };
  };

  // A first window warms the JIT, the SDK's connections and DynamoDB Local's JVM; its figures are dropped.
  await runWindow();
  const rows = [];
  for (const size of sizes) {
    const fillStarted = performance.now();
    await fillTo(Math.max(stored, size - window));
    const fillSeconds = Math.round((performance.now() - fillStarted) / 1000);
    rows.push({ tableLeads: size, window, ...(await runWindow()), fillSeconds });
  }
  dynamodb.destroy();
  sqs.destroy();
  await engine.stop();
  const first = rows[0]?.perLeadMs ?? 0;
  const last = rows.at(-1)?.perLeadMs ?? 0;
  return { rows, ratioLargestToSmallest: first === 0 ? 0 : Math.round((last / first) * 100) / 100 };
}
