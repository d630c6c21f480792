import type { Logger } from '@aws-lambda-powertools/logger';
import { createSqsBatchHandler, parseMessage } from '../shared/batch.ts';
import type { Config } from '../shared/config.ts';
import { RoutingMessage } from '../shared/lead.ts';
import type { LeadRepository, PoolCounter } from '../shared/ports.ts';
import { choosePool, planAssignment } from './core.ts';

export type RoutingDeps = {
  config: Config;
  leads: LeadRepository;
  counters: PoolCounter;
  now: () => Date;
  logger: Logger;
};

/**
 * Assigns each lead exactly once. The counter increment is not idempotent (a retry skips a slot), but the
 * assignment is a conditional write: a redelivery or a racing consumer finds the owner set and stops.
 */
export function createRoutingHandler(deps: RoutingDeps) {
  const { logger } = deps;
  return createSqsBatchHandler(logger, async (record) => {
    const { leadId } = parseMessage(RoutingMessage, record);
    const lead = await deps.leads.get(leadId);
    if (lead === undefined) throw new Error(`lead ${leadId} is not stored yet`);
    if (lead.ownerId !== undefined || lead.test) return;
    const pool = choosePool(lead, deps.config.routing);
    const counter = await deps.counters.next(pool.id);
    const assignment = planAssignment(lead, deps.config.routing, pool, counter, deps.now());
    const result = await deps.leads.assign(leadId, assignment);
    logger.info(result === 'assigned' ? 'lead assigned' : 'lead was already assigned', {
      leadId,
      poolId: pool.id,
      repId: assignment.repId,
      counter,
    });
  });
}
