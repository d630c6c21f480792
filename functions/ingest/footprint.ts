import type { Footprint } from '../shared/footprint.ts';

export const footprint = {
  // Idempotency-Key claims (a conditional put) and payloads too large to travel on the queue.
  table: { actions: ['PutItem'] },
  sendsTo: ['intake'],
  secrets: ['facebook.appSecret', 'facebook.verifyToken', 'google.key'],
} as const satisfies Footprint;
