import type { Footprint } from '../shared/footprint.ts';

export const footprint = {
  // A batch's leads are read with one BatchGetItem; an escalation reads its lead with GetItem.
  table: { actions: ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query'] },
  // A lead nobody can take goes back on the routing queue with a delay.
  sendsTo: ['routing'],
  triggers: { queues: ['routing'] },
} as const satisfies Footprint;
