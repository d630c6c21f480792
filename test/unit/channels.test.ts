import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { failureDetail, reachedDetail } from '../../functions/nurture/notify.ts';
import { SendNoAnswerError } from '../../functions/shared/aws/unanswered-send.ts';
import { chatRequest, slackEscape } from '../../functions/shared/channels/chat-format.ts';
import { statusAdvances } from '../../functions/shared/channels/message.ts';
import { signReply, verifyReply } from '../../functions/shared/channels/reply-token.ts';
import { ChatRefused } from '../../functions/shared/channels/senders.ts';
import { fitSms, smsEncoding, smsParts } from '../../functions/shared/channels/sms-text.ts';
import { whatsappParam } from '../../functions/shared/channels/whatsapp-text.ts';
import { WhatsAppWebhook } from '../../functions/shared/channels/whatsapp-webhook.ts';
import { ConfigError } from '../../functions/shared/config.ts';
import { parseConfig } from '../../functions/shared/config-text.ts';
import { GraphApiError } from '../../functions/shared/graph-api.ts';
import { testConfig } from '../support/factories.ts';

const anyText = fc.string({ unit: 'grapheme', maxLength: 400 });
const fullUnicode = fc.string({ unit: 'binary', maxLength: 400 });

/** No half of a surrogate pair left alone: the text is well-formed UTF-16. */
const wellFormed = (text: string) =>
  !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

describe('SMS length', () => {
  it('counts GSM-7 in septets (the extension characters twice) and everything else in UCS-2 units', () => {
    expect(smsParts('a'.repeat(160))).toEqual({ encoding: 'GSM-7', parts: 1, units: 160 });
    expect(smsParts('a'.repeat(161))).toEqual({ encoding: 'GSM-7', parts: 2, units: 161 });
    expect(smsParts('€'.repeat(80)).units).toBe(160);
    expect(smsParts('س'.repeat(70))).toEqual({ encoding: 'UCS-2', parts: 1, units: 70 });
    expect(smsParts('س'.repeat(71)).parts).toBe(2);
    expect(smsParts('س'.repeat(134)).parts).toBe(2);
    expect(smsParts('س'.repeat(135)).parts).toBe(3);
    // An emoji is two UTF-16 units and is never split between parts.
    expect(smsParts('😀'.repeat(35)).parts).toBe(1);
    expect(smsParts(`${'a'.repeat(66)}😀`).units).toBe(68);
    expect(smsEncoding('Hello {name} [x] ~ € ^')).toBe('GSM-7');
    expect(smsEncoding('Salam ۱۲۳')).toBe('UCS-2');
  });

  it('fits any text within the parts allowed, keeping the link whole and every character whole', () => {
    fc.assert(
      fc.property(fullUnicode, fc.integer({ min: 1, max: 5 }), (body, maxParts) => {
        const tail = 'https://leads.example.com/dashboard#/leads/0193a1b2-0000-7000-8000-000000000000';
        const fitted = fitSms(body, tail, maxParts);
        expect(smsParts(fitted).parts).toBeLessThanOrEqual(maxParts);
        expect(fitted.endsWith(tail)).toBe(true);
        // Whatever was kept is the start of the body, and no character was cut in half.
        const kept = fitted.slice(0, -tail.length).replace(/(\.\.\.|…)?\n?$/, '');
        expect(body.startsWith(kept) || body.trimEnd().startsWith(kept)).toBe(true);
        if (wellFormed(body)) expect(wellFormed(fitted)).toBe(true);
      }),
    );
  });

  it('leaves a text that fits as it is, and marks a cut with an ellipsis of its own alphabet', () => {
    expect(fitSms('Call Sara', 'https://x.example/l', 1)).toBe('Call Sara\nhttps://x.example/l');
    expect(fitSms('a'.repeat(500), 'https://x.example/l', 1)).toMatch(/a\.\.\.\nhttps:\/\/x\.example\/l$/);
    expect(fitSms('س'.repeat(500), 'https://x.example/l', 2)).toMatch(/س…\nhttps:\/\/x\.example\/l$/);
  });
});

describe('WhatsApp template parameters', () => {
  it('never carry a line break, a tab, five spaces, a formatting mark or nothing', () => {
    fc.assert(
      fc.property(fullUnicode, fc.integer({ min: 2, max: 300 }), (text, max) => {
        const param = whatsappParam(text, max);
        expect(param).not.toMatch(/[\r\n\t\u2028\u2029]/);
        expect(param).not.toMatch(/ {5}/);
        expect(param).not.toMatch(/[*_~`]/);
        expect(param.length).toBeGreaterThan(0);
        expect([...param].length).toBeLessThanOrEqual(max);
      }),
    );
  });

  it('keeps ordinary names as they are', () => {
    expect(whatsappParam('نورة القحطاني')).toBe('نورة القحطاني');
    expect(whatsappParam('  Reza\nAhmadi  ')).toBe('Reza Ahmadi');
    expect(whatsappParam('')).toBe('—');
  });
});

describe('quick-reply payloads', () => {
  const key = 'test-link-signing-key-0123456789';
  const grant = {
    reply: 'contacted' as const,
    leadId: '0193a1b2-0000-7000-8000-000000000000',
    repId: 'sara',
    assignmentAt: '2026-03-19T16:00:01.234Z',
  };

  it('carry the answer, lead, rep and assignment, signed, in a button-sized string', () => {
    const payload = signReply(grant, key);
    expect(payload.length).toBeLessThan(128);
    expect(verifyReply(payload, key)).toEqual(grant);
    expect(verifyReply(payload, 'another-key-0123456789')).toBeUndefined();
    expect(verifyReply(payload.replace('.c.', '.n.'), key)).toBeUndefined();
    expect(verifyReply(payload.replace('sara', 'omid'), key)).toBeUndefined();
  });

  it('refuse anything else without throwing', () => {
    fc.assert(
      fc.property(fullUnicode, (text) => {
        expect(verifyReply(text, key)).toBeUndefined();
      }),
    );
  });
});

describe('team chat requests', () => {
  const message = (title: string, line: string) => ({
    title,
    lines: [line],
    link: { label: 'Open the lead', url: 'https://leads.example.com/dashboard#/leads/1' },
    rtl: false,
  });

  it('give Slack no markup: entities escaped, formatting off, blocks in plain text', () => {
    fc.assert(
      fc.property(anyText, anyText, (title, line) => {
        const { body } = chatRequest(
          { kind: 'slack', url: 'https://hooks.slack.com/services/T/B/X' },
          message(title, line),
          undefined,
        );
        const text = String(body.text);
        expect(text).not.toMatch(/[<>]/);
        expect(text.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
        expect(body.mrkdwn).toBe(false);
        const blocks = body.blocks as { text?: { type: string } }[];
        for (const block of blocks) if (block.text) expect(block.text.type).toBe('plain_text');
      }),
    );
    expect(slackEscape('<!channel> & <https://evil|x>')).toBe(
      '&lt;!channel&gt; &amp; &lt;https://evil|x&gt;',
    );
  });

  it('give Teams text runs, which Adaptive Cards never read as Markdown, right to left when the language is', () => {
    const { body } = chatRequest(
      { kind: 'teams', url: 'https://example.webhook.office.com/x' },
      { ...message('**bold** [x](https://evil)', 'line'), rtl: true },
      undefined,
    );
    const card = (body.attachments as { content: Record<string, unknown> }[])[0]?.content;
    expect(card?.rtl).toBe(true);
    expect(JSON.stringify(card?.body)).toContain('"type":"TextRun","text":"**bold** [x](https://evil)"');
    expect(JSON.stringify(card?.body)).not.toContain('"type":"TextBlock"');
  });

  it('give Telegram HTML in which every character of the text is escaped', () => {
    fc.assert(
      fc.property(anyText, anyText, (title, line) => {
        const { body, url } = chatRequest(
          { kind: 'telegram', chatId: '-100123' },
          message(title, line),
          '1:token',
          'https://api.telegram.org',
        );
        expect(url).toBe('https://api.telegram.org/bot1:token/sendMessage');
        const html = String(body.text);
        // The only tags are ours.
        expect(html.replace(/^<b>|<\/b>\n/g, '')).not.toMatch(/[<>]/);
      }),
    );
  });
});

describe('delivery statuses', () => {
  it('only move forward: sent → delivered → read, failed from anything but read', () => {
    expect(statusAdvances(undefined, 'sent')).toBe(true);
    expect(statusAdvances('sent', 'delivered')).toBe(true);
    expect(statusAdvances('delivered', 'sent')).toBe(false);
    expect(statusAdvances('read', 'delivered')).toBe(false);
    expect(statusAdvances('delivered', 'failed')).toBe(true);
    expect(statusAdvances('read', 'failed')).toBe(false);
    expect(statusAdvances('failed', 'read')).toBe(false);
  });
});

describe('notification config', () => {
  const base = testConfig();

  it('refuses a route over a channel that is not set up, naming what is missing', () => {
    const config = {
      ...structuredClone(base),
      notifications: { routes: { assignment: ['whatsapp', 'email'] } },
    };
    try {
      parseConfig(JSON.stringify(config));
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.join('\n')).toContain(
        'notifications.whatsapp is not configured',
      );
    }
  });

  it('refuses a Telegram chat without the bot, and a number that is not E.164', () => {
    const config = structuredClone(base) as unknown as { routing: { reps: Record<string, unknown>[] } };
    const [rep] = config.routing.reps;
    if (rep) rep.channels = { chat: { kind: 'telegram', chatId: '-100123' }, whatsapp: '0501234567' };
    try {
      parseConfig(JSON.stringify(config));
      throw new Error('expected a ConfigError');
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toContain('notifications.telegram.botToken');
      expect(problems).toContain('E.164');
    }
  });

  it('sends every kind by email alone when nothing is said', () => {
    expect(base.notifications.routes.assignment).toEqual({ try: ['email'], always: [] });
  });
});

describe("WhatsApp's webhook payloads as Meta documents them", () => {
  const fixture = (name: string) =>
    JSON.parse(readFileSync(`test/fixtures/whatsapp/${name}.json`, 'utf8')) as Record<string, unknown>;

  it('read a quick-reply tap: who tapped, which message, which payload', () => {
    const parsed = WhatsAppWebhook.parse(fixture('button-reply'));
    const message = parsed.entry[0]?.changes[0]?.value.messages?.[0];
    expect(message).toEqual(
      expect.objectContaining({
        type: 'button',
        from: '966501110001',
        button: expect.objectContaining({ payload: 'PAYLOAD' }),
      }),
    );
    expect(message?.context?.id).toMatch(/^wamid\./);
  });

  it('read delivery statuses with their callback data and error codes', () => {
    const delivered = WhatsAppWebhook.parse(fixture('status-delivered')).entry[0]?.changes[0]?.value
      .statuses?.[0];
    expect(delivered).toEqual(
      expect.objectContaining({ status: 'delivered', biz_opaque_callback_data: 'CALLBACK' }),
    );
    const failed = WhatsAppWebhook.parse(fixture('status-failed')).entry[0]?.changes[0]?.value.statuses?.[0];
    expect(failed?.errors?.[0]?.code).toBe(131026);
  });
});

describe('why a channel failed, as the timeline and the log keep it', () => {
  it("never keeps a service's own words, which may quote the number it refused", () => {
    const sdkError = Object.assign(
      new Error("1 validation error detected: Value '+966501234567' at 'destinationPhoneNumber' failed"),
      { name: 'ValidationException', $metadata: { httpStatusCode: 400 } },
    );
    expect(failureDetail(sdkError)).toBe('ValidationException: 400');
    expect(failureDetail(new ChatRefused('the chat answered 503'))).toBe(
      'ChatRefused: the chat answered 503',
    );
    const graph = new GraphApiError(
      '(#131030) Recipient +966… not in allowed list',
      400,
      131030,
      true,
      'WhatsApp refused',
    );
    expect(failureDetail(graph)).toBe('GraphApiError: 131030: WhatsApp refused');
    expect(
      failureDetail(new SendNoAnswerError('SES did not answer (it may have sent it): socket hang up')),
    ).toBe('SendNoAnswerError: SES did not answer (it may have sent it): socket hang up');
  });

  it('says a notice that reached nobody for sure may still have reached them when a channel gave no answer', () => {
    expect(reachedDetail({ attempts: [{ channel: 'email', outcome: 'unknown' }] })).toEqual({
      detail: 'no answer from email: it may have reached them',
    });
    expect(reachedDetail({ attempts: [{ channel: 'sms', outcome: 'failed' }] })).toEqual({
      detail: 'reached on no channel',
    });
    expect(reachedDetail({ attempts: [], suppressed: 'bounce' })).toEqual({
      detail: 'not mailed: rep address bounce',
    });
    expect(reachedDetail({ reached: 'sms', attempts: [] })).toEqual({ detail: 'by sms' });
  });
});
