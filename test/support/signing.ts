import { createHmac } from 'node:crypto';

/** What Meta puts in X-Hub-Signature-256 for a body. */
export function metaSignature(body: string | Buffer, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}
