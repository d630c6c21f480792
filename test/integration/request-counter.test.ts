import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '../../functions/shared/aws/clients.ts';
import { itemBytes, storedItemSizer } from '../../local/item-size.ts';
import { RequestCounter } from '../../local/request-counter.ts';
import { freshResources, type TestAws } from '../support/aws.ts';

let aws: TestAws;

beforeAll(async () => {
  aws = await freshResources('counter');
});

function countedClient(counter: RequestCounter) {
  const raw = new DynamoDBClient({});
  counter.attach(raw, 'function');
  return documentClient(raw);
}

describe('DynamoDB write units as AWS bills them', () => {
  it('sizes an item by its names and values, plain or as the wire carries it', () => {
    // "pk" 2 + "LEAD#1" 6, "n" 1 + 12345 (5 digits: 3+1), "tags" 4 + map 3 + ("a" 1 + "é" 2 + 1)
    const plain = { pk: 'LEAD#1', n: 12345, tags: { a: 'é' } };
    const wire = { pk: { S: 'LEAD#1' }, n: { N: '12345' }, tags: { M: { a: { S: 'é' } } } };
    expect(itemBytes(plain)).toBe(8 + 5 + 11);
    expect(itemBytes(wire)).toBe(itemBytes(plain));
  });

  it('bills a transaction 2 units per item per started KB, an updated item by its size after the write', async () => {
    const table = aws.resources.tableName;
    const counter = new RequestCounter(storedItemSizer(aws.dynamodb));
    const db = countedClient(counter);
    await db.send(
      new PutCommand({ TableName: table, Item: { pk: 'PROBE#big', sk: 'A', v: 'x'.repeat(1500) } }),
    );
    counter.reset();
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: table, Item: { pk: 'PROBE#1', sk: 'A' } } },
          { Put: { TableName: table, Item: { pk: 'PROBE#2', sk: 'A' } } },
          {
            Update: {
              TableName: table,
              Key: { pk: 'PROBE#big', sk: 'A' },
              UpdateExpression: 'SET w = :w',
              ExpressionAttributeValues: { ':w': 1 },
            },
          },
        ],
      }),
    );
    await counter.settled();
    // Two small puts at 2 units each, the 1.5 KB item at 2 × 2.
    const [tx] = counter.snapshot();
    expect(tx).toMatchObject({ operation: 'TransactWriteItems', count: 1, writeUnits: 8 });
    expect(counter.writesByPurpose()).toEqual([
      { purpose: 'PROBE/A (TransactWriteItems)', items: 3, writeUnits: 8 },
    ]);
  });

  it('keeps the engine’s own figure for a single-item write', async () => {
    const counter = new RequestCounter(storedItemSizer(aws.dynamodb));
    const db = countedClient(counter);
    await db.send(
      new PutCommand({
        TableName: aws.resources.tableName,
        Item: { pk: 'PROBE#3', sk: 'A', v: 'x'.repeat(1500) },
      }),
    );
    expect(counter.snapshot()[0]).toMatchObject({ operation: 'PutItem', writeUnits: 2 });
  });
});
