import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';
import { createSqsBatchHandler, parseMessage } from '../shared/batch.ts';
import type { Config } from '../shared/config.ts';
import { GraphApiError } from '../shared/graph-api.ts';
import type { ImportOutcome } from '../shared/imports.ts';
import { type GraphLead, IntakeMessage, type Lead, type RoutingMessage } from '../shared/lead.ts';
import { RAW_KEPT_SECONDS } from '../shared/limits.ts';
import type {
  FailureLog,
  ImportLog,
  KeyKind,
  LeadRepository,
  LeadSearch,
  MessageSender,
  MetaLeads,
} from '../shared/ports.ts';
import { ownValue } from '../shared/records.ts';
import { DUPLICATE_WINDOW_MINUTES } from '../shared/rep-config.ts';
import { searchTermsOf } from '../shared/search.ts';
import {
  buildLead,
  type DedupeKey,
  dedupeKeys,
  keysToRefresh,
  mergeTouch,
  reopensAsNewLead,
} from './core.ts';
import { applyGraphLead } from './facebook-lead.ts';

export type ScoringDeps = {
  config: Config;
  leads: Pick<
    LeadRepository,
    'get' | 'claimDedupeKey' | 'createWithKeys' | 'keepRaw' | 'refreshKeys' | 'saveMerged'
  >;
  routingQueue: MessageSender<RoutingMessage>;
  /** Meta's Graph API; absent when no Facebook source is configured. */
  metaLeads?: MetaLeads;
  failures: FailureLog;
  /** A stored lead is written under the terms a rep finds it by (email, phone, name). */
  search: Pick<LeadSearch, 'index'>;
  /** Spreadsheet rows are counted on their import once stored. */
  imports: Pick<ImportLog, 'recordRow'>;
  /** Why there is no Graph API client (a secret not created yet): said when a Meta lead arrives. */
  metaUnavailable?: string;
  now: () => Date;
  logger: Logger;
};

/** The lead was created by this very import (its row delivered again), not by an earlier one or a webhook. */
function sameImport(lead: Lead, intake: IntakeMessage): boolean {
  return intake.import !== undefined && lead.importId === intake.import.id;
}

/** Graph's "object does not exist" (subcode 33): the lead is deleted, never was, or is another Page's. */
const DOES_NOT_EXIST = 100;
/** The leadgen_id of the sample webhook Meta's App Dashboard "Test" button sends. */
const DASHBOARD_TEST_LEADGEN_ID = '444444444444';

/**
 * Intake → stored, scored lead → routing queue. Safe to redeliver: the lead is a conditional put keyed by its
 * id (derived from the platform's id), and routing ignores leads that already have an owner.
 */
export function createScoringHandler(deps: ScoringDeps) {
  const { logger, config } = deps;

  /**
   * The lead's answers from the Graph API; undefined when Meta says the lead does not exist (code 100): the App
   * Dashboard's "Test" button sends leadgen_id 444444444444, which Graph never has. That answer will not change
   * on a retry, so it is recorded and counted, never parked in the DLQ.
   */
  async function fetchMetaLead(intake: IntakeMessage): Promise<GraphLead | undefined> {
    const notice = intake.meta;
    if (notice === undefined) throw new Error('not a Meta lead');
    if (notice.lead) return notice.lead;
    if (deps.metaLeads === undefined)
      throw new Error(deps.metaUnavailable ?? 'a Meta lead arrived but no Graph API client is configured');
    try {
      return await deps.metaLeads.getLead(notice.leadgenId);
    } catch (error) {
      if (error instanceof GraphApiError && error.permanent) {
        await deps.failures.record({
          source: 'facebook',
          externalId: notice.leadgenId,
          leadId: intake.leadId,
          code: `graph-${error.code ?? error.status}`,
          message: error.message,
          hint: error.hint,
          at: deps.now().toISOString(),
        });
        if (error.code === DOES_NOT_EXIST) {
          logger.warn('Meta lead does not exist', {
            leadId: intake.leadId,
            dashboardTest: notice.leadgenId === DASHBOARD_TEST_LEADGEN_ID,
            metaLeadMissing: 1,
          });
          return undefined;
        }
        logger.error('Meta lead cannot be read', {
          leadId: intake.leadId,
          graphCode: error.code,
          hint: error.hint,
        });
      }
      throw error;
    }
  }

  /** A spreadsheet row's outcome, counted once on its import (a redelivered row is not counted again). */
  async function countRow(intake: IntakeMessage, outcome: ImportOutcome, leadId: string): Promise<void> {
    if (intake.import === undefined) return;
    await deps.imports.recordRow(intake.import.id, intake.import.row, outcome, leadId);
  }

  /** An imported row with `route: false` stays unassigned: a manager assigns it by hand. */
  const routes = (intake: IntakeMessage) => intake.import?.route !== false;

  /**
   * The person has a lead already: record this contact as a touch on it (the owner stays; nobody is assigned
   * again), or, for a closed lead when configured, open a new lead that prefers the old owner.
   */
  async function handleReturningPerson(
    intake: IntakeMessage,
    lead: Lead,
    holders: { key: KeyKind; leadId: string }[],
    keys: DedupeKey[],
    window: { nowEpoch: number; expiresAt: number },
    now: Date,
    route: (leadId: string) => void,
  ): Promise<{ outcome: ImportOutcome; leadId: string }> {
    // The email's holder first: a shared family phone is weaker evidence than a personal address.
    const holderId = (holders.find((h) => h.key === 'email') ?? holders[0])?.leadId ?? '';
    const matchedOn = holders.filter((h) => h.leadId === holderId).map((h) => h.key);
    for (let attempt = 1; attempt <= 5; attempt++) {
      const existing = await deps.leads.get(holderId);
      if (existing === undefined) throw new Error(`lead ${holderId} holds a key but is not stored`);
      if (reopensAsNewLead(existing, config)) {
        const reopened = { ...lead, ...(existing.ownerId ? { previousOwnerId: existing.ownerId } : {}) };
        await deps.leads.createWithKeys(reopened, keys, window, { takeOver: true });
        await deps.search.index(reopened.id, searchTermsOf(reopened));
        logger.info('closed lead reopened as a new lead', { leadId: lead.id, previousLeadId: existing.id });
        if (routes(intake)) route(lead.id);
        return { outcome: 'created', leadId: lead.id };
      }
      const touched = mergeTouch(existing, lead, matchedOn, config, now);
      if (touched === existing) return { outcome: 'merged', leadId: existing.id };
      // The keys before the touch is saved: a stored touch says its keys' window was pushed on.
      const refresh = keysToRefresh(existing, touched, now);
      if (refresh.length > 0) await deps.leads.refreshKeys(existing.id, refresh, window);
      // Stamped only when every key was written: a new key alone leaves the older keys' window where it was.
      const allWritten = refresh.length > 0 && refresh.length === dedupeKeys(touched).length;
      const merged = allWritten ? { ...touched, keysRefreshedAt: now.toISOString() } : touched;
      if ((await deps.leads.saveMerged(merged, existing.version)) === 'recorded') {
        // A returning person may bring an email or a phone the lead did not have: findable by it too.
        await deps.search.index(existing.id, searchTermsOf(merged));
        logger.info('returning person recorded as a touch', {
          leadId: existing.id,
          touchId: lead.id,
          matchedOn,
          touches: merged.touches.length,
          score: merged.score.total,
        });
        return { outcome: 'merged', leadId: existing.id };
      }
    }
    throw new Error(`lead ${holderId} kept changing while a touch was recorded; will retry`);
  }

  return createSqsBatchHandler<HandOffs>(
    logger,
    async (record, _context, handOffs) => {
      // Routing hears of the batch's leads together once every record is done: one SendMessageBatch for ten.
      const route = (leadId: string) => void handOffs.set(record.messageId, { v: 1, leadId });
      let intake = parseMessage(IntakeMessage, record);
      const now = deps.now();
      const nowEpoch = Math.floor(now.getTime() / 1000);
      let graph: GraphLead | undefined;

      if (intake.meta) {
        // Meta redelivers webhooks and the reconcile job re-reads forms: skip the Graph call for a known lead.
        const known = await deps.leads.get(intake.leadId);
        if (known !== undefined) {
          // A retry of a message that stored the lead but failed before routing heard of it must still route it;
          // routing assigns with a conditional write, so a second message never assigns twice.
          const routeAgain = known.ownerId === undefined && !known.test && routes(intake);
          logger.info('duplicate Meta lead dropped', { leadId: intake.leadId, routeAgain });
          if (routeAgain) route(known.id);
          // A row of a Meta download whose lead the webhook brought already: the same lead, merged.
          await countRow(intake, sameImport(known, intake) ? 'created' : 'merged', known.id);
          return;
        }
        graph = await fetchMetaLead(intake);
        if (graph === undefined) return;
        intake = applyGraphLead(intake, graph);
      }

      if (intake.dedupeKey) {
        const windowMinutes =
          ownValue(config.sources.forms, intake.formId)?.duplicateWindowMinutes ?? DUPLICATE_WINDOW_MINUTES;
        const claimed = await deps.leads.claimDedupeKey(
          intake.dedupeKey,
          intake.leadId,
          nowEpoch,
          nowEpoch + windowMinutes * 60,
        );
        if (!claimed) {
          logger.info('repeated form submission dropped', { leadId: intake.leadId, formId: intake.formId });
          return;
        }
      }

      const lead = buildLead(intake, config, now);
      // A payload ingest kept already (too large for the queue) is not written again.
      if ((intake.raw !== undefined && !intake.rawKept) || graph !== undefined) {
        await deps.leads.keepRaw(
          lead.id,
          {
            source: lead.source,
            ...(intake.raw !== undefined && !intake.rawKept ? { payload: intake.raw } : {}),
            ...(graph !== undefined ? { graph: JSON.stringify(graph) } : {}),
          },
          nowEpoch + RAW_KEPT_SECONDS,
        );
      }
      const keys = dedupeKeys(lead);
      const window = { nowEpoch, expiresAt: nowEpoch + config.duplicates.windowDays * 86_400 };
      const outcome = await deps.leads.createWithKeys(lead, keys, window);
      if (outcome.kind === 'duplicate') {
        const returning = await handleReturningPerson(
          intake,
          lead,
          outcome.holders,
          keys,
          window,
          now,
          route,
        );
        await countRow(intake, returning.outcome, returning.leadId);
        return;
      }
      // After the lead exists (a redelivery, `exists`, writes the same entries again: a crash in between loses none).
      await deps.search.index(lead.id, searchTermsOf(lead));
      logger.info('lead scored', {
        leadId: lead.id,
        source: lead.source,
        score: lead.score.total,
        segments: lead.segments,
        redelivered: outcome.kind === 'exists',
        test: lead.test,
      });
      if (intake.import !== undefined) {
        // `exists`: this row's delivery again, or the same row imported before (the lead id comes from the row).
        const stored = outcome.kind === 'exists' ? await deps.leads.get(lead.id) : lead;
        await countRow(intake, stored && sameImport(stored, intake) ? 'created' : 'merged', lead.id);
      }
      if (lead.test || !routes(intake)) return;
      route(lead.id);
    },
    async () => new Map(),
    handOff,
  );

  /**
   * Hands the stored leads of the batch's finished records to routing. Should that fail, those records are retried:
   * each finds its lead stored and hands it over again (routing assigns a lead once, whatever it hears twice).
   */
  async function handOff(handOffs: HandOffs, succeeded: SQSRecord[]): Promise<SQSRecord[]> {
    const handing = succeeded.filter((r) => handOffs.has(r.messageId));
    if (handing.length === 0) return [];
    try {
      await deps.routingQueue.sendAll(handing.flatMap((r) => handOffs.get(r.messageId) ?? []));
      return [];
    } catch (error) {
      logger.error('stored leads not handed to routing; their records are retried', {
        leads: handing.length,
        error: error as Error,
      });
      return handing;
    }
  }
}

/** The routing message each finished record leaves for the batch to send, by its SQS message id. */
type HandOffs = Map<string, RoutingMessage>;
