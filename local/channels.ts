import type { Config } from '../functions/shared/config.ts';
import { escapeHtml } from '../functions/shared/html.ts';
import { type ChatPost, type FakeChat, startFakeChat } from './fake-chat.ts';
import type { FakeGraphApi } from './fake-graph-api.ts';
import { type FakeSms, startFakeSms } from './fake-sms.ts';
import type { FaultInjector } from './faults.ts';

/** Chat webhooks on this host land in the local chat receiver: `http://chat.localhost/slack/…` and the like. */
export const LOCAL_CHAT_HOST = 'chat.localhost';

/** The runner's stand-ins for the channels besides email: End User Messaging SMS and the team chats. */
export type LocalChannels = {
  sms: FakeSms;
  chat: FakeChat;
  /** The config with its `chat.localhost` webhooks pointed at the local chat receiver. */
  config: Config;
  stop(): Promise<void>;
};

export async function startLocalChannels(config: Config, faults?: FaultInjector): Promise<LocalChannels> {
  const sms = await startFakeSms(faults ? { faults } : {});
  const chat = await startFakeChat(faults ? { faults } : {});
  const local = structuredClone(config);
  const point = (webhook: { kind: string; url?: string } | undefined) => {
    if (webhook?.url === undefined) return;
    const url = new URL(webhook.url);
    if (url.hostname !== LOCAL_CHAT_HOST) return;
    webhook.url = `${chat.url}${url.pathname}${url.search}`;
  };
  for (const rep of local.routing.reps) point(rep.channels?.chat);
  for (const pool of local.routing.pools) {
    point(pool.teamChat);
    point(pool.manager?.channels?.chat);
  }
  return {
    sms,
    chat,
    config: local,
    async stop() {
      await Promise.all([sms.stop(), chat.stop()]);
    },
  };
}

/** Every message of every channel, newest first: what `/_local/messages` shows. */
export type LocalMessage = {
  channel: 'email' | 'whatsapp' | 'sms' | 'chat';
  at: string;
  to: string;
  title: string;
  text: string;
  detail?: string;
};

function chatText(post: ChatPost): { title: string; text: string } {
  const body = post.body as Record<string, unknown>;
  if (post.kind === 'telegram') return { title: 'Telegram', text: String(body.text ?? '') };
  if (post.kind === 'slack') return { title: 'Slack', text: String(body.text ?? '') };
  const card = (
    body.attachments as { content?: { body?: { inlines?: { text?: string }[] }[] } }[] | undefined
  )?.[0]?.content;
  const lines = (card?.body ?? []).map((b) => (b.inlines ?? []).map((i) => i.text ?? '').join(''));
  return { title: 'Teams', text: lines.join('\n') };
}

export function localMessages(
  mail: { to: string[]; subject: string; text: string; sentAt: string }[],
  channels: LocalChannels,
  graph: FakeGraphApi | undefined,
): LocalMessage[] {
  const messages: LocalMessage[] = [
    ...mail.map((m) => ({
      channel: 'email' as const,
      at: m.sentAt,
      to: m.to.join(', '),
      title: m.subject,
      text: m.text,
    })),
    ...(graph?.whatsappSent() ?? []).map((m) => ({
      channel: 'whatsapp' as const,
      at: m.at,
      to: `+${m.to}`,
      title: m.type === 'template' ? `template ${m.template} (${m.language})` : 'text',
      text: m.text.join(' | '),
      ...(m.buttons.length > 0 ? { detail: `message ${m.id}; buttons ${m.buttons.length}` } : {}),
    })),
    ...channels.sms.sent().map((m) => ({
      channel: 'sms' as const,
      at: m.at,
      to: m.to,
      title: `${m.encoding}, ${m.parts} part${m.parts === 1 ? '' : 's'}`,
      text: m.body,
    })),
    ...channels.chat.posts().map((p) => ({ channel: 'chat' as const, at: p.at, to: p.path, ...chatText(p) })),
  ];
  return messages.sort((a, b) => b.at.localeCompare(a.at));
}

/** The same list for a person: a page like the mail viewer's, each message's text as sent. */
export function messagesPage(messages: LocalMessage[]): string {
  const rows = messages
    .map(
      (m) =>
        `<tr><td>${escapeHtml(m.at)}</td><td>${escapeHtml(m.channel)}</td><td dir="auto">${escapeHtml(
          m.to,
        )}</td><td dir="auto"><strong>${escapeHtml(m.title)}</strong><pre dir="auto">${escapeHtml(m.text)}</pre>${
          m.detail ? `<small>${escapeHtml(m.detail)}</small>` : ''
        }</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>leadpipe: messages sent</title>
<style>body{font-family:system-ui,sans-serif;margin:1rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:start;vertical-align:top}pre{white-space:pre-wrap;margin:.3rem 0;font-family:inherit}</style>
</head><body><h1>Messages sent (${messages.length})</h1>
<p>Every channel of the local pipeline, newest first. As JSON: <code>GET /_local/messages</code> with <code>Accept: application/json</code>.</p>
<table><thead><tr><th>When</th><th>Channel</th><th>To</th><th>Message</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>`;
}
