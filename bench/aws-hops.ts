import type { BundleResult } from './bundles.ts';

/**
 * The runtime's own start before a function's module init, for a hello-world zip on nodejs22.x arm64:
 * 124–130 ms average Init Duration (maxday/lambda-perf daily benchmark, data of 2026-08-22).
 */
export const RUNTIME_INIT_MS = 127;

/**
 * How long each event source mapping leaves a ready event waiting, as AWS documents it: the SQS mapping
 * long-polls with no batching window by default, so a message is picked up as soon as a poller's receive returns
 * (a round trip, ~20 ms); the DynamoDB Streams mapping polls each shard 4 times a second, so a record waits
 * 125 ms on average and 250 ms at most (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html).
 */
export const POLL_WAIT_MS = {
  sqs: { average: 20, worst: 40 },
  stream: { average: 125, worst: 250 },
} as const;

type Hop = { hop: string; functionName: string; poll: keyof typeof POLL_WAIT_MS | 'http' };

const HOPS: Hop[] = [
  { hop: 'HTTP API → ingest (durable in SQS, 202)', functionName: 'ingest', poll: 'http' },
  { hop: 'intake queue → scoring', functionName: 'scoring', poll: 'sqs' },
  { hop: 'routing queue → routing (assignment written)', functionName: 'routing', poll: 'sqs' },
  { hop: 'table stream → nurture (the rep hears)', functionName: 'nurture', poll: 'stream' },
];

/**
 * Form → rep in AWS, hop by hop: each hop's poll wait plus its function's measured time per batch (warm), and
 * with the runtime start and the function's measured module init in front of it (cold, a lead an hour).
 */
export function awsHops(
  bundles: BundleResult[],
  invocations: { functionName: string; count: number; totalMs: number }[],
) {
  const rows = HOPS.map(({ hop, functionName, poll }) => {
    const run = invocations.find((i) => i.functionName === functionName);
    const workMs = run && run.count > 0 ? run.totalMs / run.count : 0;
    const wait = poll === 'http' ? { average: 0, worst: 0 } : POLL_WAIT_MS[poll];
    const initMs = bundles.find((b) => b.function === functionName)?.initMs ?? 0;
    const warm = Math.round(wait.average + workMs);
    return {
      hop,
      functionName,
      pollMs: wait.average,
      workMs: Math.round(workMs),
      initMs,
      warmMs: warm,
      coldMs: Math.round(warm + RUNTIME_INIT_MS + initMs),
    };
  });
  return {
    rows,
    warmMs: rows.reduce((n, r) => n + r.warmMs, 0),
    coldMs: rows.reduce((n, r) => n + r.coldMs, 0),
  };
}

export function awsHopsMarkdown(hops: ReturnType<typeof awsHops>): string[] {
  return [
    '## Form → rep in AWS, hop by hop (an estimate from the figures above)',
    '',
    `Each hop is the event source's documented wait (SQS: long polling, no batching window, ~${POLL_WAIT_MS.sqs.average} ms; the stream: polled 4 times a second, ${POLL_WAIT_MS.stream.average} ms on average) plus its function's average time per invocation in the steady 10 leads/s run here (DynamoDB Local is slower per request than DynamoDB, so this errs long). Cold adds the runtime's start (${RUNTIME_INIT_MS} ms, nodejs22.x arm64 hello-world) and the bundle's module init measured above: a small business with a lead an hour meets all four cold.`,
    '',
    '| hop | poll wait (ms) | function time (ms) | module init (ms) | warm (ms) | cold (ms) |',
    '|---|---|---|---|---|---|',
    ...hops.rows.map(
      (r) => `| ${r.hop} | ${r.pollMs} | ${r.workMs} | ${r.initMs} | ${r.warmMs} | ${r.coldMs} |`,
    ),
    `| **form → rep** | | | | **${hops.warmMs}** | **${hops.coldMs}** |`,
    '',
  ];
}
