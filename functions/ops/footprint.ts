import type { Footprint } from '../shared/footprint.ts';

export const footprint = {
  // The dashboard's lead list reads the list index.
  table: {
    actions: ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query'],
    indexQueries: ['list'],
  },
  sendsTo: ['routing'],
  secrets: ['mail.linkSigningKey'],
} as const satisfies Footprint;
