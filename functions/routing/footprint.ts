import type { Footprint } from '../shared/footprint.ts';

export const footprint = {
  table: { actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query'] },
  // A lead nobody can take goes back on the routing queue with a delay.
  sendsTo: ['routing'],
  triggers: { queues: ['routing'] },
} as const satisfies Footprint;
