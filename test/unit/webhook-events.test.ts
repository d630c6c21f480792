import { describe, expect, it } from 'vitest';
import { eventIdFor, eventSeq, leadEvents } from '../../functions/shared/webhooks.ts';
import { assignment, lead } from '../support/factories.ts';

describe('the webhook events of a lead change', () => {
  const created = lead();
  const assigned = lead({
    id: created.id,
    status: 'assigned',
    ownerId: 'sara',
    assignment: assignment({ repId: 'sara' }),
    statusHistory: [{ status: 'assigned', at: created.receivedAt, by: 'routing' }],
  });

  it('name what changed: created, assigned, status, won or lost, touched', () => {
    expect(leadEvents(undefined, created)).toEqual(['lead.created']);
    expect(leadEvents(created, assigned)).toEqual(['lead.assigned', 'lead.status_changed']);
    const won = {
      ...assigned,
      status: 'won' as const,
      statusHistory: [
        ...assigned.statusHistory,
        { status: 'won' as const, at: assigned.receivedAt, by: 'sara' },
      ],
    };
    expect(leadEvents(assigned, won)).toEqual(['lead.status_changed', 'lead.won']);
    const lost = { ...won, status: 'lost' as const };
    expect(leadEvents(assigned, lost)).toEqual(['lead.status_changed', 'lead.lost']);
    const touched = {
      ...assigned,
      touches: [...assigned.touches, { ...(assigned.touches[0] ?? {}), id: 't1' }],
    } as typeof assigned;
    expect(leadEvents(assigned, touched)).toEqual(['lead.touched']);
    expect(leadEvents(assigned, assigned)).toEqual([]);
  });

  it('make none for a test lead', () => {
    expect(leadEvents(undefined, { ...created, test: true })).toEqual([]);
  });

  it('sort by the change, the same however often it is seen, with a webhook-id of its own per subscriber', () => {
    expect(eventSeq(created, 'lead.created') < eventSeq(assigned, 'lead.assigned')).toBe(true);
    expect(eventSeq(assigned, 'lead.assigned') < eventSeq(assigned, 'lead.status_changed')).toBe(true);
    expect(eventSeq(assigned, 'lead.assigned')).toBe(eventSeq(structuredClone(assigned), 'lead.assigned'));
    const seq = eventSeq(assigned, 'lead.assigned');
    expect(eventIdFor('s1', assigned.id, seq)).toBe(eventIdFor('s1', assigned.id, seq));
    expect(eventIdFor('s1', assigned.id, seq)).not.toBe(eventIdFor('s2', assigned.id, seq));
    expect(eventIdFor('s1', assigned.id, seq)).toMatch(/^msg_[A-Za-z0-9_-]{27}$/);
  });
});
