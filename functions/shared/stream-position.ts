/**
 * Positions in a DynamoDB stream shard. A shard's records carry increasing sequence numbers, decimal strings
 * of 21 to 40 digits; compared as text they order only at one width, so they are kept zero-padded to 40.
 * Pure: strings in, strings out.
 */

/**
 * The stack's tumbling window on the table stream's mapping, in seconds: there only so that each batch names
 * its shard. The longest Lambda allows, so the window's closing call (one per shard per window) is rare.
 */
export const STREAM_WINDOW_SECONDS = 900;

/** DynamoDB Streams' longest sequence number (the API's length constraint). */
const SEQUENCE_DIGITS = 40;

/** A sequence number as an order-preserving string: zero-padded to 40 digits, so text order is number order. */
export function sequenceKey(sequenceNumber: string): string {
  if (!/^\d{1,40}$/.test(sequenceNumber))
    throw new Error(`not a stream sequence number: ${JSON.stringify(sequenceNumber.slice(0, 60))}`);
  return sequenceNumber.padStart(SEQUENCE_DIGITS, '0');
}

/**
 * The records of a batch whose KPI events may be counted now: those before the first record whose events could
 * not be read, in shard order. A later record waits for the batch's retry, which starts at or before it; one
 * counted here is past the shard's position when it comes again, and is not counted twice.
 */
export function countablePrefix<T extends { sequence: string; collected: boolean }>(
  records: readonly T[],
): T[] {
  const ordered = [...records].sort((a, b) =>
    sequenceKey(a.sequence) < sequenceKey(b.sequence)
      ? -1
      : sequenceKey(a.sequence) > sequenceKey(b.sequence)
        ? 1
        : 0,
  );
  const stop = ordered.findIndex((r) => !r.collected);
  return stop === -1 ? ordered : ordered.slice(0, stop);
}
