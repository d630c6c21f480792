import { v5 as uuidv5 } from 'uuid';

// A fixed namespace: the same platform lead always gets the same leadpipe id, in every environment.
const LEAD_NAMESPACE = '5b1d7a4e-2f0c-4c53-9a7e-6f1f3f0e2d41';

/**
 * The lead id for a platform's own id (Meta leadgen_id, Google lead_id, a form's Idempotency-Key): the same
 * input always gives the same id, so a redelivered webhook finds its lead instead of making a second one.
 */
export function leadIdFor(source: string, externalId: string): string {
  return uuidv5(`${source}:${externalId}`, LEAD_NAMESPACE);
}
