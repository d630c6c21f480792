import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { MessageSender } from '../ports.ts';

/** Sends JSON messages; resolves once SQS has stored the message (durable across AZs). */
export class SqsSender<T> implements MessageSender<T> {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(message: T): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(message) }),
    );
  }
}
