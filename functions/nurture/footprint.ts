import type { Footprint } from '../shared/footprint.ts';

export const footprint = {
  // Query: a moved lead's tasks, handed over to its new owner.
  // DeleteItem: a webhook event leaves its subscriber's outbox once delivered.
  table: { actions: ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query'] },
  idempotencyTable: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'],
  // Timers due soon go straight to the timer queue; escalations that reassign go back to routing.
  sendsTo: ['timers', 'routing'],
  sendsMail: true,
  // WhatsApp and SMS to reps and managers, when configured; chat webhooks are plain HTTPS.
  sendsSms: true,
  callsGraphApi: true,
  secrets: [
    'mail.linkSigningKey',
    'notifications.whatsapp.accessToken',
    'notifications.telegram.botToken',
    'crm.odoo.apiKey',
  ],
  triggers: { queues: ['timers'], tableStream: true },
} as const satisfies Footprint;
