import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord } from 'aws-lambda';
import { inject } from 'vitest';
import { type Emulators, useEmulatorEndpoints } from '../../local/emulators.ts';
import { type Pipeline, type SesStoreEmail, startPipeline } from '../../local/pipeline.ts';
import { ensureResources, type Resources } from '../../local/resources.ts';
import { toLambdaRecord } from '../../local/stream-event-source.ts';
import { testConfig } from './factories.ts';

/** The emulators the test run started (global setup), shared by every test file; stopping them is not ours. */
export function testEmulators(): Emulators {
  return {
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    sqsEndpoint: inject('sqsEndpoint'),
    sesEndpoint: inject('sesEndpoint'),
    stop: async () => undefined,
  };
}

/** Points the SDK at the run's emulators (standard AWS_ENDPOINT_URL_* variables) and returns clients. */
export function emulatorClients() {
  useEmulatorEndpoints(testEmulators());
  return {
    // A test's own reads and writes (arranging, checking) retry longer than a function's (3 attempts): DynamoDB
    // Local, busy with two test files, now and then drops a connection ("socket hang up"), and a check failing
    // on that says nothing about the code under test. The functions' clients keep the SDK's default.
    dynamodb: new DynamoDBClient({ maxAttempts: 8 }),
    sqs: new SQSClient({}),
    ses: new SESv2Client({}),
    streams: new DynamoDBStreamsClient({}),
  };
}

export type TestAws = ReturnType<typeof emulatorClients> & { resources: Resources };

/** A fresh table, idempotency table and queues under a unique prefix, so test files never share state. */
export async function freshResources(label: string): Promise<TestAws> {
  const clients = emulatorClients();
  const prefix = `t-${label}-${randomUUID().slice(0, 8)}`;
  const resources = await ensureResources(clients.dynamodb, clients.sqs, prefix);
  return { ...clients, resources };
}

export { messagesIn as queueDepth } from '../../local/chaos.ts';

/** Takes messages off a queue (received and deleted) until `expected` arrived or the time is up. */
export async function takeAll(sqs: SQSClient, url: string, expected: number, timeoutMs = 5000) {
  const messages: {
    MessageId?: string;
    Body?: string;
    ReceiptHandle?: string;
    Attributes?: Record<string, string>;
  }[] = [];
  const deadline = Date.now() + timeoutMs;
  while (messages.length < expected && Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 30,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    messages.push(...Messages);
    if (Messages.length > 0)
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
        }),
      );
  }
  return messages;
}

/** Polls until `check` returns a value that is not undefined, or fails with `what` after the timeout. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Mail the SES emulator accepted for one lead (matched by the X-Leadpipe-Lead header). */
export async function mailsForLead(leadId: string): Promise<SesStoreEmail[]> {
  const response = await fetch(`${inject('sesEndpoint')}/store`);
  const { emails } = (await response.json()) as { emails: SesStoreEmail[] };
  return emails.filter((e) => e.headers?.some((h) => h.name === 'X-Leadpipe-Lead' && h.value === leadId));
}

/** Every record of the test table's stream that `keep` accepts, from the start, as Lambda receives them. */
export async function streamRecords(
  aws: TestAws,
  keep: (r: StreamRecord) => boolean,
): Promise<DynamoDBRecord[]> {
  const { streamArn } = aws.resources;
  const { StreamDescription } = await aws.streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const records: DynamoDBRecord[] = [];
  for (const shard of StreamDescription?.Shards ?? []) {
    let { ShardIterator: iterator } = await aws.streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    for (let page = 0; iterator && page < 100; page++) {
      const { Records = [], NextShardIterator } = await aws.streams.send(
        new GetRecordsCommand({ ShardIterator: iterator }),
      );
      records.push(...Records.filter(keep).map((r) => toLambdaRecord(r, streamArn)));
      if (Records.length === 0) break;
      iterator = NextShardIterator;
    }
  }
  return records;
}

/**
 * Test pipelines' queues hide a received message 2 s instead of `npm start`'s 5: a spec that waits for a failed
 * batch to come back, or for a message to reach its DLQ after three receives, waits that much less.
 */
export const TEST_QUEUE_VISIBILITY_SECONDS = 2;

/** The whole local pipeline on the run's shared emulators, under its own resource prefix. */
export async function testPipeline(label: string, config = testConfig()): Promise<Pipeline> {
  return startPipeline({
    config,
    emulators: testEmulators(),
    queueVisibilitySeconds: TEST_QUEUE_VISIBILITY_SECONDS,
    prefix: `t-${label}-${Date.now().toString(36)}`,
    // Said, not swallowed: a poller stuck on an error shows here, not as a distant test timing out.
    onError: (error: unknown) => console.error(`pipeline ${label}: ${String(error)}`),
  });
}

export type ApiAnswer = { status: number; json: Record<string, unknown> };

/** Calls a running pipeline's HTTP API as a script would: JSON in, the status and JSON out. */
export function apiOf(pipeline: () => Pipeline) {
  return async (method: string, path: string, body?: unknown): Promise<ApiAnswer> => {
    const response = await fetch(`${pipeline().url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
}
