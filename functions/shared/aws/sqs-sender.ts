import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { MessageSender } from '../ports.ts';

/** SQS limits for one SendMessageBatch: 10 entries and 256 KiB in all. */
const MAX_ENTRIES = 10;
const MAX_BATCH_BYTES = 256 * 1024;

/**
 * The message as JSON SQS accepts. SQS refuses U+FFFE and U+FFFF (and C0 controls, which JSON escapes anyway),
 * though they are valid in user text: escaped as \uFFFE in the JSON, they reach the consumer unchanged.
 */
export function messageBody(message: unknown): string {
  return JSON.stringify(message).replace(/[\uFFFE\uFFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** Splits bodies into batches SQS accepts, keeping their order. */
export function planBatches(bodies: readonly string[]): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const body of bodies) {
    const size = Buffer.byteLength(body);
    if (current.length === MAX_ENTRIES || (current.length > 0 && bytes + size > MAX_BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(body);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Sends JSON messages; resolves once SQS has stored them (durable across AZs). */
export class SqsSender<T> implements MessageSender<T> {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(message: T, options: { delaySeconds?: number } = {}): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: messageBody(message),
        ...(options.delaySeconds ? { DelaySeconds: options.delaySeconds } : {}),
      }),
    );
  }

  async sendAll(
    messages: readonly T[],
    options: { delaySeconds?: (message: T) => number } = {},
  ): Promise<void> {
    const delayOf = options.delaySeconds;
    const first = messages[0];
    if (messages.length === 1 && first !== undefined)
      return this.send(first, delayOf ? { delaySeconds: delayOf(first) } : {});
    const bodies = messages.map(messageBody);
    const delays = new Map(messages.map((m, i) => [bodies[i] ?? '', delayOf ? delayOf(m) : 0]));
    await Promise.all(planBatches(bodies).map((batch) => this.sendBatch(batch, delays)));
  }

  /** A batch can partly fail; the failed entries are tried once more, then the whole call fails. */
  private async sendBatch(bodies: string[], delays: ReadonlyMap<string, number>): Promise<void> {
    let entries = bodies.map((body, i) => {
      const delay = delays.get(body) ?? 0;
      return { Id: String(i), MessageBody: body, ...(delay > 0 ? { DelaySeconds: delay } : {}) };
    });
    for (let attempt = 1; entries.length > 0; attempt++) {
      const { Failed = [] } = await this.sqs.send(
        new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }),
      );
      if (Failed.length === 0) return;
      if (attempt === 2 || Failed.some((f) => f.SenderFault)) {
        throw new Error(`SQS did not take ${Failed.length} of ${bodies.length} messages: ${Failed[0]?.Code}`);
      }
      const failedIds = new Set(Failed.map((f) => f.Id));
      entries = entries.filter((e) => failedIds.has(e.Id));
    }
  }
}
