import type { Footprint } from '../shared/footprint.ts';

export const footprint = {
  // Search entries are written in batches.
  table: { actions: ['GetItem', 'PutItem', 'UpdateItem', 'BatchWriteItem'] },
  sendsTo: ['routing'],
  secrets: ['facebook.pageAccessToken', 'facebook.appSecret'],
  callsGraphApi: true,
  triggers: { queues: ['intake'] },
} as const satisfies Footprint;
