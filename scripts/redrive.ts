import { parseArgs } from 'node:util';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from '../functions/shared/zod.ts';
import { redrive } from '../local/redrive.ts';
import { connectToRunner } from '../local/runtime.ts';

// `npm run redrive -- --queue intake`: moves the DLQ's messages back to the queue of the running local pipeline.
const Args = z.object({
  queue: z.enum(['intake', 'routing', 'timers'], { error: 'use --queue intake, routing or timers' }),
});

try {
  const { values } = parseArgs({ options: { queue: { type: 'string' } } });
  const { queue } = Args.parse(values);
  const runtime = connectToRunner();
  const from = runtime.queues[`${queue}-dlq`];
  const to = runtime.queues[queue];
  if (!from || !to) throw new Error(`the running pipeline has no ${queue} queue`);
  const sqs = new SQSClient({});
  const moved = await redrive(sqs, from.url, to.url);
  console.log(`moved ${moved} message${moved === 1 ? '' : 's'} from ${from.name} back to ${to.name}`);
  sqs.destroy();
} catch (error) {
  console.error(
    `redrive: ${error instanceof z.core.$ZodError ? error.issues.map((i) => i.message).join('; ') : (error as Error).message}`,
  );
  process.exit(1);
}
