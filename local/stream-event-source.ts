import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import * as z from '../functions/shared/zod.ts';
import { reportedFailures } from './batch-response.ts';
import type { FaultInjector } from './faults.ts';
import { invokeWithTimeout } from './lambda-context.ts';
import type { QueueRef } from './resources.ts';

export type StreamEventSourceOptions = {
  streams: DynamoDBStreamsClient;
  sqs: SQSClient;
  streamArn: string;
  functionName: string;
  /** The function's entry point, as Lambda invokes it; its answer is read as a partial batch response. */
  handler: (event: DynamoDBStreamEvent, context: Context) => Promise<unknown>;
  /** Where a batch goes after its retries are spent (Lambda's on-failure destination). */
  failureQueue: QueueRef;
  batchSize?: number;
  maximumRetryAttempts?: number;
  /** The wait after a poll that found nothing and no `wake` (250 ms: Lambda polls a shard 4 times a second). */
  pollIntervalMs?: number;
  timeoutMs?: number;
  onError?: (error: unknown) => void;
  /** Chaos runs: some batches are delivered twice at once. */
  faults?: FaultInjector;
  /** Where the position in each shard is kept, so a restarted runner goes on where it stopped. */
  checkpointFile?: string;
  /**
   * Lambda's event filtering: only matching records reach the function, and the rest cost no invocation
   * (the stack filters the nurture mapping on lead items).
   */
  filter?: (record: DynamoDBRecord) => boolean;
  /**
   * Lambda's tumbling window, in seconds: each batch names its shard and window and must be answered with a
   * `state`, which is handed to the shard's next call in the window; a window that had records ends with a
   * call of its own (`isFinalInvokeForWindow`, maybe without records). Windows follow the records' creation time.
   */
  tumblingWindowSeconds?: number;
};

/** A shard's open tumbling window and the state its last call answered with. */
type OpenWindow = { start: number; end: number; state: Record<string, unknown> };

const Checkpoints = z.object({
  streamArn: z.string(),
  shards: z.record(
    z.string(),
    z.object({ parentId: z.optional(z.string()), lastSequence: z.optional(z.string()), closed: z.boolean() }),
  ),
});

/** As the stack deploys the nurture function's stream event source. */
const DEPLOYED_RETRY_ATTEMPTS = 10;
/** DynamoDB Streams' most records per GetRecords call. */
const GET_RECORDS_LIMIT = 1000;

type ShardState = {
  parentId?: string;
  iterator?: string;
  lastSequence?: string;
  closed: boolean;
  window?: OpenWindow;
  /** Iterators refused in a row: reported only when asking again has not helped. */
  refusals?: number;
};

/** The least time between two polls that found nothing, woken or not: steady writes do not make it spin. */
const WOKEN_GAP_MS = 100;

/** Refusals of a shard's iterator in a row that are asked again quietly, before they are reported. */
const QUIET_REFUSALS = 3;

type Image = Record<string, SdkAttributeValue>;

/**
 * Lambda hands the function the stream's JSON. Read through the SDK here, an empty map arrives as `{}`
 * instead of `{ M: {} }` (GetItem on the same item returns `{ M: {} }`), so restore the wire form.
 */
function wireImage(image: Image): Image {
  return Object.fromEntries(Object.entries(image).map(([k, v]) => [k, wireValue(v)]));
}

function wireValue(value: SdkAttributeValue): SdkAttributeValue {
  if (value.M !== undefined) return { M: wireImage(value.M) };
  if (value.L !== undefined) return { L: value.L.map(wireValue) };
  if (Object.keys(value).length === 0) return { M: {} };
  return value;
}

export function toLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const data = record.dynamodb;
  const created = data?.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion ?? process.env.AWS_REGION ?? 'us-east-1',
    eventSourceARN: streamArn,
    dynamodb: {
      ...(created ? { ApproximateCreationDateTime: Math.floor(created.getTime() / 1000) } : {}),
      Keys: data?.Keys as Record<string, never>,
      ...(data?.NewImage ? { NewImage: wireImage(data.NewImage as Image) as never } : {}),
      ...(data?.OldImage ? { OldImage: wireImage(data.OldImage as Image) as never } : {}),
      SequenceNumber: data?.SequenceNumber,
      SizeBytes: data?.SizeBytes,
      StreamViewType: data?.StreamViewType,
    },
  };
}

/** The state a windowed call answered with, or undefined when it answered none. */
function windowState(response: unknown): Record<string, unknown> | undefined {
  const parsed = z.object({ state: z.record(z.string(), z.unknown()) }).safeParse(response);
  return parsed.success ? parsed.data.state : undefined;
}

/**
 * Behaves like Lambda's DynamoDB Streams event source mapping: per-shard order (a child shard waits for its
 * parent), batches, partial batch responses (checkpoint at the first failed record, retry the rest),
 * bounded retries, then the batch's metadata goes to the failure queue and the shard moves on; and, when set,
 * tumbling windows (the shard, the window and its state in each call, a closing call per window).
 */
export class StreamEventSource {
  private running = false;
  private loopPromise: Promise<void> | undefined;
  private readonly shards = new Map<string, ShardState>();
  private lastDescribe = 0;
  private processing = false;
  /** A write since the last poll began: the next idle wait is skipped. */
  private woken = false;
  private endWait: (() => void) | undefined;
  private wakeWait: (() => void) | undefined;

  constructor(private readonly options: StreamEventSourceOptions) {
    const file = options.checkpointFile;
    if (file === undefined || !existsSync(file)) return;
    const saved = Checkpoints.parse(JSON.parse(readFileSync(file, 'utf8')));
    // A new table has a new stream: positions in the old one mean nothing there.
    if (saved.streamArn !== options.streamArn) return;
    for (const [shardId, state] of Object.entries(saved.shards)) this.shards.set(shardId, { ...state });
  }

  /** Written after each batch is done with, as Lambda checkpoints: a kill before it redelivers that batch. */
  private saveCheckpoints(): void {
    const file = this.options.checkpointFile;
    if (file === undefined) return;
    const shards = Object.fromEntries(
      [...this.shards].map(([id, s]) => [
        id,
        {
          ...(s.parentId ? { parentId: s.parentId } : {}),
          ...(s.lastSequence ? { lastSequence: s.lastSequence } : {}),
          closed: s.closed,
        },
      ]),
    );
    writeFileSync(`${file}.tmp`, JSON.stringify({ streamArn: this.options.streamArn, shards }));
    renameSync(`${file}.tmp`, file);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopPromise = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.endWait?.();
    await this.loopPromise;
  }

  get busy(): boolean {
    return this.processing;
  }

  /**
   * The table was written: poll soon instead of at the next tick. Lambda polls each shard 4 times a second
   * whatever happens (the bench's AWS figures count that wait); locally the runner knows when its functions
   * write: an idle stream costs a GetRecords every 250 ms, a record is read at most 100 ms after the last poll
   * that found nothing (at once when that was longer ago), and under steady writes such polls stay 100 ms apart.
   */
  wake(): void {
    this.woken = true;
    this.wakeWait?.();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let gotRecords = false;
      this.woken = false;
      try {
        gotRecords = await this.pollOnce();
      } catch (error) {
        this.options.onError?.(error);
      }
      // Stopped during the poll: no wait (stop() ends only a wait already begun).
      if (!gotRecords && this.running)
        await this.idle(this.woken ? WOKEN_GAP_MS : (this.options.pollIntervalMs ?? 250));
    }
  }

  /** Waits `ms`; once woken, no longer than `WOKEN_GAP_MS` from its start; stopped, no longer. */
  private idle(ms: number): Promise<void> {
    const began = Date.now();
    return new Promise((resolve) => {
      let timer = setTimeout(() => this.endWait?.(), ms);
      this.endWait = () => {
        clearTimeout(timer);
        this.endWait = undefined;
        this.wakeWait = undefined;
        resolve();
      };
      this.wakeWait = () => {
        clearTimeout(timer);
        const until = began + Math.min(ms, WOKEN_GAP_MS);
        timer = setTimeout(() => this.endWait?.(), Math.max(0, until - Date.now()));
      };
    });
  }

  private async describe(): Promise<void> {
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await this.options.streams.send(
        new DescribeStreamCommand({
          StreamArn: this.options.streamArn,
          ...(exclusiveStartShardId ? { ExclusiveStartShardId: exclusiveStartShardId } : {}),
        }),
      );
      for (const shard of StreamDescription?.Shards ?? []) {
        if (shard.ShardId && !this.shards.has(shard.ShardId)) {
          this.shards.set(shard.ShardId, {
            ...(shard.ParentShardId ? { parentId: shard.ParentShardId } : {}),
            closed: false,
          });
        }
      }
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    this.lastDescribe = Date.now();
  }

  private ready(state: ShardState): boolean {
    if (state.closed) return false;
    if (state.parentId === undefined) return true;
    const parent = this.shards.get(state.parentId);
    return parent === undefined || parent.closed;
  }

  private async pollOnce(): Promise<boolean> {
    if (this.shards.size === 0 || Date.now() - this.lastDescribe > 2000) await this.describe();
    let gotRecords = false;
    for (const [shardId, state] of this.shards) {
      if (!this.ready(state)) continue;
      if (state.window && Date.now() >= state.window.end) await this.closeWindow(shardId, state);
      if (state.iterator === undefined) {
        const { ShardIterator } = await this.options.streams.send(
          new GetShardIteratorCommand({
            StreamArn: this.options.streamArn,
            ShardId: shardId,
            ...(state.lastSequence
              ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: state.lastSequence }
              : { ShardIteratorType: 'TRIM_HORIZON' }),
          }),
        );
        state.iterator = ShardIterator;
        if (state.iterator === undefined) {
          state.closed = true;
          continue;
        }
      }
      // As many records as GetRecords gives (filtering drops most of them), then batches of matching ones.
      let page: { Records?: StreamRecord[]; NextShardIterator?: string };
      try {
        page = await this.options.streams.send(
          new GetRecordsCommand({ ShardIterator: state.iterator, Limit: GET_RECORDS_LIMIT }),
        );
      } catch (error) {
        // As Lambda's poller: an iterator the stream no longer honours is dropped and asked for again, from
        // the last record done with (or the oldest kept), never retried as it is. DynamoDB Local refuses
        // iterators this way at times (TrimmedDataAccessException, aws/aws-sdk-java#2923); the next one works,
        // so only a refusal that keeps coming is reported.
        state.iterator = undefined;
        const refused = error instanceof Error && error.name === 'TrimmedDataAccessException';
        state.refusals = refused ? (state.refusals ?? 0) + 1 : 0;
        if (refused && state.refusals < QUIET_REFUSALS) continue;
        throw error;
      }
      state.refusals = 0;
      const { Records = [], NextShardIterator } = page;
      if (Records.length > 0) {
        gotRecords = true;
        const { filter } = this.options;
        const records = Records.map((r) => toLambdaRecord(r, this.options.streamArn));
        const matching = filter ? records.filter(filter) : records;
        const size = this.options.batchSize ?? 100;
        // A batch never spans two windows: it is cut where a record falls into the next one.
        for (const run of this.byWindow(matching))
          for (let i = 0; i < run.length; i += size)
            await this.deliver(shardId, run.slice(i, i + size), state);
        state.lastSequence = Records[Records.length - 1]?.dynamodb?.SequenceNumber;
      }
      state.iterator = NextShardIterator;
      if (NextShardIterator === undefined) {
        // A shard that ends closes its window; its children start their own.
        if (state.window) await this.closeWindow(shardId, state);
        state.closed = true;
      }
      if (Records.length > 0 || state.closed) this.saveCheckpoints();
    }
    return gotRecords;
  }

  /** Consecutive runs of records in one tumbling window (all of them in one run without a window). */
  private byWindow(records: DynamoDBRecord[]): DynamoDBRecord[][] {
    const seconds = this.options.tumblingWindowSeconds;
    if (seconds === undefined) return [records];
    const runs: DynamoDBRecord[][] = [];
    let current: { start: number; records: DynamoDBRecord[] } | undefined;
    for (const record of records) {
      const start = this.windowStart(record);
      if (current?.start !== start) {
        current = { start, records: [] };
        runs.push(current.records);
      }
      current.records.push(record);
    }
    return runs;
  }

  private windowStart(record: DynamoDBRecord): number {
    const ms = (this.options.tumblingWindowSeconds ?? 0) * 1000;
    const created = (record.dynamodb?.ApproximateCreationDateTime ?? Date.now() / 1000) * 1000;
    return Math.floor(created / ms) * ms;
  }

  /** The event Lambda builds for a batch: with a window, the shard, the window and the state so far. */
  private eventFor(
    shardId: string,
    records: DynamoDBRecord[],
    window: OpenWindow | undefined,
    final: boolean,
  ) {
    if (window === undefined) return { Records: records };
    return {
      Records: records,
      window: { start: new Date(window.start).toISOString(), end: new Date(window.end).toISOString() },
      state: window.state,
      shardId,
      eventSourceARN: this.options.streamArn,
      isFinalInvokeForWindow: final,
      isWindowTerminatedEarly: false,
    };
  }

  /** The window's closing call, retried until it succeeds: Lambda holds the shard until then. */
  private async closeWindow(shardId: string, state: ShardState): Promise<void> {
    const window = state.window;
    if (window === undefined) return;
    for (let attempt = 1; this.running; attempt++) {
      try {
        const response = await invokeWithTimeout(
          this.options.handler,
          this.eventFor(shardId, [], window, true),
          this.options.functionName,
          this.options.timeoutMs ?? 30_000,
        );
        if (windowState(response) !== undefined) break;
        this.options.onError?.(new Error("the window's closing call was answered without a state"));
      } catch (error) {
        this.options.onError?.(error);
      }
      await new Promise((r) => setTimeout(r, Math.min(10_000, 200 * 2 ** (attempt - 1))));
    }
    state.window = undefined;
  }

  private async deliver(shardId: string, all: DynamoDBRecord[], shard: ShardState): Promise<void> {
    this.processing = true;
    try {
      let records = all;
      const seconds = this.options.tumblingWindowSeconds;
      const first = all[0];
      if (seconds !== undefined && first !== undefined) {
        const start = this.windowStart(first);
        // Records of a new window: the old one is closed first, and the new one starts with an empty state.
        if (shard.window && shard.window.start !== start) await this.closeWindow(shardId, shard);
        shard.window ??= { start, end: start + seconds * 1000, state: {} };
      }
      const maxAttempts = 1 + (this.options.maximumRetryAttempts ?? DEPLOYED_RETRY_ATTEMPTS);
      for (let attempt = 1; records.length > 0; attempt++) {
        const batch = records;
        const invoke = async (): Promise<number> => {
          try {
            const response = await invokeWithTimeout(
              this.options.handler,
              this.eventFor(shardId, batch, shard.window, false),
              this.options.functionName,
              this.options.timeoutMs ?? 30_000,
            );
            if (shard.window) {
              // Lambda takes an answer without a state for a failed call.
              const next = windowState(response);
              if (next === undefined) return 0;
              shard.window.state = next;
            }
            const failedSequences = reportedFailures(response);
            if (failedSequences === undefined) return 0;
            return batch.findIndex((r) => failedSequences.has(r.dynamodb?.SequenceNumber ?? ''));
          } catch (error) {
            this.options.onError?.(error);
            return 0;
          }
        };
        // A duplicate delivery runs the batch twice at once; the earliest failure of either is where to resume.
        const runs = await Promise.all(this.options.faults?.duplicate() ? [invoke(), invoke()] : [invoke()]);
        const failures = runs.filter((i) => i !== -1);
        const firstFailed = failures.length === 0 ? -1 : Math.min(...failures);
        if (firstFailed === -1) return;
        records = records.slice(firstFailed);
        if (attempt >= maxAttempts) {
          await this.sendToFailureQueue(shardId, records);
          return;
        }
        // Backing off doubles up to 10 s, so ten retries outlast a crashed invocation's in-progress idempotency
        // record (held for the function's 30-s timeout) instead of spending themselves against it.
        await new Promise((r) => setTimeout(r, Math.min(10_000, 200 * 2 ** (attempt - 1))));
      }
    } finally {
      this.processing = false;
    }
  }

  /** The same metadata Lambda sends to an on-failure destination: where the batch was, not its data. */
  private async sendToFailureQueue(shardId: string, records: DynamoDBRecord[]): Promise<void> {
    const body = {
      requestContext: {
        condition: 'RetryAttemptsExhausted',
        functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${this.options.functionName}`,
        approximateInvokeCount: 1 + (this.options.maximumRetryAttempts ?? DEPLOYED_RETRY_ATTEMPTS),
      },
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: records[0]?.dynamodb?.SequenceNumber,
        endSequenceNumber: records[records.length - 1]?.dynamodb?.SequenceNumber,
        batchSize: records.length,
        streamArn: this.options.streamArn,
      },
    };
    await this.options.sqs.send(
      new SendMessageCommand({ QueueUrl: this.options.failureQueue.url, MessageBody: JSON.stringify(body) }),
    );
  }
}
