import type { Footprint } from '../shared/footprint.ts';

export const footprint = {
  table: { actions: ['GetItem', 'PutItem', 'UpdateItem'] },
  sendsTo: ['routing'],
  secrets: ['facebook.pageAccessToken', 'facebook.appSecret'],
  callsGraphApi: true,
  triggers: { queues: ['intake'] },
} as const satisfies Footprint;
