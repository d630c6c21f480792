import { SQSClient } from '@aws-sdk/client-sqs';
import { v7 as uuidv7 } from 'uuid';
import { SqsSender } from '../shared/aws/sqs-sender.ts';
import { bundledConfig } from '../shared/bundled-config.ts';
import { IntakeQueueEnv, parseEnv } from '../shared/env.ts';
import { createLogger } from '../shared/logger.ts';
import { createIngestHandler } from './handler.ts';

const env = parseEnv(IntakeQueueEnv);

export const handler = createIngestHandler({
  config: bundledConfig(),
  intakeQueue: new SqsSender(new SQSClient({}), env.INTAKE_QUEUE_URL),
  newId: uuidv7,
  now: () => new Date(),
  logger: createLogger('ingest'),
});
