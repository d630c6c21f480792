import type { DynamoDBRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { wireOps } from '../../functions/ops/wiring.ts';
import { documentClient } from '../../functions/shared/aws/clients.ts';
import { DynamoLeadRepository } from '../../functions/shared/aws/dynamo-lead-repository.ts';
import { DynamoRepRepository } from '../../functions/shared/aws/dynamo-rep-repository.ts';
import { freshResources, streamRecords, type TestAws } from '../support/aws.ts';
import { assignment, context, httpEvent, lead, silentLogger, testConfig } from '../support/factories.ts';
import { functionOn, nurtureOn } from '../support/handlers.ts';

// Reports in riyals; dollars at a fixed 3.75; one Meta campaign id named for the reports.
const config = testConfig({
  money: {
    reportingCurrency: 'SAR',
    rates: { USD: [{ from: '2026-01-01', rate: '3.75' }] },
    campaignNames: { '120200000000000003': 'Ramadan offer' },
  },
});
const DAY = '2026-03-19';
let aws: TestAws;
let leads: DynamoLeadRepository;
let nurture: ReturnType<typeof nurtureOn>['nurture']['handler'];
let ops: ReturnType<typeof wireOps>;
const clock = new Date(`${DAY}T16:00:00.000Z`);
let seen = 0;

beforeAll(async () => {
  aws = await freshResources('money');
  const db = documentClient(aws.dynamodb);
  leads = new DynamoLeadRepository(db, aws.resources.tableName);
  await new DynamoRepRepository(db, aws.resources.tableName).seed(config.routing.reps, clock);
  nurture = nurtureOn(aws, config, () => clock).nurture.handler;
  ops = wireOps({ ...functionOn(aws, 'ops'), config, now: () => clock, logger: silentLogger() });
});

async function call(
  method: string,
  path: string,
  routeKey: string,
  body?: unknown,
  params: Record<string, string> = {},
) {
  const leadId = /\/v1\/leads\/([^/]+)/.exec(path)?.[1];
  const response = await ops(
    {
      ...httpEvent({
        method,
        path,
        routeKey,
        ...(leadId ? { pathParameters: { leadId } } : {}),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
      ...(Object.keys(params).length > 0 ? { queryStringParameters: params } : {}),
    },
    context('ops'),
  );
  return { status: response.statusCode, json: JSON.parse(response.body ?? '{}') };
}

/** The stream's new lead records since the last call, handed to nurture (twice, when asked: a redelivery). */
async function deliverStream(times = 1): Promise<void> {
  const records: DynamoDBRecord[] = await streamRecords(aws, (r) => r.dynamodb?.Keys?.sk?.S === 'LEAD');
  const fresh = records.slice(seen);
  seen = records.length;
  for (let i = 0; i < times; i++) {
    const result = await nurture({ Records: fresh }, context('nurture'));
    expect(result?.batchItemFailures ?? []).toEqual([]);
  }
}

const roi = (groupBy: string) =>
  call('GET', '/v1/kpi/roi', 'GET /v1/kpi/roi', undefined, { from: DAY, to: DAY, groupBy });
const forecast = (groupBy: string) =>
  call('GET', '/v1/kpi/forecast', 'GET /v1/kpi/forecast', undefined, { groupBy });

describe('money in the funnel', () => {
  const deal = lead({
    source: 'facebook',
    attribution: { utm: {}, campaignId: '120200000000000003', campaignName: 'Demo lead ads' },
    createdAt: `${DAY}T15:00:00.000Z`,
    score: { total: 70, breakdown: [], qualification: 'sql' },
  });

  it('takes spend per source, campaign and day, and a report sent again replaces, never adds', async () => {
    const rows = [
      { day: DAY, source: 'facebook', campaign: '120200000000000003', amount: '1000.00', currency: 'SAR' },
      { day: DAY, source: 'facebook', campaign: 'Ramadan offer', amount: 100, currency: 'USD' },
    ];
    // Both rows name one campaign (its id and its configured name): the second replaces the first.
    expect((await call('PUT', '/v1/spend', 'PUT /v1/spend', rows)).json).toEqual({ rows: 2, changed: 2 });
    expect((await call('PUT', '/v1/spend', 'PUT /v1/spend', rows.slice(1))).json).toEqual({
      rows: 1,
      changed: 0,
    });
    const byCampaign = (await roi('campaign')).json;
    expect(byCampaign.groups).toEqual([expect.objectContaining({ group: 'Ramadan offer', spend: '375.00' })]);
  });

  it('refuses a spend row in a currency with no rate, and records none of the request', async () => {
    const answer = await call('PUT', '/v1/spend', 'PUT /v1/spend', [
      { day: DAY, source: 'google', campaign: 'brand', amount: '10.00', currency: 'SAR' },
      { day: DAY, source: 'google', campaign: 'brand', amount: '10.00', currency: 'EUR' },
    ]);
    expect(answer).toMatchObject({ status: 400, json: { error: { code: 'no_rate' } } });
    expect((await roi('source')).json.groups.map((g: { group: string }) => g.group)).not.toContain('google');
  });

  it('weighs an open deal by its stage, moves it when its value changes, and books the won value once', async () => {
    await leads.create(deal);
    await leads.assign(deal.id, assignment({ repId: 'sara', at: `${DAY}T15:00:00.000Z` }));
    const events = `/v1/leads/${deal.id}/events`;
    const route = 'POST /v1/leads/{leadId}/events';
    expect((await call('POST', events, route, { type: 'contacted', by: 'sara' })).status).toBe(200);
    expect((await call('POST', events, route, { type: 'qualified', by: 'sara', amount: 20000 })).status).toBe(
      200,
    );
    await deliverStream(2);
    expect((await forecast('rep')).json.groups).toEqual([
      { group: 'sara', currency: 'SAR', deals: 1, openValue: '20000.00', weightedValue: '8000.00' },
    ]);

    const patched = await call('PATCH', `/v1/leads/${deal.id}`, 'PATCH /v1/leads/{leadId}', {
      expectedValue: { amount: '30000', currency: 'SAR' },
      expectedCloseDate: '2026-03-31',
    });
    expect(patched.json.lead).toMatchObject({ expectedValue: { amount: '30000.00', reported: '30000.00' } });
    await deliverStream(2);
    expect((await forecast('month')).json.groups).toEqual([
      { group: '2026-03', currency: 'SAR', deals: 1, openValue: '30000.00', weightedValue: '12000.00' },
    ]);

    const wonAnswer = await call('POST', events, route, {
      type: 'won',
      by: 'sara',
      amount: '8000.00',
      currency: 'USD',
    });
    expect(wonAnswer.json.lead.dealValue).toEqual({
      amount: '8000.00',
      currency: 'USD',
      reported: '30000.00',
    });
    await deliverStream(2);
    expect((await forecast('rep')).json.groups).toEqual([]);
    const [facebook] = (await roi('source')).json.groups;
    expect(facebook).toMatchObject({
      group: 'facebook',
      spend: '375.00',
      leads: 1,
      costPerLead: '375.00',
      mqls: 1,
      sqls: 1,
      won: 1,
      revenue: '30000.00',
      averageDealValue: '30000.00',
      costPerWon: '375.00',
      roiPercent: 7900,
      roas: 80,
    });
  });

  it('keeps a closed deal’s value: a won lead’s expected value cannot change', async () => {
    const closed = await call('PATCH', `/v1/leads/${deal.id}`, 'PATCH /v1/leads/{leadId}', {
      expectedValue: { amount: 1, currency: 'SAR' },
    });
    expect(closed).toMatchObject({ status: 409, json: { error: { code: 'lead_closed' } } });
  });
});
