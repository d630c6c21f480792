import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { Config } from '../shared/config.ts';
import { HttpError } from '../shared/errors.ts';
import { errorResponse, type HttpResponse, jsonResponse } from '../shared/http.ts';
import type { RoutingMessage } from '../shared/lead.ts';
import type { LeadRepository, MessageSender, RepDirectory, RepRecord } from '../shared/ports.ts';
import {
  manualAssignment,
  NewRepInput,
  PauseInput,
  parseBody,
  ReassignInput,
  RepPatchInput,
  ResumeInput,
} from './core.ts';

export type OpsDeps = {
  config: Config;
  leads: LeadRepository;
  reps: RepDirectory;
  routingQueue: MessageSender<RoutingMessage>;
  now: () => Date;
  logger: Logger;
};

/**
 * The ops API: read a lead, move it by hand, manage reps. In AWS these routes need IAM-signed requests; the
 * local runner serves them on loopback only.
 */
export function createOpsHandler(deps: OpsDeps) {
  const { config, logger } = deps;

  async function repOr404(id: string): Promise<RepRecord> {
    const rep = await deps.reps.get(id);
    if (rep === undefined) throw new HttpError(404, 'unknown_rep', `There is no rep "${id}".`);
    return rep;
  }

  /** A rep who can take leads again may be what waiting leads wait for: send them back to routing now. */
  async function wakeWaitingLeads(rep: RepRecord): Promise<number> {
    const pools = config.routing.pools.filter((p) => p.reps.includes(rep.id) || rep.pools?.includes(p.id));
    const ids = (await Promise.all(pools.map((p) => deps.leads.waiting(p.id)))).flat();
    await deps.routingQueue.sendAll([...new Set(ids)].map((leadId) => ({ v: 1 as const, leadId })));
    return ids.length;
  }

  async function changeRep(
    id: string,
    patch: Parameters<RepDirectory['update']>[1],
    by: string,
  ): Promise<HttpResponse> {
    await repOr404(id);
    const updated = await deps.reps.update(id, patch, by, deps.now());
    if (updated === undefined) throw new HttpError(404, 'unknown_rep', `There is no rep "${id}".`);
    const woken = updated.active ? await wakeWaitingLeads(updated) : 0;
    logger.info('rep changed', { repId: id, fields: Object.keys(patch), woken });
    return jsonResponse(200, { rep: updated, waitingLeadsRequeued: woken });
  }

  async function handle(event: APIGatewayProxyEventV2): Promise<HttpResponse> {
    const now = deps.now();
    const { leadId = '', repId = '' } = event.pathParameters ?? {};
    switch (event.routeKey) {
      case 'GET /v1/leads/{leadId}': {
        const lead = await deps.leads.get(leadId);
        if (lead === undefined) throw new HttpError(404, 'unknown_lead', `There is no lead "${leadId}".`);
        return jsonResponse(200, { lead });
      }
      case 'POST /v1/leads/{leadId}/assign': {
        const input = parseBody(ReassignInput, event.body);
        const lead = await deps.leads.get(leadId);
        if (lead === undefined) throw new HttpError(404, 'unknown_lead', `There is no lead "${leadId}".`);
        const rep = await repOr404(input.repId);
        if (lead.ownerId === rep.id) return jsonResponse(200, { lead, moved: false });
        const assignment = manualAssignment(lead, input, now);
        if ((await deps.leads.reassign(lead.id, assignment, lead)) === 'conflict')
          throw new HttpError(
            409,
            'owner_changed',
            'The lead changed owner meanwhile; read it again and retry.',
          );
        const previous = lead.ownerId ? await deps.reps.get(lead.ownerId) : undefined;
        if (previous?.capacity?.maxOpen !== undefined) await deps.reps.adjustOpenLeads(previous.id, -1);
        if (rep.capacity?.maxOpen !== undefined) await deps.reps.adjustOpenLeads(rep.id, 1);
        if (lead.waitingPool) await deps.leads.leaveWaiting(lead.id, lead.waitingPool);
        logger.info('lead moved by hand', { leadId, from: lead.ownerId, to: rep.id });
        return jsonResponse(200, { lead: await deps.leads.get(lead.id), moved: true });
      }
      case 'GET /v1/reps': {
        const { reps } = await deps.reps.roster();
        return jsonResponse(200, { reps });
      }
      case 'POST /v1/reps': {
        const { by, ...rep } = parseBody(NewRepInput, event.body);
        if (!(await deps.reps.add(rep, by, now)))
          throw new HttpError(409, 'rep_exists', `A rep "${rep.id}" exists already.`);
        if (rep.pools) await deps.reps.update(rep.id, { pools: rep.pools }, by, now);
        logger.info('rep added', { repId: rep.id });
        return jsonResponse(201, { rep: await deps.reps.get(rep.id) });
      }
      case 'PATCH /v1/reps/{repId}': {
        const { by, ...patch } = parseBody(RepPatchInput, event.body);
        return changeRep(repId, patch, by);
      }
      case 'POST /v1/reps/{repId}/pause': {
        const { by, reason } = parseBody(PauseInput, event.body);
        return changeRep(repId, { active: false, pausedReason: reason ?? 'paused' }, by);
      }
      case 'POST /v1/reps/{repId}/resume': {
        const { by } = parseBody(ResumeInput, event.body);
        return changeRep(repId, { active: true, pausedReason: undefined }, by);
      }
      default:
        throw new HttpError(404, 'unknown_route', `No route for ${event.routeKey}.`);
    }
  }

  async function handleSafely(event: APIGatewayProxyEventV2): Promise<HttpResponse> {
    try {
      return await handle(event);
    } catch (error) {
      if (error instanceof HttpError) return errorResponse(error);
      logger.error('ops request failed', { error: error as Error, routeKey: event.routeKey });
      return jsonResponse(500, {
        error: { code: 'internal', message: 'The request failed on our side; please retry.' },
      });
    }
  }

  return middy<APIGatewayProxyEventV2, HttpResponse, Error, Context>(handleSafely).use(
    injectLambdaContext(logger),
  );
}
