import type { Lead } from './lead.ts';

/** A durable queue: `send` resolves only once the message is stored by the queue service. */
export interface MessageSender<T> {
  send(message: T): Promise<void>;
}

export type CreateResult = 'created' | 'exists';
export type AssignResult = 'assigned' | 'already-assigned';

export interface LeadRepository {
  /** Stores a new lead unless a lead with this id exists (redelivery): a conditional put. */
  create(lead: Lead): Promise<CreateResult>;
  /** Strongly consistent read. */
  get(id: string): Promise<Lead | undefined>;
  /** Sets the owner only if the lead has none: a conditional update, so a lead is never assigned twice. */
  assign(id: string, assignment: NonNullable<Lead['assignment']>): Promise<AssignResult>;
}

export interface PoolCounter {
  /** Atomically increments the pool's rotation counter and returns the new value (1, 2, 3…). */
  next(poolId: string): Promise<number>;
}

export type OutgoingMail = {
  to: string;
  from: string;
  subject: string;
  html: string;
  text: string;
  headers?: Record<string, string>;
  tags?: Record<string, string>;
};

export interface Mailer {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
}
