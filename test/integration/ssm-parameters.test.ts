import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ssmEndpoint, ssmParameterFetcher } from '../../functions/shared/aws/ssm-parameters.ts';

/**
 * A stand-in for SSM's GetParameters at the HTTP level (AWS JSON 1.1): it checks each request's SigV4
 * signature by signing it again with the caller's credentials, and answers in the documented response syntax
 * (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html): the parameters
 * found, in alphabetical order, and the names not found under InvalidParameters. The official SSM client is
 * the reference: both it and ours are sent to it, and must agree.
 */
const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const region = 'me-central-1';
const stored: Record<string, string> = {
  '/leadpipe/facebook/app-secret': 'meta-app-secret-🔐-سر',
  '/leadpipe/google/key': 'google-key',
};

type Seen = { target: string; contentType: string; body: unknown; signatureValid: boolean };
const seen: Seen[] = [];
/** Answers to give before the normal ones, one per request. */
let scripted: { status: number; body: unknown }[] = [];
let server: Server;
let url: string;

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

/** Signs the received request again, at the time it names, and compares the signatures. */
async function signatureValid(req: IncomingMessage, body: string): Promise<boolean> {
  const stamp = String(req.headers['x-amz-date'] ?? '');
  const signingDate = new Date(
    stamp.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
  );
  const authorization = String(req.headers.authorization ?? '');
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
  const headers = Object.fromEntries(signedHeaders.map((h) => [h, String(req.headers[h] ?? '')]));
  const { hostname, port } = new URL(url);
  const signer = new SignatureV4({
    service: 'ssm',
    region,
    credentials,
    sha256: new DynamoDBClient({ region, credentials }).config.sha256,
  });
  const again = await signer.sign(
    {
      method: req.method ?? '',
      protocol: 'http:',
      hostname,
      port: Number(port),
      path: '/',
      query: {},
      headers,
      body,
    },
    { signingDate },
  );
  return authorization !== '' && again.headers.authorization === authorization;
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await readBody(req);
    const parsed = JSON.parse(body) as { Names: string[] };
    seen.push({
      target: String(req.headers['x-amz-target']),
      contentType: String(req.headers['content-type']),
      body: parsed,
      signatureValid: await signatureValid(req, body),
    });
    const next = scripted.shift();
    const found = parsed.Names.filter((n) => stored[n] !== undefined).sort();
    const answer = next ?? {
      status: 200,
      body: {
        Parameters: found.map((name) => ({
          ARN: `arn:aws:ssm:${region}:111122223333:parameter${name}`,
          DataType: 'text',
          LastModifiedDate: 1.764e9,
          Name: name,
          Type: 'SecureString',
          Value: stored[name],
          Version: 1,
        })),
        InvalidParameters: parsed.Names.filter((n) => stored[n] === undefined),
      },
    };
    res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  seen.length = 0;
  scripted = [];
});

const fetcher = () =>
  ssmParameterFetcher(new DynamoDBClient({ region, credentials }), { AWS_ENDPOINT_URL_SSM: url });

describe('reading secrets from SSM without the SSM client', () => {
  it('sends the same signed GetParameters call the SSM client sends, and reads the same answer', async () => {
    const names = ['/leadpipe/google/key', '/leadpipe/facebook/app-secret', '/leadpipe/whatsapp/app-secret'];
    const ours = await fetcher()(names);
    const official = await new SSMClient({ region, credentials, endpoint: url }).send(
      new GetParametersCommand({ Names: names, WithDecryption: true }),
    );

    expect(seen).toHaveLength(2);
    const [mine, theirs] = seen;
    expect(mine).toEqual({ ...theirs, signatureValid: true });
    expect(mine?.target).toBe('AmazonSSM.GetParameters');
    expect(mine?.contentType).toBe('application/x-amz-json-1.1');
    expect(ours).toEqual({
      ...Object.fromEntries((official.Parameters ?? []).map((p) => [p.Name, p.Value])),
      ...Object.fromEntries((official.InvalidParameters ?? []).map((n) => [n, ''])),
    });
    expect(ours).toEqual({
      '/leadpipe/google/key': 'google-key',
      '/leadpipe/facebook/app-secret': 'meta-app-secret-🔐-سر',
      '/leadpipe/whatsapp/app-secret': '',
    });
  });

  it('asks for at most 10 names a call, as SSM allows', async () => {
    const names = Array.from({ length: 23 }, (_, i) => `/leadpipe/google/forms/${i}/key`);
    names.push('/leadpipe/google/key');
    const values = await fetcher()(names);
    expect(seen.map((s) => (s.body as { Names: string[] }).Names.length)).toEqual([10, 10, 4]);
    expect(seen.every((s) => s.signatureValid)).toBe(true);
    expect(values['/leadpipe/google/key']).toBe('google-key');
    expect(Object.keys(values)).toHaveLength(24);
  });

  it('retries a throttled or failed call, as the SDK does, and then reads the values', async () => {
    scripted = [
      { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } },
      { status: 500, body: { __type: 'InternalServerError', message: 'try again' } },
    ];
    const values = await fetcher()(['/leadpipe/google/key']);
    expect(seen).toHaveLength(3);
    expect(values).toEqual({ '/leadpipe/google/key': 'google-key' });
  });

  it('stops the cold start with SSM own words when the role may not read a parameter', async () => {
    scripted = [
      {
        status: 400,
        body: {
          __type: 'AccessDeniedException',
          message: 'User is not authorized to perform: ssm:GetParameters on resource',
        },
      },
    ];
    await expect(fetcher()(['/leadpipe/google/key'])).rejects.toThrow(
      'SSM GetParameters failed (400 AccessDeniedException): User is not authorized to perform: ssm:GetParameters',
    );
    expect(seen).toHaveLength(1);
  });

  it('gives up after three throttled calls', async () => {
    scripted = Array.from({ length: 3 }, () => ({
      status: 400,
      body: { __type: 'ThrottlingException', message: 'Rate exceeded' },
    }));
    await expect(fetcher()(['/leadpipe/google/key'])).rejects.toThrow('400 ThrottlingException');
    expect(seen).toHaveLength(3);
  });

  it('finds SSM in the region partition, or where the SDK override variables point', () => {
    expect(ssmEndpoint('me-central-1', {}).href).toBe('https://ssm.me-central-1.amazonaws.com/');
    expect(ssmEndpoint('cn-north-1', {}).href).toBe('https://ssm.cn-north-1.amazonaws.com.cn/');
    expect(ssmEndpoint('eu-west-1', { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' }).href).toBe(
      'http://127.0.0.1:4566/',
    );
    expect(
      ssmEndpoint('eu-west-1', { AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_SSM: 'http://b:2' }).host,
    ).toBe('b:2');
  });
});
