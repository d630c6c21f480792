import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { smsParts } from '../functions/shared/channels/sms-text.ts';
import * as z from '../functions/shared/zod.ts';
import type { FaultInjector } from './faults.ts';

/**
 * A recording endpoint for AWS End User Messaging SMS, which has no maintained emulator. It speaks the service's
 * wire protocol as the SDK uses it (AWS JSON 1.0: `POST /`, `X-Amz-Target: PinpointSMSVoiceV2.SendTextMessage`,
 * errors as `{ "__type", "message" }`), so the real `@aws-sdk/client-pinpoint-sms-voice-v2` client talks to it.
 * Request and error shapes from the API reference:
 * https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/API_SendTextMessage.html
 */
const SendTextMessage = z.object({
  DestinationPhoneNumber: z.string().check(z.regex(/^\+?[1-9]\d{1,14}$/)),
  OriginationIdentity: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  MessageBody: z.optional(z.string().check(z.minLength(1), z.maxLength(1600))),
  MessageType: z.optional(z.enum(['TRANSACTIONAL', 'PROMOTIONAL'])),
  ConfigurationSetName: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  MaxPrice: z.optional(z.string()),
  Context: z.optional(z.record(z.string(), z.string())),
});

export type SentSms = {
  messageId: string;
  at: string;
  to: string;
  from?: string;
  body: string;
  encoding: string;
  parts: number;
  configurationSet?: string;
  context?: Record<string, string>;
};

export type FakeSms = { url: string; sent(): SentSms[]; stop(): Promise<void> };

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
  res.end(JSON.stringify(body));
}

export async function startFakeSms(options: { faults?: FaultInjector } = {}): Promise<FakeSms> {
  const sent: SentSms[] = [];
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of req) text += chunk;
    const target = String(req.headers['x-amz-target'] ?? '');
    if (req.method !== 'POST' || target !== 'PinpointSMSVoiceV2.SendTextMessage') {
      reply(res, 400, { __type: 'UnknownOperationException', message: `unsupported operation ${target}` });
      return;
    }
    if (options.faults?.channelFault()) {
      reply(res, 500, { __type: 'InternalServerException', message: 'injected fault' });
      return;
    }
    const input = SendTextMessage.safeParse(JSON.parse(text || '{}'));
    if (!input.success) {
      reply(res, 400, {
        __type: 'ValidationException',
        message: `1 validation error detected: ${input.error.issues[0]?.path.join('.')}`,
        Reason: 'FIELD_VALIDATION_FAILED',
      });
      return;
    }
    const body = input.data.MessageBody ?? '';
    const { encoding, parts } = smsParts(body);
    const message: SentSms = {
      messageId: randomUUID(),
      at: new Date().toISOString(),
      to: input.data.DestinationPhoneNumber,
      ...(input.data.OriginationIdentity ? { from: input.data.OriginationIdentity } : {}),
      body,
      encoding,
      parts,
      ...(input.data.ConfigurationSetName ? { configurationSet: input.data.ConfigurationSetName } : {}),
      ...(input.data.Context ? { context: input.data.Context } : {}),
    };
    sent.push(message);
    reply(res, 200, { MessageId: message.messageId });
  }
  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() =>
      reply(res, 500, { __type: 'InternalServerException', message: 'fake failed' }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent: () => [...sent],
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
