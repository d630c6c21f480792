import { SQSClient } from '@aws-sdk/client-sqs';
import { v7 as uuidv7 } from 'uuid';
import { documentClient } from '../shared/aws/clients.ts';
import { DynamoLeadRepository } from '../shared/aws/dynamo-lead-repository.ts';
import { SqsSender } from '../shared/aws/sqs-sender.ts';
import { fetchSsmParameters } from '../shared/aws/ssm-parameters.ts';
import { bundledConfig } from '../shared/bundled-config.ts';
import { IntakeQueueEnv, parseEnv, TableEnv } from '../shared/env.ts';
import { createLogger } from '../shared/logger.ts';
import { resolveAvailableSecrets } from '../shared/secrets.ts';
import { createIngestHandler } from './handler.ts';

const env = parseEnv(IntakeQueueEnv.extend(TableEnv.shape));
// Webhook secrets come from SSM once per cold start; the bundle holds only their parameter names. A missing one
// makes only its own source answer 503.
const { config, missing } = await resolveAvailableSecrets(
  bundledConfig(),
  ['facebook.appSecret', 'facebook.verifyToken', 'google.key'],
  fetchSsmParameters,
);

export const handler = createIngestHandler({
  config,
  intakeQueue: new SqsSender(new SQSClient({}), env.INTAKE_QUEUE_URL),
  store: new DynamoLeadRepository(documentClient(), env.TABLE_NAME),
  missingSecrets: missing,
  newId: uuidv7,
  now: () => new Date(),
  logger: createLogger('ingest'),
});
