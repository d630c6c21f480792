import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { reportedFailures } from './batch-response.ts';
import type { FaultInjector } from './faults.ts';
import { invokeWithTimeout } from './lambda-context.ts';
import type { QueueRef } from './resources.ts';

export type SqsEventSourceOptions = {
  sqs: SQSClient;
  /**
   * Keeps a running batch invisible (below). In AWS the queue's long visibility timeout does that without a
   * request, so the runner passes a client of its own that the request count leaves out. Defaults to `sqs`.
   */
  visibilitySqs?: SQSClient;
  queue: QueueRef;
  functionName: string;
  /** The function's entry point, as Lambda invokes it; its answer is read as a partial batch response. */
  handler: (event: SQSEvent, context: Context) => Promise<unknown>;
  batchSize?: number;
  /** Concurrent pollers, like the batches Lambda runs at once for one event source mapping. */
  concurrency?: number;
  timeoutMs?: number;
  onError?: (error: unknown) => void;
  /** Chaos runs: some batches are delivered twice at once, as SQS's at-least-once delivery may. */
  faults?: FaultInjector;
};

/**
 * Behaves like Lambda's SQS event source mapping with ReportBatchItemFailures: long-polls batches of up to
 * 10, invokes the handler, deletes what succeeded, and leaves the reported failures (or the whole batch, if
 * the handler threw) to reappear after the visibility timeout; the queue's redrive policy moves a message
 * to its DLQ after maxReceiveCount receives.
 *
 * One difference, on purpose: AWS needs a queue's visibility timeout to outlast the function's timeout (the
 * stack sets six times), or a slow invocation's messages are received again while it runs and spend the
 * redrive budget without failing. Local queues keep a short timeout so that failures come back within
 * seconds, so the poller keeps its batch invisible while the invocation runs, as the stack's timeout does.
 */
export class SqsEventSource {
  private running = false;
  private loops: Promise<void>[] = [];
  private inFlight = 0;
  private visibilitySeconds: Promise<number> | undefined;
  private readonly visibilitySqs: SQSClient;

  constructor(private readonly options: SqsEventSourceOptions) {
    this.visibilitySqs = options.visibilitySqs ?? options.sqs;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const concurrency = this.options.concurrency ?? 2;
    for (let i = 0; i < concurrency; i++) this.loops.push(this.loop());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  get busy(): boolean {
    return this.inFlight > 0;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      try {
        await this.pollOnce();
      } catch (error) {
        this.options.onError?.(error);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private queueVisibilitySeconds(): Promise<number> {
    this.visibilitySeconds ??= this.visibilitySqs
      .send(
        new GetQueueAttributesCommand({
          QueueUrl: this.options.queue.url,
          AttributeNames: ['VisibilityTimeout'],
        }),
      )
      .then(({ Attributes }) => Number(Attributes?.VisibilityTimeout ?? 30))
      .catch((error: unknown) => {
        // Asked again at the next poll rather than remembered as a failure.
        this.visibilitySeconds = undefined;
        throw error;
      });
    return this.visibilitySeconds;
  }

  /** Pushes the batch's visibility out by the queue's timeout every half timeout, until the returned stop. */
  private keepInvisible(receiptHandles: string[], seconds: number): () => Promise<void> {
    const { queue } = this.options;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let pending: Promise<void> = Promise.resolve();
    const beat = () => {
      timer = setTimeout(() => {
        pending = this.visibilitySqs
          .send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl: queue.url,
              Entries: receiptHandles.map((handle, i) => ({
                Id: String(i),
                ReceiptHandle: handle,
                VisibilityTimeout: seconds,
              })),
            }),
          )
          .then(
            () => undefined,
            (error: unknown) => this.options.onError?.(error),
          )
          .finally(() => {
            if (!stopped) beat();
          });
      }, seconds * 500);
    };
    beat();
    return async () => {
      stopped = true;
      clearTimeout(timer);
      await pending;
    };
  }

  private async pollOnce(): Promise<void> {
    const { sqs, queue } = this.options;
    const visibilitySeconds = await this.queueVisibilitySeconds();
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.url,
        MaxNumberOfMessages: this.options.batchSize ?? 10,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return;
    this.inFlight++;
    try {
      const records: SQSRecord[] = Messages.map((m) => ({
        messageId: m.MessageId ?? '',
        receiptHandle: m.ReceiptHandle ?? '',
        body: m.Body ?? '',
        attributes: {
          ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
          SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
          SenderId: m.Attributes?.SenderId ?? 'local',
          ApproximateFirstReceiveTimestamp:
            m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: m.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN: queue.arn,
        awsRegion: process.env.AWS_REGION ?? 'us-east-1',
      }));
      const invoke = async (): Promise<Set<string>> => {
        try {
          const response = await invokeWithTimeout(
            this.options.handler,
            { Records: records },
            this.options.functionName,
            this.options.timeoutMs ?? 30_000,
          );
          return reportedFailures(response) ?? new Set(records.map((r) => r.messageId));
        } catch (error) {
          // A thrown error (or a timeout) fails the whole batch.
          this.options.onError?.(error);
          return new Set(records.map((r) => r.messageId));
        }
      };
      const stopHeartbeat = this.keepInvisible(
        records.map((r) => r.receiptHandle),
        visibilitySeconds,
      );
      // A duplicate delivery runs the batch twice at once; a record failed in either comes back.
      const runs = await Promise.all(
        this.options.faults?.duplicate() ? [invoke(), invoke()] : [invoke()],
      ).finally(stopHeartbeat);
      const failed = new Set(runs.flatMap((run) => [...run]));
      const done = records.filter((r) => !failed.has(r.messageId));
      if (done.length > 0) {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queue.url,
            Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
          }),
        );
      }
    } finally {
      this.inFlight--;
    }
  }
}
