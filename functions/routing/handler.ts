import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';
import { createSqsBatchHandler, parseMessage, peekMessage } from '../shared/batch.ts';
import type { Config, PoolConfig } from '../shared/config.ts';
import { type Assignment, isClosed, type Lead, RoutingMessage } from '../shared/lead.ts';
import type {
  CapacityGuard,
  LeadRepository,
  MessageSender,
  PoolCounter,
  RepDirectory,
} from '../shared/ports.ts';
import { withSla } from '../shared/sla.ts';
import {
  assignmentFor,
  choosePool,
  fallbackChain,
  localClock,
  pickFromPool,
  poolRule,
  type RepState,
  type Skipped,
  type Unavailability,
  unavailability,
} from './core.ts';

export type RoutingDeps = {
  config: Config;
  leads: Pick<LeadRepository, 'get' | 'getMany' | 'assign' | 'reassign' | 'markUnassigned' | 'leaveWaiting'>;
  reps: Pick<RepDirectory, 'roster'>;
  counters: Pick<PoolCounter, 'next'>;
  /** The routing queue itself: a lead nobody can take comes back later through it. */
  routingQueue: MessageSender<RoutingMessage>;
  now: () => Date;
  logger: Logger;
};

type BatchPlan = {
  leads: Map<string, Lead | undefined>;
  roster: Map<string, RepState>;
  /** Rotation slots reserved for this batch: one counter write per pool, not per lead. */
  slots: Map<string, { pool: PoolConfig; slot: number }>;
  now: Date;
};

/** The lead a new-lead message names (escalations are handled one by one, outside the batch plan). */
function leadIdOf(record: SQSRecord): string | undefined {
  const message = peekMessage(RoutingMessage, record);
  return message?.escalate ? undefined : message?.leadId;
}

/** Whether the person's earlier owner should get the lead: only while they are active and can take it. */
function stickyOwner(
  lead: Lead,
  roster: Map<string, RepState>,
  now: Date,
  config: Config,
): RepState | undefined {
  const rep = lead.previousOwnerId ? roster.get(lead.previousOwnerId) : undefined;
  if (rep === undefined) return undefined;
  return unavailability(rep, now, { requireWorkingHours: false, holidays: config.calendar.holidays })
    ? undefined
    : rep;
}

/**
 * Assigns each lead exactly once, fairly. A batch reserves one block of rotation slots per pool; each lead then
 * goes to the rep its slot names among the reps who can take a lead now. The assignment is a conditional write
 * (with the rep's capacity in the same transaction), so a redelivery, a racing consumer or a retried counter
 * increment can waste a slot but never assign a lead twice or to two reps.
 */
export function createRoutingHandler(deps: RoutingDeps) {
  const { config, logger } = deps;
  const { routing } = config;
  const holidays = config.calendar.holidays;

  /** Pool members: those the config names, and those ops added to the pool since. */
  function poolWithMembers(pool: PoolConfig, roster: Map<string, RepState>): PoolConfig {
    const extra = [...roster.values()]
      .filter((r) => r.pools?.includes(pool.id) && !pool.reps.includes(r.id))
      .map((r) => r.id);
    return extra.length === 0 ? pool : { ...pool, reps: [...pool.reps, ...extra] };
  }

  /** Every rep as routing sees them now: the stored profile and the leads they got on their local today. */
  async function rosterAt(now: Date): Promise<Map<string, RepState>> {
    const { reps, days } = await deps.reps.roster();
    return new Map(
      reps.map((rep) => [
        rep.id,
        { ...rep, assignedToday: days.get(`${rep.id}#${localClock(now, rep.timezone).date}`) ?? 0 },
      ]),
    );
  }

  async function prepare(records: SQSRecord[]): Promise<BatchPlan> {
    const now = deps.now();
    const ids = [...new Set(records.map(leadIdOf).filter((id): id is string => id !== undefined))];
    const [leads, roster] = await Promise.all([
      // One BatchGetItem for the batch's leads rather than a GetItem each.
      deps.leads.getMany(ids),
      rosterAt(now),
    ]);
    const byPool = new Map<string, { pool: PoolConfig; leadIds: string[] }>();
    for (const id of ids) {
      const lead = leads.get(id);
      if (
        lead === undefined ||
        lead.ownerId !== undefined ||
        lead.test ||
        isClosed(lead.status) ||
        stickyOwner(lead, roster, now, config)
      )
        continue;
      const pool = choosePool(lead, routing);
      const group = byPool.get(pool.id) ?? { pool, leadIds: [] };
      group.leadIds.push(id);
      byPool.set(pool.id, group);
    }
    const slots = new Map<string, { pool: PoolConfig; slot: number }>();
    await Promise.all(
      [...byPool.values()].map(async ({ pool, leadIds }) => {
        const last = await deps.counters.next(pool.id, leadIds.length);
        leadIds.forEach((id, i) => {
          slots.set(id, { pool, slot: last - leadIds.length + 1 + i });
        });
      }),
    );
    return { leads, roster, slots, now };
  }

  function guardFor(rep: RepState, now: Date): CapacityGuard {
    const { capacity } = rep;
    return {
      repId: rep.id,
      ...(capacity?.maxOpen !== undefined ? { maxOpen: capacity.maxOpen } : {}),
      ...(capacity?.perDay !== undefined
        ? { perDay: { date: localClock(now, rep.timezone).date, limit: capacity.perDay } }
        : {}),
    };
  }

  function taken(rep: RepState): void {
    rep.openLeads += 1;
    rep.assignedToday += 1;
  }

  /** Every assignment starts the first-contact clock of its pool or segment, in the rep's business hours. */
  function clocked(assignment: Assignment, lead: Lead, rep: RepState | undefined): Assignment {
    return withSla(assignment, config, lead, rep);
  }

  /**
   * An SLA escalation: the owner missed the first-contact deadline, so the lead goes to the next available rep
   * in its pool. Only if it is still theirs and still uncontacted: a redelivered escalation moves nothing twice.
   */
  async function escalate(leadId: string, from: NonNullable<RoutingMessage['escalate']>): Promise<void> {
    const lead = await deps.leads.get(leadId);
    if (
      lead === undefined ||
      lead.ownerId !== from.fromRepId ||
      lead.assignment?.at !== from.assignmentAt ||
      lead.firstContactAt !== undefined ||
      lead.status !== 'assigned'
    )
      return;
    const now = deps.now();
    const roster = await rosterAt(now);
    const configured =
      routing.pools.find((p) => p.id === lead.assignment?.poolId) ?? choosePool(lead, routing);
    const pool = poolWithMembers(configured, roster);
    const slot = await deps.counters.next(pool.id);
    const pick = pickFromPool(pool, roster, slot, now, holidays, new Map([[from.fromRepId, from.reason]]));
    if (pick.rep === undefined) {
      logger.warn('no other rep can take the escalated lead; it stays with its owner', {
        leadId,
        poolId: pool.id,
        skipped: pick.skipped.map((s) => `${s.repId}:${s.why}`),
      });
      return;
    }
    const assignment = clocked(
      assignmentFor(
        pick.rep,
        {
          poolId: pool.id,
          counter: slot,
          // A decline is not an escalation: it does not count against the lead's passes (maxReassignments).
          rule: from.reason === 'declined' ? 'declined' : 'escalation',
          skipped: pick.skipped,
        },
        now,
      ),
      lead,
      pick.rep,
    );
    // Capacity follows the lead in the transaction that moves it: the old owner gets a place back, the new one
    // uses one (refused if they filled up meanwhile: the lead stays with its owner and the manager was told).
    const previous = roster.get(from.fromRepId);
    const maxOpen = pick.rep.capacity?.maxOpen;
    const moved = await deps.leads.reassign(lead.id, assignment, lead, {
      ...(previous?.capacity?.maxOpen !== undefined ? { release: previous.id } : {}),
      ...(maxOpen !== undefined ? { take: { repId: pick.rep.id, maxOpen } } : {}),
    });
    if (moved !== 'moved') {
      logger.info('escalated lead not moved', { leadId, why: moved });
      return;
    }
    logger.info('lead escalated to another rep', {
      leadId,
      reason: from.reason,
      from: from.fromRepId,
      to: pick.rep.id,
      poolId: pool.id,
    });
  }

  async function route(lead: Lead, plan: BatchPlan): Promise<void> {
    const { roster, now } = plan;
    const done = async (repId: string, poolId: string, rule: string, counter: number) => {
      if (lead.waitingPool) await deps.leads.leaveWaiting(lead.id, lead.waitingPool);
      logger.info('lead assigned', { leadId: lead.id, repId, poolId, rule, counter });
    };

    const sticky = stickyOwner(lead, roster, now, config);
    if (sticky) {
      const assignment = clocked(
        assignmentFor(sticky, { poolId: 'sticky', counter: 0, rule: 'sticky owner', skipped: [] }, now),
        lead,
        sticky,
      );
      const result = await deps.leads.assign(lead.id, assignment, guardFor(sticky, now));
      if (result === 'already-assigned') return;
      if (result === 'assigned') {
        taken(sticky);
        return done(sticky.id, 'sticky', 'sticky owner', 0);
      }
    }

    const planned = plan.slots.get(lead.id);
    const firstPool = planned?.pool ?? choosePool(lead, routing);
    const chain = fallbackChain(firstPool, routing);
    const skipped: Skipped[] = [];
    for (const [index, configured] of chain.pools.entries()) {
      const pool = poolWithMembers(configured, roster);
      const slot = index === 0 && planned ? planned.slot : await deps.counters.next(pool.id);
      const excluded = new Map<string, Unavailability>();
      for (;;) {
        const pick = pickFromPool(pool, roster, slot, now, holidays, excluded);
        if (pick.rep === undefined) {
          skipped.push(...pick.skipped);
          break;
        }
        const rule = index === 0 ? poolRule(lead, pool, routing) : `fallback from pool ${firstPool.id}`;
        const assignment = clocked(
          assignmentFor(
            pick.rep,
            { poolId: pool.id, counter: slot, rule, skipped: [...skipped, ...pick.skipped] },
            now,
          ),
          lead,
          pick.rep,
        );
        const result = await deps.leads.assign(lead.id, assignment, guardFor(pick.rep, now));
        if (result === 'already-assigned') return;
        if (result === 'assigned') {
          taken(pick.rep);
          return done(pick.rep.id, pool.id, rule, slot);
        }
        // Full at the moment of writing (another lead took the last place): leave them out and pick again.
        excluded.set(pick.rep.id, 'at-capacity');
        pick.rep.openLeads = Math.max(pick.rep.openLeads, pick.rep.capacity?.maxOpen ?? 0);
      }
    }

    if (chain.owner) {
      const known = roster.get(chain.owner);
      const assignment = clocked(
        assignmentFor(
          known ?? { id: chain.owner },
          { poolId: chain.pools.at(-1)?.id ?? firstPool.id, counter: 0, rule: 'fallback owner', skipped },
          now,
        ),
        lead,
        known,
      );
      const result = await deps.leads.assign(lead.id, assignment);
      if (result === 'assigned') return done(chain.owner, firstPool.id, 'fallback owner', 0);
      return;
    }

    // Nobody can take it now: it waits, and comes back through the queue until someone can. Never dropped.
    await deps.leads.markUnassigned(lead.id, firstPool.id, now);
    await deps.routingQueue.send({ v: 1, leadId: lead.id }, { delaySeconds: routing.retryUnassignedSeconds });
    logger.warn('no rep can take the lead now; it waits', {
      leadId: lead.id,
      poolId: firstPool.id,
      skipped: skipped.map((s) => `${s.repId}:${s.why}`),
      retryInSeconds: routing.retryUnassignedSeconds,
    });
  }

  return createSqsBatchHandler<BatchPlan>(
    logger,
    async (record, _context, plan) => {
      const { leadId, escalate: escalation } = parseMessage(RoutingMessage, record);
      if (escalation) return escalate(leadId, escalation);
      const lead = plan.leads.get(leadId);
      if (lead === undefined) throw new Error(`lead ${leadId} is not stored yet`);
      if (lead.ownerId !== undefined || lead.test) return;
      // Closed while it waited (a manager disqualified it): it leaves the waiting list and nobody gets it.
      if (isClosed(lead.status)) {
        if (lead.waitingPool) await deps.leads.leaveWaiting(lead.id, lead.waitingPool);
        return;
      }
      await route(lead, plan);
    },
    (records) => prepare(records),
  );
}
