/** Where a reconcile run starts looking: the lookback before now, unless a run asks for an earlier time. */
export function reconcileSince(now: Date, lookbackHours: number, requested?: Date): Date {
  return requested ?? new Date(now.getTime() - lookbackHours * 3600_000);
}
