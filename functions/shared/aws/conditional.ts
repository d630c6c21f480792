import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';

/** Runs a conditional write: true when it was written, false when its condition did not hold. */
export async function writeIf(send: () => Promise<unknown>): Promise<boolean> {
  try {
    await send();
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

export type CancellationReason = NonNullable<TransactionCanceledException['CancellationReasons']>[number];

/**
 * Runs a transaction. Another transaction on the same items at the same moment cancels it with
 * TransactionConflict; that is retried with jitter. A failed condition is returned, not thrown: the caller
 * reads from the reasons which item said no (and, with ALL_OLD, what it held).
 */
export async function transact(
  db: DynamoDBDocumentClient,
  items: NonNullable<TransactWriteCommandInput['TransactItems']>,
  attempts = 8,
): Promise<{ ok: true } | { ok: false; reasons: CancellationReason[] }> {
  for (let attempt = 1; ; attempt++) {
    try {
      await db.send(new TransactWriteCommand({ TransactItems: items }));
      return { ok: true };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      if (reasons.some((r) => r.Code === 'ConditionalCheckFailed')) return { ok: false, reasons };
      if (attempt >= attempts || !reasons.some((r) => r.Code === 'TransactionConflict')) throw error;
      await new Promise((r) => setTimeout(r, 10 * attempt + Math.random() * 25));
    }
  }
}
