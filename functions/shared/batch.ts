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
import type * as z from 'zod';

/** A queue message that can never succeed; it fails so the redrive policy parks it in the DLQ. */
export class InvalidMessageError extends Error {
  override readonly name = 'InvalidMessageError';
}

export function parseMessage<T extends z.ZodType>(schema: T, record: SQSRecord): z.infer<T> {
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
 * An SQS consumer with partial batch responses: each record succeeds or fails on its own, and only the
 * failed ones come back (then, after maxReceiveCount, land in the DLQ).
 */
export function createSqsBatchHandler<P = undefined>(
  logger: Logger,
  handleRecord: (record: SQSRecord, context: Context, prepared: P) => Promise<void>,
  /** Work done once per batch before its records (reads, counter blocks); if it throws, the batch is retried. */
  prepare?: (records: SQSRecord[], context: Context) => Promise<P>,
) {
  async function handle(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
    // One processor per invocation: Powertools keeps a processor's records and failures apart per invocation only
    // under Lambda's InvokeStore (AWS_LAMBDA_MAX_CONCURRENCY); elsewhere two batches at once would share them,
    // and a failure reset by the other batch would be deleted as done.
    const processor = new BatchProcessor(EventType.SQS);
    const prepared = (prepare ? await prepare(event.Records, context) : undefined) as P;
    return processPartialResponse(
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
  }
  return middy<SQSEvent, SQSBatchResponse, Error, Context>(handle).use(injectLambdaContext(logger));
}

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
    batch?: { start: () => S; finish: (scope: S) => Promise<void> };
  } = {},
) {
  async function handle(event: DynamoDBStreamEvent, context: Context): Promise<SQSBatchResponse> {
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
    if (options.batch === undefined) return response;
    try {
      await options.batch.finish(scope);
    } catch (error) {
      logger.error('stream batch failed to finish', { records: event.Records.length, error: error as Error });
      // From the first record: a failure checkpoints there, and the batch's records all come again.
      const first = event.Records[0]?.dynamodb?.SequenceNumber;
      return { batchItemFailures: first === undefined ? [] : [{ itemIdentifier: first }] };
    }
    return response;
  }
  return middy<DynamoDBStreamEvent, SQSBatchResponse, Error, Context>(handle).use(
    injectLambdaContext(logger),
  );
}
