import { SQSClient } from '@aws-sdk/client-sqs';
import { v7 as uuidv7 } from 'uuid';
import { SqsSender } from '../shared/aws/sqs-sender.ts';
import { fetchSsmParameters } from '../shared/aws/ssm-parameters.ts';
import { bundledConfig } from '../shared/bundled-config.ts';
import { IntakeQueueEnv, parseEnv } from '../shared/env.ts';
import { createLogger } from '../shared/logger.ts';
import { resolveSecrets } from '../shared/secrets.ts';
import { createIngestHandler } from './handler.ts';

const env = parseEnv(IntakeQueueEnv);
// Webhook secrets come from SSM once per cold start; the bundle holds only their parameter names.
const config = await resolveSecrets(
  bundledConfig(),
  ['facebook.appSecret', 'facebook.verifyToken', 'google.key'],
  fetchSsmParameters,
);

export const handler = createIngestHandler({
  config,
  intakeQueue: new SqsSender(new SQSClient({}), env.INTAKE_QUEUE_URL),
  newId: uuidv7,
  now: () => new Date(),
  logger: createLogger('ingest'),
});
