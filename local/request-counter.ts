import type { DeserializeMiddleware, InitializeMiddleware, MiddlewareStack } from '@smithy/types';
import { itemBytes } from './item-size.ts';

/**
 * Who made an AWS request: the pipeline's functions, the Lambda event sources that feed them, or the timer
 * sweep (a cost per sweep, not per lead).
 */
export type RequestRole = 'function' | 'event-source' | 'sweeper';

export type RequestCount = {
  role: RequestRole;
  service: string;
  operation: string;
  count: number;
  /** DynamoDB only: capacity units the engine says the requests consumed (what on-demand bills). */
  readUnits?: number;
  writeUnits?: number;
};

/** DynamoDB operations that can report the capacity they consumed (as the client or the document client names them). */
const CAPACITY_OPERATIONS =
  /^(Get|Put|Update|Delete|Query|Scan|BatchGet|BatchWrite|TransactGet|TransactWrite)(Item|Items)?Command$/;

type Consumed = { CapacityUnits?: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number };

/** The stored size of an item by its key (an uncounted read), for the items a transaction updates. */
export type ItemSizer = (table: string, key: Record<string, unknown>) => Promise<number | undefined>;

type TransactItem = Record<
  string,
  { TableName?: string; Item?: Record<string, unknown>; Key?: Record<string, unknown> } | undefined
>;

/**
 * Counts AWS requests by service and operation with SDK middleware. It sits in the deserialize step, inside
 * the retry loop, so every attempt is counted, as AWS bills it. For DynamoDB it also asks for and sums the
 * consumed capacity, so costs come from measured units rather than guessed item sizes.
 */
export class RequestCounter {
  private readonly counts = new Map<string, { count: number; read: number; write: number }>();
  private readonly purposes = new Map<string, { items: number; write: number }>();

  /**
   * With a sizer, transactions are billed as AWS bills them: 2 write units per item per started KB. DynamoDB
   * Local's own figure for a transaction follows no such rule (3 small items: 2 units; one 1.1 KB item and two
   * small ones: 6), so without a sizer the engine's figure is kept, doubled.
   */
  constructor(private readonly sizer?: ItemSizer) {}

  /**
   * Whether DynamoDB is asked for the capacity each request consumed, and transactions are sized (with a sizer).
   * Off where latency is what counts (`npm start`, the bench's steady rates): DynamoDB Local spends about 4% of
   * its CPU computing the figure, and sizing reads every updated item back after its transaction. Requests are
   * counted either way.
   */
  billing = true;

  private pending: Promise<void>[] = [];
  /** Bumped by reset: a transaction sized after it belongs to the counts before. */
  private generation = 0;

  /** Waits for the transactions still being sized; call before reading the counts. */
  async settled(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      await Promise.all(batch);
    }
  }

  attach<I extends object, O extends object>(
    client: { middlewareStack: MiddlewareStack<I, O> },
    role: RequestRole,
  ): void {
    const entryFor = (context: { clientName?: string; commandName?: string }) => {
      const service = (context.clientName ?? 'Unknown').replace(/Client$/, '');
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      const key = `${role}\t${service}\t${operation}`;
      const entry = this.counts.get(key) ?? { count: 0, read: 0, write: 0 };
      this.counts.set(key, entry);
      return { entry, operation };
    };
    // Outermost: asks DynamoDB for the capacity, and reads it from the final output.
    const capacity: InitializeMiddleware<I, O> = (next, context) => async (args) => {
      const wanted =
        context.clientName === 'DynamoDBClient' && CAPACITY_OPERATIONS.test(context.commandName ?? '');
      if (!wanted || !this.billing) return next(args);
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity ??= 'TOTAL';
      const result = await next(args);
      const { entry, operation } = entryFor(context);
      const consumed = (result.output as { ConsumedCapacity?: Consumed | Consumed[] } | undefined)
        ?.ConsumedCapacity;
      const reads = /^(Get|Query|Scan|BatchGet|TransactGet)/.test(operation);
      if (operation === 'TransactWriteItems' && this.sizer) {
        // Sized apart from the call, so the function's own time does not include the counter's reads.
        const generation = this.generation;
        this.pending.push(
          this.transactionUnits(args.input as { TransactItems?: TransactItem[] }).then((perItem) => {
            if (generation !== this.generation) return;
            entry.write += perItem.reduce((sum, i) => sum + i.units, 0);
            for (const i of perItem) this.countPurpose(`${i.purpose} (${operation})`, i.units);
          }),
        );
        return result;
      }
      for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
        const read = c.ReadCapacityUnits ?? 0;
        const write = c.WriteCapacityUnits ?? 0;
        // Some engines report only the total: reads for reads, writes for writes.
        const total = read === 0 && write === 0 ? (c.CapacityUnits ?? 0) : 0;
        // DynamoDB Local reports a transaction at one unit per item; AWS bills it at two.
        const factor = operation.startsWith('Transact') ? 2 : 1;
        entry.read += (read + (reads ? total : 0)) * factor;
        entry.write += (write + (reads ? 0 : total)) * factor;
        if (!reads) this.countPurposes(operation, args.input, (write + total) * factor);
      }
      return result;
    };
    // Inside the retry loop: every attempt is a request.
    const count: DeserializeMiddleware<I, O> = (next, context) => async (args) => {
      entryFor(context).entry.count += 1;
      return next(args);
    };
    client.middlewareStack.add(capacity, { step: 'initialize', name: `leadpipeCapacity-${role}` });
    client.middlewareStack.add(count, { step: 'deserialize', name: `leadpipeRequestCounter-${role}` });
  }

  snapshot(): RequestCount[] {
    return [...this.counts.entries()]
      .map(([key, { count, read, write }]) => {
        const [role, service, operation] = key.split('\t') as [RequestRole, string, string];
        return {
          role,
          service,
          operation,
          count,
          ...(service === 'DynamoDB' ? { readUnits: read, writeUnits: write } : {}),
        };
      })
      .sort(
        (a, b) =>
          a.role.localeCompare(b.role) ||
          a.service.localeCompare(b.service) ||
          a.operation.localeCompare(b.operation),
      );
  }

  /**
   * Item writes by what they are for (the key's kind: `LEAD#…/LEAD` is the lead, `KPI#…` a KPI row), with
   * their write units: exact for a single-item write, shared evenly among the items of a batch or transaction.
   */
  writesByPurpose(): { purpose: string; items: number; writeUnits: number }[] {
    return [...this.purposes.entries()]
      .map(([purpose, { items, write }]) => ({ purpose, items, writeUnits: write }))
      .sort((a, b) => b.writeUnits - a.writeUnits);
  }

  private countPurposes(operation: string, input: object, units: number): void {
    const keys = writtenKeys(input).map((purpose) => `${purpose} (${operation})`);
    for (const key of keys) this.countPurpose(key, units / keys.length);
  }

  private countPurpose(key: string, units: number): void {
    const entry = this.purposes.get(key) ?? { items: 0, write: 0 };
    entry.items += 1;
    entry.write += units;
    this.purposes.set(key, entry);
  }

  /** Each item of a transaction: a put by the item it writes, the others by the item as stored after it. */
  private async transactionUnits(input: {
    TransactItems?: TransactItem[];
  }): Promise<{ purpose: string; units: number }[]> {
    const sizer = this.sizer;
    if (!sizer) return [];
    return Promise.all(
      (input.TransactItems ?? []).flatMap((action) =>
        Object.values(action).flatMap((target) => {
          if (target === undefined) return [];
          const key = target.Item ?? target.Key ?? {};
          const bytes = async () =>
            target.Item ? itemBytes(target.Item) : ((await sizer(target.TableName ?? '', key)) ?? 0);
          return [
            bytes().then((size) => ({
              purpose: purposeOf(key),
              units: 2 * Math.max(1, Math.ceil(size / 1024)),
            })),
          ];
        }),
      ),
    );
  }

  reset(): void {
    this.generation += 1;
    this.pending = [];
    this.counts.clear();
    this.purposes.clear();
  }
}

type KeyHolder = { Item?: Record<string, unknown>; Key?: Record<string, unknown> };

/** The purpose of each item a write request touches, from its keys. */
function writtenKeys(input: object): string[] {
  const i = input as KeyHolder & {
    TransactItems?: Record<string, KeyHolder | undefined>[];
    RequestItems?: Record<string, { PutRequest?: KeyHolder; DeleteRequest?: KeyHolder }[]>;
  };
  const holders: KeyHolder[] = [];
  if (i.TransactItems)
    for (const t of i.TransactItems) holders.push(...Object.values(t).filter((h) => h !== undefined));
  else if (i.RequestItems)
    for (const requests of Object.values(i.RequestItems))
      for (const r of requests) holders.push(r.PutRequest ?? r.DeleteRequest ?? {});
  else holders.push(i);
  return holders.map((h) => purposeOf(h.Item ?? h.Key ?? {}));
}

/** `LEAD#id` + `WS#MSG#…` → `LEAD/WS#MSG`; an item of another table (no pk) is named by its key attribute. */
function purposeOf(key: Record<string, unknown>): string {
  const text = (v: unknown) =>
    typeof v === 'string' ? v : typeof v === 'object' && v && 'S' in v ? String(v.S) : '';
  const pk = text(key.pk);
  if (pk === '') return `other table (${Object.keys(key).sort().join(',')})`;
  const sk = text(key.sk);
  const skKind = sk.startsWith('WS#') ? sk.split('#').slice(0, 2).join('#') : (sk.split('#')[0] ?? '');
  return `${pk.split('#')[0]}/${/^\d/.test(skKind) ? 'day' : skKind}`;
}
