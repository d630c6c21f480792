import { v7 as uuidv7 } from 'uuid';
import { documentClient } from '../shared/aws/clients.ts';
import { DynamoLeadRepository } from '../shared/aws/dynamo-lead-repository.ts';
import { SqsSender } from '../shared/aws/sqs-sender.ts';
import { IntakeQueueEnv, parseEnv, TableEnv } from '../shared/env.ts';
import { createLogger } from '../shared/logger.ts';
import { systemClock, type WiringInput } from '../shared/wiring.ts';
import * as z from '../shared/zod.ts';
import { createIngestHandler } from './handler.ts';

export const IngestEnv = z.extend(IntakeQueueEnv, TableEnv.shape);

/** The ingest function as Lambda, the local runner and the tests run it. */
export function wireIngest(input: WiringInput<'dynamodb' | 'sqs'> & { newId?: () => string }) {
  const env = parseEnv(IngestEnv, input.env);
  return createIngestHandler({
    config: input.config,
    intakeQueue: new SqsSender(input.clients.sqs, env.INTAKE_QUEUE_URL),
    store: new DynamoLeadRepository(documentClient(input.clients.dynamodb), env.TABLE_NAME),
    newId: input.newId ?? uuidv7,
    now: input.now ?? systemClock,
    logger: input.logger ?? createLogger('ingest'),
    ...(input.missingSecrets ? { missingSecrets: input.missingSecrets } : {}),
  });
}
