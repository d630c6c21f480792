/**
 * Look-ups keyed by user input (form ids, field names, Google column ids) see only the record's own entries:
 * `constructor`, `toString` or `__proto__` sent by a client never find Object.prototype's members.
 */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * A user-supplied name made safe as an object key. Only `__proto__` needs it: assigning it sets an object's
 * prototype, and zod and the SDK's marshaller drop it, so the answer would vanish. It is kept as `_proto_`.
 */
export function safeKey(key: string): string {
  return key === '__proto__' ? '_proto_' : key;
}
