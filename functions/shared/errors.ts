import type * as z from './zod.ts';

export type ErrorIssue = { path: string; message: string };

export type ErrorBody = { error: { code: string; message: string; issues?: ErrorIssue[] } };

/** A request problem the caller can act on; `status < 500` means the message is safe to show. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: ErrorIssue[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    return {
      error: { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) },
    };
  }
}

export function issuesFromZod(error: z.core.$ZodError): ErrorIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

/** Formats a zod path the way it is written in YAML: `routing.pools[0].reps[1]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(top level)' : out;
}
