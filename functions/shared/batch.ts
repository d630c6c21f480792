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
export function createStreamBatchHandler(
  logger: Logger,
  handleRecord: (record: DynamoDBRecord, context: Context) => Promise<void>,
  options: { inParallel?: boolean } = {},
) {
  async function handle(event: DynamoDBStreamEvent, context: Context): Promise<SQSBatchResponse> {
    const processor = new BatchProcessor(EventType.DynamoDBStreams);
    return processPartialResponse(
      event,
      async (record: DynamoDBRecord) => {
        try {
          await handleRecord(record, context);
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
  }
  return middy<DynamoDBStreamEvent, SQSBatchResponse, Error, Context>(handle).use(
    injectLambdaContext(logger),
  );
}
