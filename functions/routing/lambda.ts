import { documentClient } from '../shared/aws/clients.ts';
import { DynamoLeadRepository, DynamoPoolCounter } from '../shared/aws/dynamo-lead-repository.ts';
import { bundledConfig } from '../shared/bundled-config.ts';
import { parseEnv, TableEnv } from '../shared/env.ts';
import { createLogger } from '../shared/logger.ts';
import { createRoutingHandler } from './handler.ts';

const env = parseEnv(TableEnv);
const db = documentClient();

export const handler = createRoutingHandler({
  config: bundledConfig(),
  leads: new DynamoLeadRepository(db, env.TABLE_NAME),
  counters: new DynamoPoolCounter(db, env.TABLE_NAME),
  now: () => new Date(),
  logger: createLogger('routing'),
});
