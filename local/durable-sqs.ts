import { closeSync, existsSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import {
  CreateQueueCommand,
  type MessageAttributeValue,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import * as z from '../functions/shared/zod.ts';
import { emulatorHost } from './listen-host.ts';

/**
 * fauxqs keeps its queues in memory. With a journal file the local runner keeps them on disk too: every
 * queue created, message sent (before SQS answers the sender), message deleted and queue purged is appended
 * as a JSON line, and a restart puts back every message that was sent and never deleted. So a message SQS
 * acknowledged survives the runner being killed, as it survives a Lambda crash in AWS.
 *
 * What comes back differs from AWS in two ways, both on the safe side: a message that was in flight is
 * visible again at once (its receive count starts over), and one fauxqs had moved to a DLQ returns to the
 * queue it was sent to (it fails its way back to the DLQ if it still fails).
 */
const JournalEntry = z.discriminatedUnion('op', [
  z.object({ op: z.literal('create'), name: z.string(), attributes: z.record(z.string(), z.string()) }),
  z.object({
    op: z.literal('send'),
    queue: z.string(),
    id: z.string(),
    body: z.string(),
    attributes: z.optional(z.record(z.string(), z.unknown())),
    visibleAt: z.number(),
  }),
  z.object({ op: z.literal('delete'), ids: z.array(z.string()) }),
  z.object({ op: z.literal('purge'), queue: z.string() }),
]);
type JournalEntry = z.infer<typeof JournalEntry>;

type Pending = Extract<JournalEntry, { op: 'send' }>;

const SendEntry = z.object({
  Id: z.optional(z.string()),
  MessageBody: z.string(),
  DelaySeconds: z.optional(z.number()),
  MessageAttributes: z.optional(z.record(z.string(), z.unknown())),
});
const SendRequest = z.extend(SendEntry, { QueueUrl: z.string() });
const SendBatchRequest = z.object({ QueueUrl: z.string(), Entries: z.array(SendEntry) });
const SendResponse = z.object({ MessageId: z.string() });
const SendBatchResponse = z.object({
  Successful: z.array(z.object({ Id: z.string(), MessageId: z.string() })),
});
const ReceiveResponse = z.object({
  Messages: z.optional(z.array(z.object({ MessageId: z.string(), ReceiptHandle: z.string() }))),
});
const DeleteRequest = z.object({ ReceiptHandle: z.string() });
const DeleteBatchRequest = z.object({
  Entries: z.array(z.object({ Id: z.string(), ReceiptHandle: z.string() })),
});
const DeleteBatchResponse = z.object({ Successful: z.array(z.object({ Id: z.string() })) });
const CreateRequest = z.object({
  QueueName: z.string(),
  Attributes: z.optional(z.record(z.string(), z.string())),
});
const QueueRequest = z.object({ QueueUrl: z.string() });

const queueName = (url: string) => url.slice(url.lastIndexOf('/') + 1);

/** The queues and the messages still owed to a consumer, as the journal tells them. */
export function replayJournal(text: string): {
  queues: Map<string, Record<string, string>>;
  pending: Pending[];
} {
  const queues = new Map<string, Record<string, string>>();
  const pending = new Map<string, Pending>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    // A line cut short by a kill is the one write that was never acknowledged: it ends the journal.
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      break;
    }
    const entry = JournalEntry.parse(json);
    if (entry.op === 'create') queues.set(entry.name, entry.attributes);
    else if (entry.op === 'send') pending.set(entry.id, entry);
    else if (entry.op === 'delete') for (const id of entry.ids) pending.delete(id);
    else for (const [id, message] of pending) if (message.queue === entry.queue) pending.delete(id);
  }
  return { queues, pending: [...pending.values()] };
}

export type DurableSqs = {
  port: number;
  /** Messages put back from the journal at this start. */
  restored: number;
  stop(): Promise<void>;
};

/** fauxqs on a free loopback port, journaled to `journalPath` and restored from it. */
export async function startDurableSqs(journalPath: string): Promise<DurableSqs> {
  const previous = existsSync(journalPath) ? replayJournal(readFileSync(journalPath, 'utf8')) : undefined;
  // The restore is written to a fresh journal that replaces the old one only once complete: a kill during the
  // restore leaves the old journal to restore from again.
  const fresh = `${journalPath}.restoring`;
  const fd = openSync(previous ? fresh : journalPath, 'w');
  const append = (entry: JournalEntry) => writeSync(fd, `${JSON.stringify(entry)}\n`);
  // Which message a receipt handle names: only while this process lives (handles do not survive a restart).
  // A message received again gets a new handle and the old one deletes nothing (fauxqs, like AWS, still answers
  // success), so only a message's latest handle is kept: a delete with an older one is not journaled.
  const handles = new Map<string, string>();
  const latestHandle = new Map<string, string>();
  // A handle still in `handles` is its message's latest (a receive drops the one it replaces).
  const forget = (handle: string) => {
    const id = handles.get(handle);
    handles.delete(handle);
    if (id !== undefined) latestHandle.delete(id);
    return id;
  };

  const app = buildApp({ logger: false });
  type Request = { headers: Record<string, unknown>; body: unknown };
  app.addHook('onSend', async (request: Request, reply: { statusCode: number }, payload: unknown) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    if (!target.startsWith('AmazonSQS.') || reply.statusCode !== 200 || typeof payload !== 'string')
      return payload;
    const action = target.slice('AmazonSQS.'.length);
    const now = Date.now();
    if (action === 'CreateQueue') {
      const req = CreateRequest.parse(request.body);
      append({ op: 'create', name: req.QueueName, attributes: req.Attributes ?? {} });
    } else if (action === 'SendMessage') {
      const req = SendRequest.parse(request.body);
      const { MessageId } = SendResponse.parse(JSON.parse(payload));
      append({
        op: 'send',
        queue: queueName(req.QueueUrl),
        id: MessageId,
        body: req.MessageBody,
        ...(req.MessageAttributes ? { attributes: req.MessageAttributes } : {}),
        visibleAt: now + (req.DelaySeconds ?? 0) * 1000,
      });
    } else if (action === 'SendMessageBatch') {
      const req = SendBatchRequest.parse(request.body);
      const entries = new Map(req.Entries.map((e) => [e.Id, e]));
      for (const { Id, MessageId } of SendBatchResponse.parse(JSON.parse(payload)).Successful) {
        const entry = entries.get(Id);
        if (entry === undefined) continue;
        append({
          op: 'send',
          queue: queueName(req.QueueUrl),
          id: MessageId,
          body: entry.MessageBody,
          ...(entry.MessageAttributes ? { attributes: entry.MessageAttributes } : {}),
          visibleAt: now + (entry.DelaySeconds ?? 0) * 1000,
        });
      }
    } else if (action === 'ReceiveMessage') {
      for (const m of ReceiveResponse.parse(JSON.parse(payload)).Messages ?? []) {
        const previous = latestHandle.get(m.MessageId);
        if (previous !== undefined) handles.delete(previous);
        handles.set(m.ReceiptHandle, m.MessageId);
        latestHandle.set(m.MessageId, m.ReceiptHandle);
      }
    } else if (action === 'DeleteMessage') {
      const { ReceiptHandle } = DeleteRequest.parse(request.body);
      const id = forget(ReceiptHandle);
      if (id !== undefined) append({ op: 'delete', ids: [id] });
    } else if (action === 'DeleteMessageBatch') {
      const req = DeleteBatchRequest.parse(request.body);
      const deleted = new Set(DeleteBatchResponse.parse(JSON.parse(payload)).Successful.map((s) => s.Id));
      const ids: string[] = [];
      for (const entry of req.Entries) {
        const id = forget(entry.ReceiptHandle);
        if (id !== undefined && deleted.has(entry.Id)) ids.push(id);
      }
      if (ids.length > 0) append({ op: 'delete', ids });
    } else if (action === 'PurgeQueue') {
      append({ op: 'purge', queue: queueName(QueueRequest.parse(request.body).QueueUrl) });
    }
    return payload;
  });
  await app.listen({ port: 0, host: emulatorHost() });
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('fauxqs did not listen');
  const port = address.port;

  if (previous) {
    const sqs = new SQSClient({
      endpoint: `http://sqs.us-east-1.localhost:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      const urls = new Map<string, string>();
      for (const [name, attributes] of previous.queues) {
        const { QueueUrl } = await sqs.send(
          new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
        );
        if (QueueUrl) urls.set(name, QueueUrl);
      }
      const now = Date.now();
      for (const [name, url] of urls) {
        const owed = previous.pending.filter((m) => m.queue === name);
        for (let i = 0; i < owed.length; i += 10) {
          await sqs.send(
            new SendMessageBatchCommand({
              QueueUrl: url,
              Entries: owed.slice(i, i + 10).map((m, k) => ({
                Id: String(k),
                MessageBody: m.body,
                DelaySeconds: Math.min(900, Math.max(0, Math.ceil((m.visibleAt - now) / 1000))),
                ...(m.attributes
                  ? { MessageAttributes: m.attributes as Record<string, MessageAttributeValue> }
                  : {}),
              })),
            }),
          );
        }
      }
    } finally {
      sqs.destroy();
    }
    // The open descriptor follows the file through the rename: later entries land in the new journal.
    renameSync(fresh, journalPath);
  }

  return {
    port,
    restored: previous?.pending.length ?? 0,
    async stop() {
      await app.close();
      closeSync(fd);
    },
  };
}
