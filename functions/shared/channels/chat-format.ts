import type { ChatWebhook } from '../channel-config.ts';
import { escapeHtml } from '../html.ts';

/** A team chat message, built from our text: a title, plain lines (user text among them) and the lead's link. */
export type ChatMessage = {
  title: string;
  lines: string[];
  link: { label: string; url: string };
  rtl: boolean;
};

export type ChatRequest = { url: string; body: Record<string, unknown> };

const clip = (text: string, max: number) =>
  [...text].length <= max ? text : `${[...text].slice(0, max - 1).join('')}…`;

/** Slack's own escaping: &, < and > are the only characters its text treats as markup delimiters. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The request each chat's webhook takes. User text never meets a markup parser: Slack gets plain_text blocks and
 * `mrkdwn: false`, Teams gets TextRuns (Adaptive Cards parse no Markdown in them), Telegram gets HTML with every
 * character escaped.
 */
export function chatRequest(
  target: ChatWebhook,
  message: ChatMessage,
  telegramBotToken: string | undefined,
  telegramBaseUrl = 'https://api.telegram.org',
): ChatRequest {
  const text = message.lines.join('\n');
  if (target.kind === 'slack')
    return {
      url: target.url,
      body: {
        text: slackEscape(`${message.title}\n${text}\n${message.link.url}`),
        mrkdwn: false,
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: clip(message.title, 150), emoji: false } },
          { type: 'section', text: { type: 'plain_text', text: clip(text, 3000), emoji: false } },
          {
            type: 'actions',
            elements: [
              {
                type: 'button',
                text: { type: 'plain_text', text: clip(message.link.label, 75) },
                url: message.link.url,
              },
            ],
          },
        ],
      },
    };
  if (target.kind === 'teams')
    return {
      url: target.url,
      body: {
        type: 'message',
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            contentUrl: null,
            content: {
              $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
              type: 'AdaptiveCard',
              version: '1.5',
              rtl: message.rtl,
              body: [
                {
                  type: 'RichTextBlock',
                  inlines: [{ type: 'TextRun', text: message.title, weight: 'Bolder', size: 'Medium' }],
                },
                ...message.lines.map((line) => ({
                  type: 'RichTextBlock',
                  inlines: [{ type: 'TextRun', text: line }],
                })),
              ],
              actions: [{ type: 'Action.OpenUrl', title: message.link.label, url: message.link.url }],
            },
          },
        ],
      },
    };
  if (telegramBotToken === undefined)
    throw new Error('a Telegram chat needs notifications.telegram.botToken');
  return {
    url: `${telegramBaseUrl.replace(/\/$/, '')}/bot${telegramBotToken}/sendMessage`,
    body: {
      chat_id: target.chatId,
      parse_mode: 'HTML',
      // Clipped before escaping, so an entity is never cut in half (Telegram refuses a broken one).
      text: `<b>${escapeHtml(clip(message.title, 200))}</b>\n${escapeHtml(clip(text, 3000))}`,
      link_preview_options: { is_disabled: true },
      reply_markup: { inline_keyboard: [[{ text: message.link.label, url: message.link.url }]] },
    },
  };
}
