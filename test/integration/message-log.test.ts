import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NurtureDeps } from '../../functions/nurture/deps.ts';
import { createNotify, type NoticeRequest, NoticeUndelivered } from '../../functions/nurture/notify.ts';
import { createChannelOnce, createSendOnce, SendInProgressError } from '../../functions/nurture/send-once.ts';
import { createTellTeam } from '../../functions/nurture/team-chat.ts';
import { documentClient } from '../../functions/shared/aws/clients.ts';
import { DynamoMessageLog } from '../../functions/shared/aws/dynamo-message-log.ts';
import { DynamoWorkspace } from '../../functions/shared/aws/dynamo-workspace.ts';
import { SesMailer, sesClient } from '../../functions/shared/aws/ses-mailer.ts';
import { EndUserMessagingSms, smsClient } from '../../functions/shared/aws/sms-sender.ts';
import type { ChannelMessage } from '../../functions/shared/channels/message.ts';
import { WebhookChatPoster, whatsappSender } from '../../functions/shared/channels/senders.ts';
import type { Config } from '../../functions/shared/config.ts';
import { GraphApiError } from '../../functions/shared/graph-api.ts';
import type { Lead } from '../../functions/shared/lead.ts';
import type { ChatPoster, Mailer, MessageLog } from '../../functions/shared/ports.ts';
import { tableKeys } from '../../functions/shared/table-schema.ts';
import { freshResources, type TestAws } from '../support/aws.ts';
import { assignment, lead, silentLogger, testConfig, testWhatsApp } from '../support/factories.ts';
import { startSilentEndpoint } from '../support/silent-endpoint.ts';

let aws: TestAws;
let log: DynamoMessageLog;
let workspace: DynamoWorkspace;

beforeAll(async () => {
  aws = await freshResources('messages');
  const db = documentClient(aws.dynamodb);
  log = new DynamoMessageLog(db, aws.resources.tableName);
  workspace = new DynamoWorkspace(db, aws.resources.tableName);
});

const attempt = (leadId: string, overrides: Partial<ChannelMessage> = {}): ChannelMessage => ({
  id: `assignment#${leadId}#sara#2026-03-19T16:00:00.000Z#whatsapp`,
  leadId,
  notice: 'assignment',
  channel: 'whatsapp',
  to: 'rep:sara',
  at: '2026-03-19T16:00:01.000Z',
  outcome: 'sent',
  externalId: 'wamid.X',
  status: 'sent',
  ...overrides,
});

describe("the lead's message timeline", () => {
  it('keeps a status that arrived before the attempt was written (Meta can be that fast)', async () => {
    const leadId = crypto.randomUUID();
    const message = attempt(leadId);
    expect(
      await log.updateStatus(leadId, message.id, 'failed', '2026-03-19T16:00:01.500Z', 'WhatsApp 131026'),
    ).toBe('updated');
    await log.record(message);
    const { messages } = await workspace.timeline(leadId);
    expect(messages).toEqual([
      expect.objectContaining({
        channel: 'whatsapp',
        outcome: 'sent',
        status: 'failed',
        detail: 'WhatsApp 131026',
      }),
    ]);
  });

  it('never takes a status back, and never writes a failed retry over a sent attempt', async () => {
    const leadId = crypto.randomUUID();
    const message = attempt(leadId);
    await log.record(message);
    expect(await log.updateStatus(leadId, message.id, 'read', '2026-03-19T16:00:05.000Z')).toBe('updated');
    expect(await log.updateStatus(leadId, message.id, 'delivered', '2026-03-19T16:00:03.000Z')).toBe(
      'ignored',
    );
    await log.record({ ...message, outcome: 'failed', detail: 'retry failed', status: undefined });
    const { messages } = await workspace.timeline(leadId);
    expect(messages).toEqual([expect.objectContaining({ outcome: 'sent', status: 'read' })]);
  });
});

describe('a channel message sent once, claimed on its own timeline item', () => {
  function sender(posts: string[], fail = false) {
    const chat: ChatPoster = {
      post: async (request) => {
        await new Promise((r) => setTimeout(r, 30));
        if (fail) throw new Error('chat answered 503');
        posts.push(request.url);
      },
    };
    return createChannelOnce({ chat, messages: log }).sendChannelOnce;
  }
  const job = (leadId: string) => ({
    key: `team#assignment#${leadId}`,
    leadId,
    channel: 'chat' as const,
    message: { url: 'https://chat.example/hook', body: { text: 'x' } },
  });
  /** What notify does: send, then record the outcome (which frees the claim). */
  async function sendAndRecord(send: ReturnType<typeof sender>, leadId: string) {
    const { id } = await send(job(leadId));
    await log.record(attempt(leadId, { id: job(leadId).key, channel: 'chat', externalId: id }));
    return id;
  }

  it('posts once when two deliveries send at the same moment; both get its id', async () => {
    const leadId = crypto.randomUUID();
    const posts: string[] = [];
    const send = sender(posts);
    const ids = await Promise.all([sendAndRecord(send, leadId), sendAndRecord(send, leadId)]);
    expect(posts).toHaveLength(1);
    expect(ids[0]).toBe(ids[1]);
    // The timeline shows the message once, claim gone.
    const { messages } = await workspace.timeline(leadId);
    expect(messages.map((m) => m.outcome)).toEqual(['sent']);
  });

  it('sends again after a failed try was recorded, and never after a sent one', async () => {
    const leadId = crypto.randomUUID();
    const posts: string[] = [];
    await expect(sender(posts, true)(job(leadId))).rejects.toThrow('503');
    await log.record(attempt(leadId, { id: job(leadId).key, channel: 'chat', outcome: 'failed' }));
    await sendAndRecord(sender(posts), leadId);
    await sendAndRecord(sender(posts), leadId);
    expect(posts).toHaveLength(1);
  });

  it('waits for a claim that is still held, then reports it in progress; an expired claim is taken over', async () => {
    const leadId = crypto.randomUUID();
    const { key } = job(leadId);
    expect(await log.claim(leadId, key, Date.now() + 60_000, Date.now())).toEqual({ kind: 'claimed' });
    const posts: string[] = [];
    await expect(sender(posts)(job(leadId))).rejects.toBeInstanceOf(SendInProgressError);
    // The holder died mid-send: once its claim has expired the next delivery sends.
    expect(await log.claim(leadId, key, Date.now() + 60_000, Date.now() + 61_000)).toEqual({
      kind: 'claimed',
    });
    expect(posts).toEqual([]);
  }, 15_000);
});

/**
 * Mail sent once per key on the test table, by default to a mailer that takes 30 ms and records each address it
 * sends to.
 */
function mailOnce(
  sent: string[],
  mailer: Mailer = {
    send: async (m) => {
      await new Promise((r) => setTimeout(r, 30));
      sent.push(m.to);
      return { messageId: `ses-${sent.length}` };
    },
  },
) {
  return createSendOnce({
    mailer,
    suppressions: { find: async () => new Map(), suppress: async () => undefined },
    logger: silentLogger(),
    idempotency: new DynamoDBPersistenceLayer({
      tableName: aws.resources.idempotencyTableName,
      awsSdkV3Client: aws.dynamodb,
    }),
    messages: log,
  });
}

describe('a routed mail sent once, claimed on its timeline item', () => {
  it('sends once across two deliveries and gives the second the first one’s message id', async () => {
    const leadId = crypto.randomUUID();
    const sent: string[] = [];
    const { sendOnce } = mailOnce(sent);
    const messageId = `assignment#${leadId}#sara#2026-03-19T16:00:00.000Z#email`;
    const deliver = async () => {
      const result = await sendOnce({
        key: `assignment#${leadId}`,
        mail: { to: 'sara@example.com', from: 'a@example.com', subject: 's', html: 'h', text: 't' },
        timeline: { leadId, messageId },
      });
      if (!('messageId' in result)) throw new Error('suppressed');
      await log.record(attempt(leadId, { id: messageId, channel: 'email', externalId: result.messageId }));
      return result.messageId;
    };
    const ids = await Promise.all([deliver(), deliver()]);
    expect(sent).toEqual(['sara@example.com']);
    expect(ids).toEqual(['ses-1', 'ses-1']);
    // The claim was the timeline item: no idempotency record was written for this mail.
    const { Count } = await aws.dynamodb.send(
      new ScanCommand({ TableName: aws.resources.idempotencyTableName }),
    );
    expect(Count).toBe(0);
  });
});

describe('a mail SES gave no answer for', () => {
  it('is kept by its send-once record as unanswered and not sent again when the job is retried', async () => {
    const ses = await startSilentEndpoint();
    const { sendOnce } = mailOnce([], new SesMailer(sesClient({ endpoint: ses.url })));
    const job = {
      key: `mail#nurture-${crypto.randomUUID()}`,
      mail: { to: 'sara@example.com', from: 'a@example.com', subject: 's', html: 'h', text: 't' },
    };
    try {
      const first = await sendOnce(job);
      expect(first).toEqual({ unanswered: expect.stringContaining('SES did not answer') });
      expect(await sendOnce(job)).toEqual(first);
      expect(ses.received).toHaveLength(1);
    } finally {
      ses.close();
    }
  });
});

/** What notify and the team chat take from nurture besides their senders: the timeline on the test table. */
function nurtureKit(config: Config) {
  return {
    config,
    messages: log,
    logger: silentLogger(),
    now: () => new Date(),
    dashboardLeadUrl: (id: string) => `https://leadpipe.example/leads/${id}`,
  };
}

/** The assignment notice to Huda (Arabic), with the channels she can be reached on besides email. */
function assignmentToHuda(theLead: Lead, channels: NoticeRequest['to']['channels']): NoticeRequest {
  return {
    kind: 'assignment',
    key: `assignment#${theLead.id}#huda#2026-03-19T16:00:00.000Z`,
    emailKey: `assignment#${theLead.id}#huda`,
    lead: theLead,
    to: { ref: 'rep:huda', email: 'huda@sales.example', locale: 'ar', channels },
    mail: () => ({
      to: 'huda@sales.example',
      from: 'leads@example.com',
      subject: 's',
      html: 'h',
      text: 't',
    }),
    text: { title: 'عميل جديد', lines: [], linkLabel: 'افتح', rtl: true },
    whatsapp: { body: ['Sara'], buttons: [] },
  };
}

/** notify on the test table with the channel senders given, mailing with `mailOnce` (to the addresses in `mails`). */
function notifyWith(
  config: Config,
  senders: Partial<Pick<NurtureDeps, 'whatsapp' | 'sms' | 'chat'>>,
  messages: MessageLog = log,
) {
  const mails: string[] = [];
  const { sendChannelOnce } = createChannelOnce({
    chat: { post: async () => undefined },
    ...senders,
    messages,
  });
  const notify = createNotify({
    ...nurtureKit(config),
    messages,
    sendOnce: mailOnce(mails).sendOnce,
    sendChannelOnce,
    from: 'leads@example.com',
  });
  return { notify, mails };
}

/** The lead's timeline keeps the channel's try as unknown, saying why. */
async function expectUnknownOn(leadId: string, channel: string, why: string): Promise<void> {
  const { messages } = await workspace.timeline(leadId);
  expect(messages.find((m) => m.channel === channel)).toEqual(
    expect.objectContaining({ outcome: 'unknown', detail: expect.stringContaining(why) }),
  );
}

describe('a WhatsApp message whose request got no answer', () => {
  it('is kept as unknown and never sent again: email tells the rep, and a redelivery repeats nothing', async () => {
    // Meta's side takes the message and the connection drops before the answer, as a timeout would leave it.
    const graph = await startSilentEndpoint();
    const posts = graph.received;
    const config = testConfig({
      notifications: { routes: { assignment: { try: ['whatsapp'], always: [] } }, whatsapp: testWhatsApp },
    });
    const setup = config.notifications.whatsapp;
    if (setup === undefined) throw new Error('the test config lost its WhatsApp setup');
    const { notify, mails } = notifyWith(config, { whatsapp: whatsappSender(graph.url, setup) });
    const theLead = lead();
    const notice = assignmentToHuda(theLead, { whatsapp: '+966501230000' });
    try {
      const first = await notify(notice);
      expect(first.attempts.map((a) => `${a.channel}:${a.outcome}`)).toEqual([
        'whatsapp:unknown',
        'email:sent',
      ]);
      expect(first.reached).toBe('email');
      // The stream record is delivered again: nothing goes twice, on either channel.
      const again = await notify(notice);
      expect(again.attempts.map((a) => `${a.channel}:${a.outcome}`)).toEqual([
        'whatsapp:unknown',
        'email:sent',
      ]);
      expect(posts).toHaveLength(1);
      expect(mails).toEqual(['huda@sales.example']);
      await expectUnknownOn(theLead.id, 'whatsapp', 'Meta did not answer');
    } finally {
      graph.close();
    }
  });
});

describe('a text whose request got no answer', () => {
  it('is kept as unknown and never sent again; email tells the rep', async () => {
    // End User Messaging takes the text and the connection drops before the answer. SendTextMessage has no
    // idempotency token, so neither the SDK's retry nor a redelivery may send it again.
    const endpoint = await startSilentEndpoint();
    const config = testConfig({
      notifications: {
        routes: { assignment: { try: ['sms'], always: [] } },
        sms: { originationIdentity: 'leadpipe' },
      },
    });
    const { notify, mails } = notifyWith(config, {
      sms: new EndUserMessagingSms(smsClient({ endpoint: endpoint.url }), {
        originationIdentity: 'leadpipe',
      }),
    });
    const theLead = lead();
    const notice = assignmentToHuda(theLead, { sms: '+966501230000' });
    try {
      for (let delivery = 1; delivery <= 2; delivery++) {
        const outcome = await notify(notice);
        expect(outcome.attempts.map((a) => `${a.channel}:${a.outcome}`)).toEqual([
          'sms:unknown',
          'email:sent',
        ]);
      }
      expect(endpoint.received).toHaveLength(1);
      expect(mails).toEqual(['huda@sales.example']);
      await expectUnknownOn(theLead.id, 'sms', 'End User Messaging did not answer');
    } finally {
      endpoint.close();
    }
  });
});

/** WhatsApp down for its first message only, and SMS that takes every text; each keeps the numbers it sent to. */
function whatsappDownOnceAndSms() {
  const whatsapp: string[] = [];
  const texts: string[] = [];
  const senders: Partial<Pick<NurtureDeps, 'whatsapp' | 'sms'>> = {
    whatsapp: {
      send: async (m) => {
        whatsapp.push(m.to);
        if (whatsapp.length === 1) throw new GraphApiError('down', 503, 2, false, 'Meta is down; retried');
        return { id: `wamid.${whatsapp.length}` };
      },
    },
    sms: {
      send: async (m) => {
        texts.push(m.to);
        return { messageId: `sms-${texts.length}` };
      },
    },
  };
  return { whatsapp, texts, senders };
}

describe('a notice delivered again after a later channel reached the rep', () => {
  it('does not try the channel that failed before, so the rep is told on one channel, not two', async () => {
    const config = testConfig({
      notifications: {
        routes: { assignment: { try: ['whatsapp', 'sms'], always: ['chat'] } },
        whatsapp: testWhatsApp,
        sms: { originationIdentity: 'leadpipe' },
      },
    });
    // WhatsApp is down for the first delivery only; the team chat too, which makes the record be retried.
    const { whatsapp, texts, senders } = whatsappDownOnceAndSms();
    const chats: string[] = [];
    const { notify } = notifyWith(config, {
      ...senders,
      chat: {
        post: async (r) => {
          chats.push(r.url);
          if (chats.length === 1) throw new Error('chat is down');
        },
      },
    });
    const theLead = lead();
    const notice = assignmentToHuda(theLead, {
      whatsapp: '+966501230000',
      sms: '+966501230000',
      chat: { kind: 'slack', url: 'https://hooks.slack.com/services/T0/B0/x' },
    });
    await expect(notify(notice)).rejects.toBeInstanceOf(NoticeUndelivered);
    const again = await notify(notice);
    expect(again.reached).toBe('sms');
    expect(again.attempts.map((a) => `${a.channel}:${a.outcome}`)).toEqual([
      'whatsapp:skipped',
      'sms:sent',
      'chat:sent',
    ]);
    expect(whatsapp).toHaveLength(1);
    expect(texts).toHaveLength(1);
    expect(chats).toHaveLength(2);
    const { messages } = await workspace.timeline(theLead.id);
    expect(messages.find((m) => m.channel === 'whatsapp')).toEqual(
      expect.objectContaining({ outcome: 'failed', reachedBy: 'sms' }),
    );
  });

  it('does not send a channel whose failure died with its invocation once a later channel reached the rep', async () => {
    const config = testConfig({
      notifications: {
        routes: { assignment: { try: ['whatsapp', 'sms'], always: [] } },
        whatsapp: testWhatsApp,
        sms: { originationIdentity: 'leadpipe' },
      },
    });
    const { whatsapp, texts, senders } = whatsappDownOnceAndSms();
    // The first delivery's invocation ends after SMS told the rep, before it wrote WhatsApp's failure (a chain
    // writes its failures last): WhatsApp's item is left with a claim and no outcome.
    const dying: MessageLog = {
      claim: (...args) => log.claim(...args),
      updateStatus: (...args) => log.updateStatus(...args),
      record: async (message) => {
        if (message.channel === 'whatsapp' && message.outcome === 'failed')
          throw new Error('invocation ended');
        await log.record(message);
      },
    };
    const theLead = lead();
    const notice = assignmentToHuda(theLead, { whatsapp: '+966501230000', sms: '+966501230000' });
    await expect(notifyWith(config, senders, dying).notify(notice)).rejects.toThrow('invocation ended');
    // The dead invocation's claim runs out, and the stream delivers the record again.
    await documentClient(aws.dynamodb).send(
      new UpdateCommand({
        TableName: aws.resources.tableName,
        Key: tableKeys.message(theLead.id, `${notice.key}#whatsapp`),
        UpdateExpression: 'SET claimUntil = :past',
        ExpressionAttributeValues: { ':past': 0 },
      }),
    );
    const again = await notifyWith(config, senders).notify(notice);
    expect(again.reached).toBe('sms');
    expect(again.attempts.map((a) => `${a.channel}:${a.outcome}`)).toEqual(['whatsapp:skipped', 'sms:sent']);
    expect(whatsapp).toHaveLength(1);
    expect(texts).toHaveLength(1);
    const { messages } = await workspace.timeline(theLead.id);
    expect(messages.find((m) => m.channel === 'whatsapp')).toEqual(
      expect.objectContaining({ outcome: 'failed', reachedBy: 'sms' }),
    );
    // Written now, the failure frees the claim and refuses every later delivery.
    expect(await log.claim(theLead.id, `${notice.key}#whatsapp`, Date.now() + 60_000, Date.now())).toEqual({
      kind: 'superseded',
      reachedBy: 'sms',
    });
  });

  it('tries the failed channel again when no channel reached the rep', async () => {
    const config = testConfig({
      notifications: {
        routes: { assignment: { try: ['sms'], always: [] } },
        sms: { originationIdentity: 'leadpipe' },
      },
    });
    const texts: string[] = [];
    const { sendChannelOnce } = createChannelOnce({
      sms: {
        send: async (m) => {
          texts.push(m.to);
          if (texts.length === 1) throw new Error('End User Messaging refused');
          return { messageId: `sms-${texts.length}` };
        },
      },
      chat: { post: async () => undefined },
      messages: log,
    });
    // The mail is suppressed, so the first delivery reaches nobody and the record is retried.
    const suppressedMail = createSendOnce({
      mailer: { send: async () => ({ messageId: 'never' }) },
      suppressions: {
        find: async (to) => new Map(to.map((a) => [a, { reason: 'bounce' as const, at: '' }])),
        suppress: async () => undefined,
      },
      logger: silentLogger(),
      idempotency: new DynamoDBPersistenceLayer({
        tableName: aws.resources.idempotencyTableName,
        awsSdkV3Client: aws.dynamodb,
      }),
      messages: log,
    });
    const notify = createNotify({
      ...nurtureKit(config),
      sendOnce: suppressedMail.sendOnce,
      sendChannelOnce,
      from: 'leads@example.com',
    });
    const notice = assignmentToHuda(lead(), { sms: '+966501230000' });
    await expect(notify(notice)).rejects.toBeInstanceOf(NoticeUndelivered);
    expect((await notify(notice)).reached).toBe('sms');
    expect(texts).toHaveLength(2);
  });
});

describe('a team chat post that got no answer', () => {
  it('is kept as unknown and never posted again when the record is delivered again', async () => {
    // The chat takes the post and the connection drops before its answer.
    const chat = await startSilentEndpoint();
    const posts = chat.received;
    const chatUrl = `${chat.url}/hook`;
    const config = testConfig({
      routing: {
        defaultPool: 'desk',
        pools: [{ id: 'desk', reps: ['huda'], teamChat: { kind: 'slack', url: chatUrl } }],
        reps: [
          { id: 'huda', name: 'Huda', email: 'huda@sales.example', locale: 'ar', timezone: 'Asia/Riyadh' },
        ],
      },
    });
    const { sendChannelOnce } = createChannelOnce({
      chat: new WebhookChatPoster({ allowLoopback: true }),
      messages: log,
    });
    const tellTeam = createTellTeam({
      ...nurtureKit(config),
      sendChannelOnce,
      repById: async () => undefined,
    });
    const theLead = lead({ assignment: assignment({ repId: 'huda', poolId: 'desk' }) });
    const key = `assignment#${theLead.id}#huda#2026-03-19T16:00:02.000Z`;
    try {
      await tellTeam('assignment', key, theLead, 'huda');
      await tellTeam('assignment', key, theLead, 'huda');
      expect(posts).toHaveLength(1);
      const { messages } = await workspace.timeline(theLead.id);
      expect(messages).toEqual([
        expect.objectContaining({
          channel: 'chat',
          outcome: 'unknown',
          detail: expect.stringContaining('no answer'),
        }),
      ]);
    } finally {
      chat.close();
    }
  });
});
