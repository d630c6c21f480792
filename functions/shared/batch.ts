import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type {
  Context,
  DynamoDBRecord,
  DynamoDBStreamEvent,
  SQSBatchResponse,
  SQSEvent,
  SQSRecord,
} from 'aws-lambda';
import * as z from './zod.ts';

/** A queue message that can never succeed; it fails so the redrive policy parks it in the DLQ. */
export class InvalidMessageError extends Error {
  override readonly name = 'InvalidMessageError';
}

export function parseMessage<T extends z.ZodMiniType>(schema: T, record: SQSRecord): z.infer<T> {
  let json: unknown;
  try {
    json = JSON.parse(record.body);
  } catch {
    throw new InvalidMessageError(`message ${record.messageId} is not JSON`);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const paths = result.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    throw new InvalidMessageError(`message ${record.messageId} does not match its schema at: ${paths}`);
  }
  return result.data;
}

/**
 * The message for a batch's shared preparation, or undefined when it cannot be read: its record's own handling
 * (`parseMessage`) then fails it with the reason.
 */
export function peekMessage<T extends z.ZodMiniType>(schema: T, record: SQSRecord): z.infer<T> | undefined {
  try {
    return parseMessage(schema, record);
  } catch (error) {
    if (error instanceof InvalidMessageError) return undefined;
    throw error;
  }
}

/**
 * An SQS consumer with partial batch responses: each record succeeds or fails on its own, and only the
 * failed ones come back (then, after maxReceiveCount, land in the DLQ).
 */
export function createSqsBatchHandler<P = undefined>(
  logger: Logger,
  handleRecord: (record: SQSRecord, context: Context, prepared: P) => Promise<void>,
  /** Work done once per batch before its records (reads, counter blocks); if it throws, the batch is retried. */
  prepare?: (records: SQSRecord[], context: Context) => Promise<P>,
  /**
   * Work done once per batch after its records (sends they left to be made together), given the records that
   * succeeded; it answers those that must still be retried.
   */
  finish?: (prepared: P, succeeded: SQSRecord[]) => Promise<SQSRecord[]>,
) {
  async function handle(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
    // One processor per invocation: Powertools keeps a processor's records and failures apart per invocation only
    // under Lambda's InvokeStore (AWS_LAMBDA_MAX_CONCURRENCY); elsewhere two batches at once would share them,
    // and a failure reset by the other batch would be deleted as done.
    const processor = new BatchProcessor(EventType.SQS);
    const prepared = (prepare ? await prepare(event.Records, context) : undefined) as P;
    const response = await processPartialResponse(
      event,
      async (record: SQSRecord) => {
        try {
          await handleRecord(record, context, prepared);
        } catch (error) {
          logger.error('record failed', {
            messageId: record.messageId,
            receiveCount: record.attributes.ApproximateReceiveCount,
            error: error as Error,
          });
          throw error;
        }
      },
      processor,
      { context, throwOnFullBatchFailure: false },
    );
    if (finish === undefined) return response;
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    const retried = await finish(
      prepared,
      event.Records.filter((r) => !failed.has(r.messageId)),
    );
    return {
      batchItemFailures: [
        ...response.batchItemFailures,
        ...retried.map((r) => ({ itemIdentifier: r.messageId })),
      ],
    };
  }
  return middy<SQSEvent, SQSBatchResponse, Error, Context>(handle).use(injectLambdaContext(logger));
}

/**
 * What Lambda adds to a stream event when the mapping has a tumbling window (docs: services-ddb-windows): the
 * shard the batch was read from. The answer must then carry a `state`, or Lambda takes it for a failure.
 */
export const StreamWindow = z.object({
  shardId: z.string().check(z.minLength(1)),
  window: z.object({ start: z.string(), end: z.string() }),
  isFinalInvokeForWindow: z.boolean(),
});
export type StreamWindow = z.infer<typeof StreamWindow>;

/** The stream event's window fields, or undefined for a mapping without one; malformed ones are an error. */
export function streamWindowOf(event: object): StreamWindow | undefined {
  if (!('window' in event)) return undefined;
  const parsed = StreamWindow.safeParse(event);
  if (!parsed.success)
    throw new InvalidMessageError(
      `a tumbling-window stream event lacks ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  return parsed.data;
}

/** A stream batch's answer: its failed records, and for a windowed mapping the (unused) state it requires. */
export type StreamBatchResponse = SQSBatchResponse & { state?: Record<string, never> };

/**
 * A DynamoDB Streams consumer: a failure checkpoints at the first failed record, so everything after it is
 * retried. Records run in order unless `inParallel` is set, which is only safe when every record's effect is
 * idempotent and independent of the order (the retry after a checkpoint repeats records that succeeded).
 */
export function createStreamBatchHandler<S = undefined>(
  logger: Logger,
  handleRecord: (record: DynamoDBRecord, context: Context, scope: S) => Promise<void>,
  options: {
    inParallel?: boolean;
    /**
     * Work shared by a batch's records: `start` makes what they add to, `finish` writes it once they are done.
     * If `finish` throws, the whole batch is retried (so what it writes must be idempotent).
     */
    batch?: { start: () => S; finish: (scope: S, shardId: string | undefined) => Promise<void> };
  } = {},
) {
  async function handle(event: DynamoDBStreamEvent, context: Context): Promise<StreamBatchResponse> {
    const window = streamWindowOf(event);
    // Nothing is carried from batch to batch: the window is there for the shard id (see DynamoKpiStore).
    const answer = (response: SQSBatchResponse): StreamBatchResponse =>
      window ? { ...response, state: {} } : response;
    // The window's closing call may come with no records.
    if (event.Records.length === 0) return answer({ batchItemFailures: [] });
    const processor = new BatchProcessor(EventType.DynamoDBStreams);
    const scope = options.batch?.start() as S;
    const response = await processPartialResponse(
      event,
      async (record: DynamoDBRecord) => {
        try {
          await handleRecord(record, context, scope);
        } catch (error) {
          logger.error('stream record failed', {
            eventId: record.eventID,
            sequenceNumber: record.dynamodb?.SequenceNumber,
            error: error as Error,
          });
          throw error;
        }
      },
      processor,
      { context, processInParallel: options.inParallel ?? false, throwOnFullBatchFailure: false },
    );
    if (options.batch === undefined) return answer(response);
    try {
      await options.batch.finish(scope, window?.shardId);
    } catch (error) {
      logger.error('stream batch failed to finish', { records: event.Records.length, error: error as Error });
      // From the first record: a failure checkpoints there, and the batch's records all come again.
      const first = event.Records[0]?.dynamodb?.SequenceNumber;
      return answer({ batchItemFailures: first === undefined ? [] : [{ itemIdentifier: first }] });
    }
    return answer(response);
  }
  return middy<DynamoDBStreamEvent, StreamBatchResponse, Error, Context>(handle).use(
    injectLambdaContext(logger),
  );
}
