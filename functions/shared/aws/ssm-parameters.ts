import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { partition } from '@aws-sdk/core/client';
import { SignatureV4 } from '@smithy/signature-v4';
import type {
  AwsCredentialIdentityProvider,
  ChecksumConstructor,
  HashConstructor,
  HttpRequest,
  Provider,
} from '@smithy/types';
import * as z from '../zod.ts';

/**
 * Any SDK client's resolved config: the credentials, region and hash a signed request takes, exactly as the
 * client's own requests take them (the Lambda role's credentials from the environment, in AWS).
 */
export type SigningSource = {
  config: {
    credentials: AwsCredentialIdentityProvider;
    region: Provider<string>;
    sha256: ChecksumConstructor | HashConstructor;
  };
};

/** SSM answers at most 10 names per GetParameters call. */
const NAMES_PER_CALL = 10;
const ATTEMPTS = 3;

const GetParametersOutput = z.object({
  Parameters: z.optional(z.array(z.object({ Name: z.string(), Value: z.string() }))),
  InvalidParameters: z.optional(z.array(z.string())),
});

const ErrorOutput = z.object({
  __type: z.optional(z.string()),
  message: z.optional(z.string()),
  Message: z.optional(z.string()),
});

type Answer = { status: number; body: string };

/**
 * Reads SecureString parameters with SSM's GetParameters (AWS JSON 1.1), signed by the SDK's own SigV4 signer
 * and sent on Node's http. The SSM client would do the same one call a cold start, but ships its ~200 error
 * classes and schemas: 77 KiB and 10–20 ms of module init in every function that reads a secret (the bench's
 * bundles table). A parameter that does not exist comes back as '' (the caller says which, and what to
 * create), not as a thrown error; throttling and server errors are retried as the SDK retries them.
 */
export function ssmParameterFetcher(
  source: SigningSource,
  env: Record<string, string | undefined> = process.env,
): (paths: string[]) => Promise<Record<string, string>> {
  return async (paths) => {
    const region = await source.config.region();
    const endpoint = ssmEndpoint(region, env);
    const signer = new SignatureV4({
      service: 'ssm',
      region,
      credentials: source.config.credentials,
      sha256: source.config.sha256,
    });
    const values: Record<string, string> = Object.fromEntries(paths.map((p) => [p, '']));
    const chunks = [];
    for (let i = 0; i < paths.length; i += NAMES_PER_CALL) chunks.push(paths.slice(i, i + NAMES_PER_CALL));
    for (const output of await Promise.all(chunks.map((names) => getParameters(signer, endpoint, names)))) {
      for (const parameter of output.Parameters ?? []) values[parameter.Name] = parameter.Value;
    }
    return values;
  };
}

/**
 * SSM's regional endpoint in the region's partition (amazonaws.com, amazonaws.com.cn, …), or the SDK's own
 * override variables, so a stand-in or a custom endpoint is configured as for every other client.
 */
export function ssmEndpoint(region: string, env: Record<string, string | undefined>): URL {
  return new URL(
    env.AWS_ENDPOINT_URL_SSM ??
      env.AWS_ENDPOINT_URL ??
      `https://ssm.${region}.${partition(region).dnsSuffix}`,
  );
}

async function getParameters(signer: SignatureV4, endpoint: URL, names: string[]) {
  const body = JSON.stringify({ Names: names, WithDecryption: true });
  for (let attempt = 1; ; attempt++) {
    const answer = await signedPost(signer, endpoint, body).catch((error: unknown) => {
      if (attempt >= ATTEMPTS) throw error;
      return undefined;
    });
    if (answer?.status === 200) {
      const parsed = GetParametersOutput.safeParse(JSON.parse(answer.body));
      if (!parsed.success) throw new Error(`SSM GetParameters answered a body that is not its output`);
      return parsed.data;
    }
    if (answer !== undefined) {
      const error = ErrorOutput.safeParse(jsonOrText(answer.body));
      const type = (error.success ? error.data.__type : undefined)?.split('#').pop() ?? 'UnknownError';
      const message = error.success
        ? (error.data.message ?? error.data.Message ?? '')
        : answer.body.slice(0, 200);
      const retryable = answer.status >= 500 || type === 'ThrottlingException';
      if (!retryable || attempt >= ATTEMPTS)
        throw new Error(`SSM GetParameters failed (${answer.status} ${type}): ${message}`);
    }
    // Full jitter on an exponential base, as the SDK's standard retry strategy waits.
    await new Promise((r) => setTimeout(r, Math.random() * 100 * 2 ** attempt));
  }
}

async function signedPost(signer: SignatureV4, endpoint: URL, body: string): Promise<Answer> {
  const host = endpoint.host;
  const unsigned: HttpRequest = {
    method: 'POST',
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
    path: endpoint.pathname,
    query: {},
    headers: {
      host,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonSSM.GetParameters',
      'content-length': String(Buffer.byteLength(body)),
    },
    body,
  };
  const signed = await signer.sign(unsigned);
  const send = endpoint.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise<Answer>((resolve, reject) => {
    const req = send(
      {
        method: 'POST',
        hostname: endpoint.hostname,
        port: endpoint.port || undefined,
        path: endpoint.pathname,
        headers: signed.headers,
        timeout: 5_000,
      },
      (res: IncomingMessage) => {
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('SSM GetParameters timed out after 5 s')));
    req.on('error', reject);
    req.end(body);
  });
}

/** An error answer's JSON, or its text when a proxy on the way answered instead of SSM (told as it is). */
function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
