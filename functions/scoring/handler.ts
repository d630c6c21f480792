import type { Logger } from '@aws-lambda-powertools/logger';
import { createSqsBatchHandler, parseMessage } from '../shared/batch.ts';
import type { Config } from '../shared/config.ts';
import { IntakeMessage, type RoutingMessage } from '../shared/lead.ts';
import type { LeadRepository, MessageSender } from '../shared/ports.ts';
import { buildLead } from './core.ts';

export type ScoringDeps = {
  config: Config;
  leads: LeadRepository;
  routingQueue: MessageSender<RoutingMessage>;
  now: () => Date;
  logger: Logger;
};

/**
 * Intake → stored, scored lead → routing queue. Safe to redeliver: the lead is a conditional put keyed
 * by its id, and routing ignores leads that already have an owner.
 */
export function createScoringHandler(deps: ScoringDeps) {
  const { logger } = deps;
  return createSqsBatchHandler(logger, async (record) => {
    const intake = parseMessage(IntakeMessage, record);
    const lead = buildLead(intake, deps.config, deps.now());
    const created = await deps.leads.create(lead);
    logger.info('lead scored', {
      leadId: lead.id,
      source: lead.source,
      score: lead.score.total,
      segments: lead.segments,
      redelivered: created === 'exists',
    });
    if (lead.test) return;
    await deps.routingQueue.send({ v: 1, leadId: lead.id });
  });
}
