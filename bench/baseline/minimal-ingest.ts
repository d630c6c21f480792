import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

// The floor for an ingest function: parse the body, enqueue it, answer. No validation, no logging, no framework.
const sqs = new SQSClient({});

export function createMinimalIngest(queueUrl: string) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const body = JSON.parse(event.body ?? '{}');
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(body) }));
    return { statusCode: 202, body: '{"status":"accepted"}' };
  };
}

export const handler = createMinimalIngest(process.env.INTAKE_QUEUE_URL ?? '');
