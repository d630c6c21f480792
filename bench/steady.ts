/**
 * Leads posted at a steady rate, open loop (each on its schedule, whatever the previous answer's time), as forms
 * and ad platforms post them: the form → assignment email latency a rep sees at that rate.
 */
export async function postAtRate(
  url: string,
  count: number,
  perSecond: number,
  offset: number,
  body: (i: number) => string,
): Promise<{ startedAt: Map<string, number>; failures: number }> {
  const startedAt = new Map<string, number>();
  let failures = 0;
  const t0 = Date.now();
  const posts: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = t0 + (i * 1000) / perSecond;
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
    const wall = Date.now();
    posts.push(
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(offset + i) })
        .then(async (response) => {
          const answer = (await response.json()) as { leadId?: string };
          if (response.status === 202 && answer.leadId) startedAt.set(answer.leadId, wall);
          else failures++;
        })
        .catch(() => {
          failures++;
        }),
    );
  }
  await Promise.all(posts);
  return { startedAt, failures };
}
