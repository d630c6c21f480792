import { ConfigError } from '../functions/shared/config.ts';
import * as z from '../functions/shared/zod.ts';
import { loadConfigFile } from './config-file.ts';
import { checkJava } from './emulators.ts';
import { startPipeline } from './pipeline.ts';
import { removeRuntime, writeRuntime } from './runtime.ts';

const Env = z.object({
  PORT: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(65535)), 3000),
  LEADPIPE_CONFIG: z._default(z.string().check(z.minLength(1)), 'leadpipe.config.yaml'),
  GRAPH_API_BASE_URL: z.optional(z.url()),
  LEADPIPE_FACEBOOK_APP_SECRET: z.optional(z.string().check(z.minLength(8))),
  LEADPIPE_FACEBOOK_VERIFY_TOKEN: z.optional(z.string().check(z.minLength(8))),
  LEADPIPE_GOOGLE_KEY: z.optional(z.string().check(z.minLength(8))),
  /** Keep tables, queues and sent mail here across restarts; without it the runner forgets everything on exit. */
  LEADPIPE_DATA_DIR: z.optional(z.string().check(z.minLength(1))),
});

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const envResult = Env.safeParse(process.env);
if (!envResult.success) {
  fail(
    `leadpipe: bad environment: ${envResult.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
  );
}
const env = envResult.data;

const javaProblem = checkJava();
if (javaProblem) fail(javaProblem);

let config: ReturnType<typeof loadConfigFile>;
try {
  config = loadConfigFile(env.LEADPIPE_CONFIG, env);
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}

// Links in emails point at this runner unless the config names a public URL that is not loopback.
if (env.PORT !== 0 && /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/?$/.test(config.mail.publicBaseUrl)) {
  config.mail.publicBaseUrl = `http://127.0.0.1:${env.PORT}`;
}

process.env.POWERTOOLS_SERVICE_NAME ??= 'leadpipe';
process.env.POWERTOOLS_LOG_LEVEL ??= 'INFO';

const pipeline = await startPipeline({
  config,
  port: env.PORT,
  ...(env.GRAPH_API_BASE_URL ? { graphApiBaseUrl: env.GRAPH_API_BASE_URL } : {}),
  ...(env.LEADPIPE_DATA_DIR ? { dataDir: env.LEADPIPE_DATA_DIR } : {}),
  onError: (error) => console.error('leadpipe:', error),
});
writeRuntime(pipeline, env.LEADPIPE_CONFIG);

let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const force = setTimeout(() => process.exit(code), 8000);
  force.unref();
  try {
    removeRuntime();
    await pipeline.stop();
  } finally {
    process.exit(code);
  }
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGHUP', () => void shutdown(0));
process.on('uncaughtException', (error) => {
  console.error('leadpipe crashed:', error);
  void shutdown(1);
});
process.on('unhandledRejection', (error) => {
  console.error('leadpipe crashed:', error);
  void shutdown(1);
});

console.log(`leadpipe ready ${pipeline.url}`);
if (env.LEADPIPE_DATA_DIR)
  console.log(
    `data kept in ${env.LEADPIPE_DATA_DIR} (restored ${pipeline.emulators.restoredMessages ?? 0} queued messages)`,
  );
console.log(
  `mail viewer ${pipeline.emulators.sesEndpoint}/  (sent mail as JSON: ${pipeline.url}/_local/outbox)`,
);
console.log(
  `every channel's messages ${pipeline.url}/_local/messages  (WhatsApp, SMS, chat and mail; JSON with Accept: application/json)`,
);
if (pipeline.channels.graph && pipeline.channels.config.notifications.whatsapp)
  console.log(
    `tap a WhatsApp button as the rep: curl -sS -X POST ${pipeline.channels.graph.url}/_fake/whatsapp/tap -d '{"messageId":"wamid…","button":0}'  (0 Called, 1 Call later, 2 Not mine)`,
  );
console.log(
  `try: curl -sS -X POST ${pipeline.url}/v1/forms/demo/leads -H 'content-type: application/json' -d '{"name":"Sara Ahmed","email":"sara@example.com","phone":"+966501234567"}'`,
);
