import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { interceptLocalhostDns } from 'fauxqs';
import { describe, expect, it } from 'vitest';
import { replayJournal, startDurableSqs } from '../../local/durable-sqs.ts';

const sqsAt = (port: number) =>
  new SQSClient({
    endpoint: `http://sqs.us-east-1.localhost:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

describe('the SQS journal', () => {
  it('owes every message sent and not deleted, forgets purged queues and stops at a line cut short', () => {
    const lines = [
      { op: 'create', name: 'intake', attributes: { VisibilityTimeout: '5' } },
      { op: 'send', queue: 'intake', id: 'a', body: 'A', visibleAt: 1 },
      { op: 'send', queue: 'intake', id: 'b', body: 'B', visibleAt: 1 },
      { op: 'create', name: 'other', attributes: {} },
      { op: 'send', queue: 'other', id: 'c', body: 'C', visibleAt: 1 },
      { op: 'delete', ids: ['a'] },
      { op: 'purge', queue: 'other' },
      { op: 'send', queue: 'intake', id: 'd', body: 'D', visibleAt: 1 },
    ].map((l) => JSON.stringify(l));
    const { queues, pending } = replayJournal(
      `${lines.join('\n')}\n{"op":"send","queue":"intake","id":"e","bo`,
    );
    expect([...queues.keys()]).toEqual(['intake', 'other']);
    expect(queues.get('intake')).toEqual({ VisibilityTimeout: '5' });
    expect(pending.map((m) => m.body)).toEqual(['B', 'D']);
  });

  it('gives a restarted fauxqs back the messages nobody deleted, delayed ones still delayed', async () => {
    interceptLocalhostDns();
    const journal = join(mkdtempSync(join(tmpdir(), 'leadpipe-sqs-')), 'sqs.jsonl');
    const first = await startDurableSqs(journal);
    let sqs = sqsAt(first.port);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'leadpipe-intake' }));
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: '1', MessageBody: 'consumed' },
          { Id: '2', MessageBody: 'owed' },
          { Id: '3', MessageBody: 'later', DelaySeconds: 60 },
        ],
      }),
    );
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    expect(Messages.map((m) => m.Body).sort()).toEqual(['consumed', 'owed']);
    const consumed = Messages.find((m) => m.Body === 'consumed');
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: consumed?.ReceiptHandle }));
    // 'owed' is in flight, not deleted: a crash now must not lose it.
    sqs.destroy();
    await first.stop();

    const second = await startDurableSqs(journal);
    expect(second.restored).toBe(2);
    sqs = sqsAt(second.port);
    try {
      const { QueueUrl: url } = await sqs.send(new CreateQueueCommand({ QueueName: 'leadpipe-intake' }));
      const again = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      expect((again.Messages ?? []).map((m) => m.Body)).toEqual(['owed']);
    } finally {
      sqs.destroy();
      await second.stop();
    }
    // The restore rewrote the journal: a third start owes the same two, not four.
    const third = await startDurableSqs(journal);
    expect(third.restored).toBe(2);
    await third.stop();
  });

  it('journals no delete made with a receipt handle that a later receive replaced', async () => {
    interceptLocalhostDns();
    const journal = join(mkdtempSync(join(tmpdir(), 'leadpipe-sqs-')), 'sqs.jsonl');
    const first = await startDurableSqs(journal);
    const sqs = sqsAt(first.port);
    try {
      const { QueueUrl } = await sqs.send(
        new CreateQueueCommand({ QueueName: 'leadpipe-routing', Attributes: { VisibilityTimeout: '1' } }),
      );
      await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: '1', MessageBody: 'slow' }] }));
      const receive = async () => {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 3 }),
        );
        return Messages[0]?.ReceiptHandle;
      };
      const stale = await receive();
      // Its visibility runs out and another consumer takes it: the first consumer's delete then deletes nothing.
      expect(await receive()).toBeDefined();
      await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: stale }));
    } finally {
      sqs.destroy();
      await first.stop();
    }
    const second = await startDurableSqs(journal);
    expect(second.restored).toBe(1);
    await second.stop();
  });

  it('refuses a journal line that is whole but not a journal entry, rather than guess', () => {
    expect(() => replayJournal('{"op":"teleport"}\n')).toThrow();
  });
});
