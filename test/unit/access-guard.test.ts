import { describe, expect, it } from 'vitest';
import { FOOTPRINTS } from '../../functions/footprints.ts';
import { footprintEnvNames } from '../../functions/shared/footprint.ts';
import { accessesOf, grantedAccesses } from '../../local/access-guard.ts';
import type { Resources } from '../../local/resources.ts';

const queue = (name: string) => ({ url: `http://sqs.local/000000000000/${name}`, arn: `arn:${name}`, name });
const resources: Resources = {
  tableName: 'leads',
  streamArn: 'arn:stream',
  idempotencyTableName: 'idempotency',
  intake: queue('intake'),
  intakeDlq: queue('intake-dlq'),
  routing: queue('routing'),
  routingDlq: queue('routing-dlq'),
  nurtureFailures: queue('nurture-failures'),
  timers: queue('timers'),
  timersDlq: queue('timers-dlq'),
};

describe('the access guard names requests as IAM checks them', () => {
  it('checks a transaction item by item, each on its own table', () => {
    const input = {
      TransactItems: [
        { Update: { TableName: 'leads' } },
        { Put: { TableName: 'leads' } },
        { ConditionCheck: { TableName: 'idempotency' } },
      ],
    };
    expect(accessesOf('DynamoDB', 'TransactWriteCommand', input, resources)).toEqual([
      'dynamodb:UpdateItem table',
      'dynamodb:PutItem table',
      'dynamodb:ConditionCheckItem idempotency-table',
    ]);
  });

  it('names an index query by its index, and a document-client command by its DynamoDB action', () => {
    expect(
      accessesOf('DynamoDB', 'QueryCommand', { TableName: 'leads', IndexName: 'due' }, resources),
    ).toEqual(['dynamodb:Query index/due']);
    expect(accessesOf('DynamoDB', 'GetCommand', { TableName: 'leads' }, resources)).toEqual([
      'dynamodb:GetItem table',
    ]);
    expect(accessesOf('DynamoDB', 'BatchGetCommand', { RequestItems: { leads: {} } }, resources)).toEqual([
      'dynamodb:BatchGetItem table',
    ]);
  });

  it('counts a batch send as sqs:SendMessage, and never matches a queue the pipeline does not own', () => {
    expect(
      accessesOf('SQS', 'SendMessageBatchCommand', { QueueUrl: resources.routing.url }, resources),
    ).toEqual(['sqs:SendMessage routing']);
    const [stranger] = accessesOf('SQS', 'SendMessageCommand', { QueueUrl: 'http://elsewhere/q' }, resources);
    expect(stranger).toBe('sqs:SendMessage http://elsewhere/q');
    for (const footprint of Object.values(FOOTPRINTS))
      expect(grantedAccesses(footprint).has(stranger ?? '')).toBe(false);
  });
});

describe('footprints', () => {
  it('give a function the environment of what it touches, and nothing else', () => {
    expect(footprintEnvNames(FOOTPRINTS.ingest).sort()).toEqual(['INTAKE_QUEUE_URL', 'TABLE_NAME']);
    // Nurture tells reps over WhatsApp too: it calls the Graph API (its base URL is set so a fake can stand in).
    expect(footprintEnvNames(FOOTPRINTS.nurture).sort()).toEqual([
      'GRAPH_API_BASE_URL',
      'IDEMPOTENCY_TABLE_NAME',
      'ROUTING_QUEUE_URL',
      'SES_CONFIGURATION_SET',
      'TABLE_NAME',
      'TIMER_QUEUE_URL',
    ]);
    // Only the sweeper reads the due index; only ops the list index.
    expect(grantedAccesses(FOOTPRINTS.sweeper).has('dynamodb:Query index/due')).toBe(true);
    const indexReaders = Object.entries(FOOTPRINTS).filter(
      ([, f]) => (f.table?.indexQueries ?? []).length > 0,
    );
    expect(indexReaders.map(([fn]) => fn).sort()).toEqual(['ops', 'sweeper']);
  });
});
