import type { Footprint } from '../shared/footprint.ts';

export const footprint = {
  // The sweep queries the due index and marks what it enqueued.
  table: { actions: ['UpdateItem'], indexQueries: ['due'] },
  sendsTo: ['timers'],
} as const satisfies Footprint;
