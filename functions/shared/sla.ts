import { addBusinessMinutes } from './calendar.ts';
import type { Config, PoolConfig, RepConfig } from './config.ts';
import type { Assignment, Lead } from './lead.ts';

export type EffectiveSla = {
  firstContactMinutes: number;
  escalateAfterMinutes?: number;
  escalation: { reassign: boolean; notifyManager: boolean; maxReassignments: number };
};

/** The clock that applies: the first of the lead's segments that has one, else the pool's, else the default. */
export function slaPolicyFor(
  config: Config,
  lead: Pick<Lead, 'segments'>,
  poolId: string | undefined,
): EffectiveSla {
  const pool: PoolConfig | undefined = config.routing.pools.find((p) => p.id === poolId);
  const segment = lead.segments.map((s) => config.sla.segments[s]).find((p) => p !== undefined);
  const layers = [segment, pool?.sla];
  const pick = <K extends 'firstContactMinutes' | 'escalateAfterMinutes' | 'escalation'>(key: K) =>
    layers.map((layer) => layer?.[key]).find((v) => v !== undefined);
  const escalateAfterMinutes = pick('escalateAfterMinutes') ?? config.sla.escalateAfterMinutes;
  return {
    firstContactMinutes: pick('firstContactMinutes') ?? config.sla.firstContactMinutes,
    ...(escalateAfterMinutes !== undefined ? { escalateAfterMinutes } : {}),
    escalation: pick('escalation') ?? config.sla.escalation,
  };
}

type Schedule = Pick<RepConfig, 'workingHours' | 'timezone' | 'region'>;

/**
 * The deadlines of a new assignment: first contact due `firstContactMinutes` of the rep's working time after
 * the assignment, escalation `escalateAfterMinutes` after it. A clock is counted in the rep's business hours
 * (their zone, regional weekend and holidays) when the config says so and the rep has working hours.
 */
export function slaDeadlines(
  config: Config,
  lead: Pick<Lead, 'segments'>,
  poolId: string,
  rep: Schedule | undefined,
  at: Date,
): NonNullable<Assignment['sla']> {
  const policy = slaPolicyFor(config, lead, poolId);
  const schedule: Schedule = config.sla.businessHours && rep ? rep : { timezone: 'UTC' };
  const holidays = config.calendar.holidays;
  const dueAt = addBusinessMinutes(at, policy.firstContactMinutes, schedule, holidays);
  return {
    minutes: policy.firstContactMinutes,
    dueAt: dueAt.toISOString(),
    ...(policy.escalateAfterMinutes !== undefined
      ? {
          escalateAt: addBusinessMinutes(
            at,
            Math.max(policy.escalateAfterMinutes, policy.firstContactMinutes),
            schedule,
            holidays,
          ).toISOString(),
        }
      : {}),
  };
}

/** An assignment with its first-contact clock set. */
export function withSla(
  assignment: Assignment,
  config: Config,
  lead: Pick<Lead, 'segments'>,
  rep: Schedule | undefined,
): Assignment {
  return {
    ...assignment,
    sla: slaDeadlines(config, lead, assignment.poolId, rep, new Date(assignment.at)),
  };
}
