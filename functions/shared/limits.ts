/**
 * Every size limit a lead meets between the HTTP edge and the table, in one place, so they agree: what ingest
 * acknowledges always fits the intake queue and the lead item, and what cannot be kept is refused up front.
 * docs/configuration.md ("Limits") lists them for users.
 */

/** The largest webhook body (Meta batches up to 1,000 leads in one POST; a larger body is not a real one). */
export const WEBHOOK_MAX_BYTES = 1_048_576;

/**
 * The intake message's budget. SQS takes up to 1 MiB per message on new queues, but Lambda's SQS event source
 * hands a batch of 10 messages to one invocation, whose payload may be at most 6 MB: 256 KiB each keeps any
 * batch invocable, and fits queues created before SQS raised its limit.
 */
export const QUEUE_MESSAGE_MAX_BYTES = 262_144;

/** An answer (a free-text question) keeps at most this many characters; a longer one is cut, marked with …. */
export const ANSWER_MAX_CHARS = 5_000;

/**
 * All the answers of one lead together, in UTF-8 bytes. A DynamoDB item holds at most 400 KB, and the lead item
 * also carries touches, history and follow-ups: past this, each long answer is cut to an equal share (the whole
 * payload stays in the lead's raw record for 30 days).
 */
export const ANSWERS_MAX_BYTES = 160 * 1024;

/** A returning person's touch keeps at most this much of their new answers; the lead keeps the latest touches. */
export const TOUCH_ANSWERS_MAX_BYTES = 2 * 1024;
export const TOUCHES_KEPT = 50;

/** Raw payloads are kept this long, for replays after a bug. */
export const RAW_KEPT_SECONDS = 30 * 24 * 3600;

/** A raw payload larger than this goes to the table in parts of this size (an item holds at most 400 KB). */
export const RAW_PART_BYTES = 300_000;

const CUT_MARK = '…';

/** The first `maxBytes` UTF-8 bytes of `text`, never splitting a character. */
export function cutToBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end);
}

/** At most `maxChars` characters (code points, so an emoji is never split in half), marked when cut. */
export function cutAnswer(text: string, maxChars = ANSWER_MAX_CHARS): string {
  const chars = Array.from(text);
  if (chars.length <= maxChars) return text;
  return `${chars.slice(0, maxChars - 1).join('')}${CUT_MARK}`;
}

/**
 * Answers that fit `maxBytes` together: short answers stay whole, the long ones are cut to one equal share of
 * what is left (water-filling), so no single answer crowds out the others. Keys and order are kept.
 */
export function fitAnswers(
  answers: Readonly<Record<string, string>>,
  maxBytes = ANSWERS_MAX_BYTES,
): Record<string, string> {
  const entries = Object.entries(answers);
  const sizes = entries.map(([key, value]) => Buffer.byteLength(key) + Buffer.byteLength(value));
  if (sizes.reduce((a, b) => a + b, 0) <= maxBytes) return { ...answers };
  // The largest share c such that every answer cut to c fits the budget.
  const sorted = [...sizes].sort((a, b) => a - b);
  let left = maxBytes;
  let share = 0;
  for (let i = 0; i < sorted.length; i++) {
    const even = Math.floor(left / (sorted.length - i));
    const size = sorted[i] ?? 0;
    if (size > even) {
      share = even;
      break;
    }
    left -= size;
    share = size;
  }
  const markBytes = Buffer.byteLength(CUT_MARK);
  const fitted: Record<string, string> = {};
  entries.forEach(([key, value], i) => {
    if ((sizes[i] ?? 0) <= share) fitted[key] = value;
    else
      fitted[key] =
        `${cutToBytes(value, Math.max(0, share - Buffer.byteLength(key) - markBytes))}${CUT_MARK}`;
  });
  return fitted;
}
