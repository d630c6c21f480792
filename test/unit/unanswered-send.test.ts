import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SesMailer, sesClient } from '../../functions/shared/aws/ses-mailer.ts';
import { EndUserMessagingSms, smsClient } from '../../functions/shared/aws/sms-sender.ts';
import { SendNoAnswerError, wentOutUnanswered } from '../../functions/shared/aws/unanswered-send.ts';
import { startSilentEndpoint } from '../support/silent-endpoint.ts';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'test-secret' };
const text = { to: '+966501230000', body: 'عميل جديد: سارة 🌟' };
const mail = { to: 'huda@sales.example', from: 'leads@example.com', subject: 's', html: 'h', text: 't' };

const sms = (endpoint: string, requestTimeout?: number) =>
  new EndUserMessagingSms(
    smsClient({
      endpoint,
      region: 'me-south-1',
      credentials,
      ...(requestTimeout ? { requestHandler: { requestTimeout, throwOnRequestTimeout: true } } : {}),
    }),
    { originationIdentity: 'leadpipe' },
  );
const ses = (endpoint: string) => new SesMailer(sesClient({ endpoint, region: 'me-south-1', credentials }));

/** An endpoint that answers every request with the given status and AWS JSON error, counting what it got. */
async function answering(status: number, type: string) {
  const received: string[] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    received.push(body);
    res
      .writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': type })
      .end(JSON.stringify({ __type: type, message: 'try later' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, close: () => server.close() };
}

describe('a text or a mail whose request got no answer', () => {
  it('is sent once and fails as no answer, where the SDK alone would have sent it three times', async () => {
    const silent = await startSilentEndpoint();
    try {
      const error = await sms(silent.url)
        .send(text)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SendNoAnswerError);
      expect((error as Error).message).toContain('End User Messaging did not answer');
      expect(silent.received).toHaveLength(1);
      expect(JSON.parse(silent.received[0] ?? '')).toMatchObject({
        DestinationPhoneNumber: '+966501230000',
        MessageBody: 'عميل جديد: سارة 🌟',
      });
      await expect(ses(silent.url).send(mail)).rejects.toBeInstanceOf(SendNoAnswerError);
      expect(silent.received).toHaveLength(2);
    } finally {
      silent.close();
    }
  });

  it('fails as no answer when the request timeout passes with the connection still open', async () => {
    const received: string[] = [];
    const server = createServer(async (req) => {
      for await (const chunk of req) received.push(String(chunk));
      // Never answers.
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as AddressInfo;
    try {
      await expect(sms(`http://127.0.0.1:${port}`, 300).send(text)).rejects.toBeInstanceOf(SendNoAnswerError);
      expect(received).toHaveLength(1);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('is still retried by the SDK when AWS answered (a 500, a throttle) or the connection was refused', async () => {
    const failing = await answering(500, 'InternalServerException');
    try {
      const error = await sms(failing.url)
        .send(text)
        .catch((e: unknown) => e);
      expect(error).not.toBeInstanceOf(SendNoAnswerError);
      expect((error as Error).name).toBe('InternalServerException');
      expect(failing.received).toHaveLength(3);
    } finally {
      failing.close();
    }
    const throttled = await answering(400, 'ThrottlingException');
    try {
      await expect(sms(throttled.url).send(text)).rejects.toThrow('try later');
      expect(throttled.received).toHaveLength(3);
    } finally {
      throttled.close();
    }
    // The port is closed now: nothing was sent, so trying again is safe.
    const refused = await sms(throttled.url)
      .send(text)
      .catch((e: unknown) => e);
    expect(refused).not.toBeInstanceOf(SendNoAnswerError);
    expect((refused as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('is sent again when the reset came on a kept-alive connection the server was closing', async () => {
    // A server closes an idle kept-alive connection as a request goes out on it: the request is reset having done
    // nothing (Node's documented case for a retry). Here the server drops every second request on a connection.
    const received: string[] = [];
    const server = createServer(async (req, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      received.push(body);
      const served = ((req.socket as unknown as { served?: number }).served ?? 0) + 1;
      Object.assign(req.socket, { served });
      if (served === 2) req.socket.destroy();
      else res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{"MessageId":"m-1"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as AddressInfo;
    const client = sms(`http://127.0.0.1:${port}`);
    try {
      expect(await client.send(text)).toEqual({ messageId: 'm-1' });
      // The second goes out on the first one's connection, is reset, and is sent again on a new connection.
      expect(await client.send(text)).toEqual({ messageId: 'm-1' });
      expect(received).toHaveLength(3);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('is told apart from a failure before anything left, by the SDK’s own error shapes', () => {
    const sdkError = (message: string, fields: object) => Object.assign(new Error(message), fields);
    // @smithy/node-http-handler's connection timeout: no connection was made.
    expect(
      wentOutUnanswered(
        sdkError(
          '@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 3000 ms.',
          { name: 'TimeoutError' },
        ),
      ),
    ).toBe(false);
    expect(
      wentOutUnanswered(
        sdkError(
          '@smithy/node-http-handler - [ERROR] a request has exceeded the configured 10000 ms requestTimeout.',
          {
            name: 'TimeoutError',
            code: 'ETIMEDOUT',
          },
        ),
      ),
    ).toBe(true);
    expect(wentOutUnanswered(sdkError('socket hang up', { name: 'TimeoutError', code: 'ECONNRESET' }))).toBe(
      true,
    );
    // The same reset on a kept-alive connection: the server was closing it, and did nothing with the request.
    const onKeptConnection = { name: 'TimeoutError', code: 'ECONNRESET', reusedConnection: true };
    expect(wentOutUnanswered(sdkError('socket hang up', onKeptConnection))).toBe(false);
    expect(wentOutUnanswered(sdkError('getaddrinfo ENOTFOUND sms-voice', { code: 'ENOTFOUND' }))).toBe(false);
    expect(wentOutUnanswered(sdkError('Rate exceeded', { $metadata: { httpStatusCode: 400 } }))).toBe(false);
    expect(wentOutUnanswered('a string')).toBe(false);
  });
});
