import type { Footprint } from '../shared/footprint.ts';

export const footprint = {
  // The dashboard's lead list reads the list index; a rep's agenda, the agenda index.
  table: {
    actions: ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query'],
    indexQueries: ['list', 'agenda'],
  },
  // Waking waiting leads goes to routing; a task's reminder to the timer queue; an imported row to intake.
  sendsTo: ['routing', 'timers', 'intake'],
  // WhatsApp's webhook is checked with the app secret and verify token; the reply to a tap goes over Graph.
  secrets: [
    'mail.linkSigningKey',
    'notifications.whatsapp.appSecret',
    'notifications.whatsapp.verifyToken',
    'notifications.whatsapp.accessToken',
  ],
  callsGraphApi: true,
} as const satisfies Footprint;
