import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, DynamoDBStreamEvent, SQSEvent } from 'aws-lambda';
import { createGateway } from '../local/gateway.ts';
import { createQueue } from '../local/resources.ts';
import { SqsEventSource } from '../local/sqs-event-source.ts';
import { StreamEventSource } from '../local/stream-event-source.ts';

/**
 * The pipeline's hops with nothing in them: a gateway and an ingest that only enqueues, a queue to a "scoring"
 * that only forwards, a queue to a "routing" that only writes the lead item, and the table's stream to a
 * "nurture" that only notes the time. The same emulators, pollers and batch sizes as the pipeline: what is
 * left of the form → rep latency when the functions cost nothing.
 */
export async function startEmptyHops(table: { tableName: string; streamArn: string }) {
  const dynamodb = new DynamoDBClient({});
  const sqs = new SQSClient({});
  // The pipeline's own table and stream (DynamoDB Local mixes up the shards of two streamed tables); the
  // pipeline's consumer skips these items, which are no leads.
  const prefix = `bench-hops-${Date.now()}`;
  const resources = {
    ...table,
    intake: await createQueue(sqs, `${prefix}-intake`, {}),
    routing: await createQueue(sqs, `${prefix}-routing`, {}),
    nurtureFailures: await createQueue(sqs, `${prefix}-failures`, {}),
  };
  const arrived = new Map<string, number>();
  const ok = { batchItemFailures: [] };
  const ingest = async (event: APIGatewayProxyEventV2) => {
    const id = randomUUID();
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: resources.intake.url,
        MessageBody: JSON.stringify({ id, body: event.body }),
      }),
    );
    return { statusCode: 202, body: JSON.stringify({ leadId: id }) };
  };
  const scoring = async (event: SQSEvent) => {
    for (const record of event.Records)
      await sqs.send(new SendMessageCommand({ QueueUrl: resources.routing.url, MessageBody: record.body }));
    return ok;
  };
  const routing = async (event: SQSEvent) => {
    await Promise.all(
      event.Records.map((record) => {
        const { id } = JSON.parse(record.body) as { id: string };
        return dynamodb.send(
          new PutItemCommand({
            TableName: resources.tableName,
            Item: { pk: { S: `HOPS#${id}` }, sk: { S: 'HOPS' }, hopsId: { S: id } },
          }),
        );
      }),
    );
    // As the pipeline's runner does after a function's write: the stream is read at once.
    stream.wake();
    return ok;
  };
  const nurture = async (event: DynamoDBStreamEvent) => {
    for (const record of event.Records) {
      const id = record.dynamodb?.NewImage?.hopsId?.S;
      if (id) arrived.set(id, Date.now());
    }
    return ok;
  };
  const streams = new DynamoDBStreamsClient({});
  const onError = (error: unknown) => console.error('bench: empty hops:', error);
  const sources = [
    new SqsEventSource({ sqs, queue: resources.intake, functionName: 'scoring', handler: scoring, onError }),
    new SqsEventSource({ sqs, queue: resources.routing, functionName: 'routing', handler: routing, onError }),
  ];
  const stream = new StreamEventSource({
    streams,
    sqs,
    streamArn: resources.streamArn,
    functionName: 'nurture',
    handler: nurture,
    failureQueue: resources.nurtureFailures,
    onError,
  });
  for (const source of sources) source.start();
  stream.start();
  const gateway = createGateway(
    [{ method: 'POST', path: '/v1/forms/{formId}/leads', functionName: 'ingest', handler: ingest }],
    [],
    () => undefined,
  );
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/v1/forms/demo/leads`,
    arrived,
    async stop() {
      await Promise.all([...sources.map((s) => s.stop()), stream.stop()]);
      await new Promise<void>((resolve) => gateway.close(() => resolve()));
      for (const client of [dynamodb, sqs, streams]) client.destroy();
    },
  };
}
