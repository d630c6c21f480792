import { HttpError } from '../../shared/errors.ts';
import { type HttpResponse, jsonResponse } from '../../shared/http.ts';
import type { RepDirectory, RepRecord } from '../../shared/ports.ts';
import {
  NewRepInput,
  PauseInput,
  parseBody,
  RepPatchInput,
  ResumeInput,
  requireManager,
  type Viewer,
} from '../core.ts';
import type { OpsDeps, OpsRoutes } from '../deps.ts';

type RepRouteKey =
  | 'GET /v1/reps'
  | 'POST /v1/reps'
  | 'PATCH /v1/reps/{repId}'
  | 'POST /v1/reps/{repId}/pause'
  | 'POST /v1/reps/{repId}/resume';

/** Who takes leads: the roster, adding and changing reps, and a rep pausing or resuming themself. */
export function repRoutes(
  deps: Pick<OpsDeps, 'config' | 'leads' | 'reps' | 'routingQueue' | 'now' | 'logger'>,
): OpsRoutes<RepRouteKey> {
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

  function ownRep(viewer: Viewer, repId: string): void {
    if (viewer.role === 'rep' && viewer.repId !== repId)
      throw new HttpError(403, 'not_your_record', 'A rep can change only their own availability.');
  }

  return {
    'GET /v1/reps': async ({ now, viewer }) => {
      const { reps, days } = await deps.reps.roster();
      const today = now.toISOString().slice(0, 10);
      const visible = viewer.role === 'rep' ? reps.filter((r) => r.id === viewer.repId) : reps;
      // Today's leads per rep: the roster counts per rep and their local day; UTC's today is close enough here.
      return jsonResponse(200, {
        reps: visible.map((r) => ({ ...r, leadsToday: days.get(`${r.id}#${today}`) ?? 0 })),
      });
    },
    'POST /v1/reps': async ({ event, now, viewer }) => {
      requireManager(viewer, 'add a rep');
      const { by, ...rep } = parseBody(NewRepInput, event.body);
      if (!(await deps.reps.add(rep, by, now)))
        throw new HttpError(409, 'rep_exists', `A rep "${rep.id}" exists already.`);
      if (rep.pools) await deps.reps.update(rep.id, { pools: rep.pools }, by, now);
      logger.info('rep added', { repId: rep.id });
      return jsonResponse(201, { rep: await deps.reps.get(rep.id) });
    },
    'PATCH /v1/reps/{repId}': async ({ event, repId, viewer }) => {
      requireManager(viewer, 'change a rep');
      const { by, ...patch } = parseBody(RepPatchInput, event.body);
      return changeRep(repId, patch, by);
    },
    'POST /v1/reps/{repId}/pause': async ({ event, repId, viewer }) => {
      const { by, reason } = parseBody(PauseInput, event.body);
      ownRep(viewer, repId);
      const who = viewer.role === 'rep' ? viewer.repId : by;
      return changeRep(repId, { active: false, pausedReason: reason ?? 'paused' }, who);
    },
    'POST /v1/reps/{repId}/resume': async ({ event, repId, viewer }) => {
      const { by } = parseBody(ResumeInput, event.body);
      ownRep(viewer, repId);
      return changeRep(
        repId,
        { active: true, pausedReason: undefined },
        viewer.role === 'rep' ? viewer.repId : by,
      );
    },
  };
}
