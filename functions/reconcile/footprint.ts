import type { Footprint } from '../shared/footprint.ts';

export const footprint = {
  table: { actions: ['GetItem'] },
  sendsTo: ['intake'],
  secrets: ['facebook.pageAccessToken', 'facebook.appSecret'],
  callsGraphApi: true,
} as const satisfies Footprint;
