import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Lead } from '../lead.ts';
import type { LeadSearch } from '../ports.ts';
import { nameBucket, type SearchQuery, type SearchTerm, searchTermsOf } from '../search.ts';
import { SORT, tableKeys } from '../table-schema.ts';
import * as z from '../zod.ts';
import { queryItems, scanPages } from './scan.ts';

/** DynamoDB takes 25 writes a batch. */
const BATCH = 25;

/** How many name entries one search reads: a common first name in a big table is cut here, newest ids aside. */
const NAME_READ_LIMIT = 100;

/**
 * Search entries in the table: `FIND#email#<key>` and `FIND#phone#<E.164>` partitions list the leads with that
 * identity; `FIND#name#<two characters>` holds `<token>#<leadId>` for a prefix query. Written once per lead and
 * term (a put of the same entry again changes nothing), never read by a scan.
 */
export class DynamoLeadSearch implements LeadSearch {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async index(leadId: string, terms: readonly SearchTerm[]): Promise<void> {
    let requests = terms.map((term) => ({
      PutRequest: { Item: { ...tableKeys.searchTerm(term, leadId), kind: 'search', leadId } },
    }));
    for (let attempt = 1; requests.length > 0; attempt++) {
      const batch = requests.slice(0, BATCH);
      const rest = requests.slice(BATCH);
      const { UnprocessedItems } = await this.db.send(
        new BatchWriteCommand({ RequestItems: { [this.tableName]: batch } }),
      );
      const unprocessed = (UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
      if (unprocessed.length > 0 && attempt >= 8)
        throw new Error('search entries could not be written; retry');
      if (unprocessed.length > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      requests = [...unprocessed, ...rest];
    }
  }

  async lookup(query: SearchQuery): Promise<{ exact: string[]; byName: string[] }> {
    const ids = async (pk: string, prefix?: string) => {
      const found: string[] = [];
      for await (const item of queryItems(this.db, {
        TableName: this.tableName,
        KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk, ...(prefix ? { ':prefix': prefix } : {}) },
        ProjectionExpression: 'leadId',
      })) {
        found.push(String(item.leadId));
        if (found.length >= NAME_READ_LIMIT) break;
      }
      return found;
    };
    const exact = (
      await Promise.all([
        ...query.emails.map((e) => ids(tableKeys.searchPartition('email', e))),
        ...query.phones.map((p) => ids(tableKeys.searchPartition('phone', p))),
      ])
    ).flat();
    const [first] = query.names;
    const byName = first ? await ids(tableKeys.searchPartition('name', nameBucket(first)), first) : [];
    return { exact: [...new Set(exact)], byName: [...new Set(byName)] };
  }
}

/**
 * Writes the search entries of leads stored before search existed (or whose entries a failure left out). Safe
 * to run again or while leads arrive: an entry written twice is one entry.
 */
export async function backfillSearchTerms(
  db: DynamoDBDocumentClient,
  tableName: string,
): Promise<{ scanned: number; indexed: number }> {
  const search = new DynamoLeadSearch(db, tableName);
  let scanned = 0;
  let indexed = 0;
  for await (const page of scanPages(db, {
    TableName: tableName,
    FilterExpression: 'sk = :lead',
    ExpressionAttributeValues: { ':lead': SORT.lead },
    ProjectionExpression: 'id, #keys, phoneE164, contact',
    ExpressionAttributeNames: { '#keys': 'keys' },
  })) {
    scanned += page.ScannedCount ?? 0;
    for (const item of page.Items ?? []) {
      const lead = SearchableLead.safeParse(item);
      if (!lead.success) continue;
      await search.index(lead.data.id, searchTermsOf(lead.data));
      indexed++;
    }
  }
  return { scanned, indexed };
}

const SearchableLead = z.pick(Lead, { id: true, keys: true, phoneE164: true, contact: true });
