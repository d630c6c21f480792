import { type AttributeValue, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';

/**
 * An item's size as DynamoDB bills it (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html):
 * each attribute's name plus its value; a string by its UTF-8 bytes, a number by about one byte per two
 * significant digits plus one, a map or list 3 bytes plus 1 per element. Takes an item either as the
 * document client holds it (plain values) or as the wire carries it (`{ S: … }`).
 */
export function itemBytes(item: Record<string, unknown>): number {
  let total = 0;
  for (const [name, value] of Object.entries(item)) total += utf8(name) + valueBytes(value);
  return total;
}

const TAGS = new Set(['S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS']);

function isAttributeValue(value: object): value is Record<string, unknown> {
  const keys = Object.keys(value);
  return keys.length === 1 && TAGS.has(keys[0] ?? '');
}

function utf8(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function numberBytes(text: string): number {
  const digits = text.replace(/^[-+]?0*/, '').replace(/[.eE].*$/, '').length || 1;
  return Math.ceil(digits / 2) + 1;
}

function valueBytes(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number' || typeof value === 'bigint') return numberBytes(String(value));
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce<number>((sum, v) => sum + valueBytes(v), 0);
  if (Array.isArray(value)) return 3 + value.reduce<number>((sum, v) => sum + valueBytes(v) + 1, 0);
  if (typeof value !== 'object') return 0;
  if (isAttributeValue(value)) return taggedBytes(value);
  // A plain map (the document client's form); a number wrapper (NumberValue) has a `value` string.
  return 3 + itemBytes(value as Record<string, unknown>) + Object.keys(value).length;
}

function taggedBytes(value: Record<string, unknown>): number {
  const { S, N, B, M, L, SS, NS, BS } = value as {
    S?: string;
    N?: string;
    B?: Uint8Array;
    M?: Record<string, unknown>;
    L?: unknown[];
    SS?: string[];
    NS?: string[];
    BS?: Uint8Array[];
  };
  if (S !== undefined) return utf8(S);
  if (N !== undefined) return numberBytes(N);
  if (B !== undefined) return B.byteLength;
  if (M !== undefined) return 3 + itemBytes(M) + Object.keys(M).length;
  if (L !== undefined) return 3 + L.reduce<number>((sum, v) => sum + valueBytes(v) + 1, 0);
  if (SS !== undefined) return SS.reduce((sum, v) => sum + utf8(v), 0);
  if (NS !== undefined) return NS.reduce((sum, v) => sum + numberBytes(v), 0);
  if (BS !== undefined) return BS.reduce((sum, v) => sum + v.byteLength, 0);
  return 1;
}

/** Reads an item's stored size by its key, on a client nobody counts (the bench's transaction billing). */
export function storedItemSizer(db: DynamoDBClient) {
  return async (table: string, key: Record<string, unknown>): Promise<number | undefined> => {
    const wire = Object.values(key).every((v) => typeof v === 'object' && v !== null && isAttributeValue(v));
    const { Item } = await db.send(
      new GetItemCommand({
        TableName: table,
        Key: (wire ? key : marshall(key)) as Record<string, AttributeValue>,
        ConsistentRead: true,
      }),
    );
    return Item ? itemBytes(Item) : undefined;
  };
}
