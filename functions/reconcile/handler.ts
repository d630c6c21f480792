import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Config } from '../shared/config.ts';
import type { IntakeMessage } from '../shared/lead.ts';
import { intakeFromGraphLead } from '../shared/meta-intake.ts';
import type { LeadRepository, MessageSender, MetaLeads } from '../shared/ports.ts';
import * as z from '../shared/zod.ts';
import { reconcileSince } from './core.ts';

export type ReconcileDeps = {
  config: Config;
  metaLeads: MetaLeads;
  leads: Pick<LeadRepository, 'exists'>;
  intakeQueue: MessageSender<IntakeMessage>;
  /** Why Meta cannot be read yet (a secret not created): the run says so and reads nothing. */
  metaUnavailable?: string;
  now: () => Date;
  logger: Logger;
};

/** A scheduled run (EventBridge) has neither key; a manual backfill names forms and a start time. */
export const ReconcileRequest = z.object({
  forms: z.optional(z.array(z.string().check(z.regex(/^\d+$/, 'a numeric Meta form id')))),
  since: z.optional(z.iso.datetime({ offset: true })),
});
export type ReconcileRequest = z.infer<typeof ReconcileRequest>;

export type ReconcileSummary = { forms: string[]; since: string; scanned: number; missing: number };

/**
 * Meta webhooks get lost: read each form's recent leads and feed the ones leadpipe does not have into the
 * same pipeline. Leads it has are skipped here (one cheap read each) and, if they race in, by scoring.
 */
export function createReconcileHandler(deps: ReconcileDeps) {
  const { logger } = deps;

  async function reconcile(event: unknown): Promise<ReconcileSummary> {
    const facebook = deps.config.sources.facebook;
    if (facebook === undefined) throw new Error('reconcile needs a facebook source in the configuration');
    const request = ReconcileRequest.parse(event ?? {});
    const now = deps.now();
    const since = reconcileSince(
      now,
      facebook.reconcileLookbackHours,
      request.since ? new Date(request.since) : undefined,
    );
    const forms = request.forms ?? facebook.forms;
    if (deps.metaUnavailable !== undefined) {
      logger.error('secret missing', { why: deps.metaUnavailable });
      return { forms: [], since: since.toISOString(), scanned: 0, missing: 0 };
    }
    let scanned = 0;
    let missing = 0;
    for (const formId of forms) {
      let after: string | undefined;
      do {
        const page = await deps.metaLeads.listFormLeads(formId, since, after);
        scanned += page.leads.length;
        const messages = page.leads.map((lead) =>
          intakeFromGraphLead(lead, formId, facebook, now.toISOString()),
        );
        const known = await Promise.all(messages.map((m) => deps.leads.exists(m.leadId)));
        const lost = messages.filter((_, i) => !known[i]);
        await deps.intakeQueue.sendAll(lost);
        missing += lost.length;
        after = page.after;
      } while (after);
    }
    const summary = { forms, since: since.toISOString(), scanned, missing };
    logger.info('reconcile finished', summary);
    return summary;
  }

  return middy<unknown, ReconcileSummary, Error, Context>(reconcile).use(injectLambdaContext(logger));
}
