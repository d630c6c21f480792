import { connectToRunner } from '../local/runtime.ts';

/** Calls the running local pipeline's ops API (open on loopback; IAM-signed in AWS). */
export async function opsRequest(method: string, path: string, body?: unknown): Promise<unknown> {
  const runtime = connectToRunner();
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const answer = (await response.json()) as {
    error?: { code: string; message: string; issues?: { path: string; message: string }[] };
  };
  if (!response.ok) {
    const issues = answer.error?.issues?.map((i) => `\n  ${i.path}: ${i.message}`).join('') ?? '';
    throw new Error(`${answer.error?.message ?? `HTTP ${response.status}`}${issues}`);
  }
  return answer;
}
