import type { RequestCount } from '../local/request-counter.ts';
import { PRICES } from './prices.ts';

export type CostLine = { item: string; perLead: number; dollarsPerMillionLeads: number };

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Dollars per million leads from what the benchmark measured per lead: AWS requests by operation (DynamoDB as
 * consumed capacity units), Lambda invocations and their duration, emails. Per-lead figures in, list prices
 * from the dated table.
 */
export function costPerMillionLeads(input: {
  requestsPerLead: (RequestCount & { perLead: number })[];
  leads: number;
  invocationsPerLead: number;
  gbSecondsPerLead: number;
  httpRequestsPerLead: number;
  emailsPerLead: number;
}): { lines: CostLine[]; withoutEmail: number; withEmail: number } {
  const sqs = input.requestsPerLead.filter((r) => r.service === 'SQS').reduce((n, r) => n + r.perLead, 0);
  const ddb = input.requestsPerLead.filter((r) => r.service === 'DynamoDB' && r.role !== 'sweeper');
  const wru = ddb.reduce((n, r) => n + (r.writeUnits ?? 0), 0) / input.leads;
  const rru = ddb.reduce((n, r) => n + (r.readUnits ?? 0), 0) / input.leads;
  const lines: CostLine[] = [
    {
      item: 'HTTP API requests',
      perLead: input.httpRequestsPerLead,
      dollarsPerMillionLeads: input.httpRequestsPerLead * PRICES.httpApiPerMillionRequests,
    },
    {
      item: 'Lambda invocations',
      perLead: input.invocationsPerLead,
      dollarsPerMillionLeads: input.invocationsPerLead * PRICES.lambdaPerMillionRequests,
    },
    {
      item: 'Lambda GB-seconds (256 MB, arm64)',
      perLead: input.gbSecondsPerLead,
      dollarsPerMillionLeads: input.gbSecondsPerLead * PRICES.lambdaPerGbSecond * 1e6,
    },
    { item: 'SQS requests', perLead: sqs, dollarsPerMillionLeads: sqs * PRICES.sqsPerMillionRequests },
    {
      item: 'DynamoDB write units',
      perLead: wru,
      dollarsPerMillionLeads: wru * PRICES.dynamoPerMillionWriteUnits,
    },
    {
      item: 'DynamoDB read units',
      perLead: rru,
      dollarsPerMillionLeads: rru * PRICES.dynamoPerMillionReadUnits,
    },
  ].map((l) => ({
    ...l,
    perLead: round(l.perLead, 4),
    dollarsPerMillionLeads: round(l.dollarsPerMillionLeads),
  }));
  const withoutEmail = round(lines.reduce((n, l) => n + l.dollarsPerMillionLeads, 0));
  const email = input.emailsPerLead * PRICES.sesPerThousandEmails * 1000;
  lines.push({ item: 'SES emails', perLead: input.emailsPerLead, dollarsPerMillionLeads: round(email) });
  return { lines, withoutEmail, withEmail: round(withoutEmail + email) };
}

/**
 * The floor for any pipeline that accepts a lead durably and tells one rep: one HTTP request, one function
 * call that writes one item of at most 1 KB and enqueues one message, a consumer that reads it in a batch of
 * 10 and sends one email. Nothing cheaper can promise "stored, then mailed".
 */
export function theoreticalMinimum(): { withoutEmail: number; withEmail: number } {
  const withoutEmail =
    PRICES.httpApiPerMillionRequests +
    1.1 * PRICES.lambdaPerMillionRequests +
    // 128 MB for 20 ms at ingest, a tenth of a 100 ms batch after.
    (0.125 * 0.02 + 0.125 * 0.01) * PRICES.lambdaPerGbSecond * 1e6 +
    1.2 * PRICES.sqsPerMillionRequests +
    1 * PRICES.dynamoPerMillionWriteUnits;
  return {
    withoutEmail: round(withoutEmail),
    withEmail: round(withoutEmail + PRICES.sesPerThousandEmails * 1000),
  };
}
