import type { NotificationsConfig } from '../channel-config.ts';
import { GraphApiClient } from '../graph-api.ts';
import { postOutbound } from '../outbound-http.ts';
import type { ChatPoster, WebhookSender, WhatsAppOutgoing, WhatsAppSender } from '../ports.ts';

/** The WhatsApp sender of a config: the business number, through a Graph client on `baseUrl`. */
export function whatsappSender(baseUrl: string, whatsapp: NonNullable<NotificationsConfig['whatsapp']>) {
  return new CloudApiWhatsApp(
    new GraphApiClient({
      baseUrl,
      version: whatsapp.graphApiVersion,
      accessToken: whatsapp.accessToken,
      appSecret: whatsapp.appSecret,
    }),
    whatsapp.phoneNumberId,
  );
}

/** WhatsApp Cloud API messages from the business number, through the same Graph client as Lead Ads. */
export class CloudApiWhatsApp implements WhatsAppSender {
  constructor(
    private readonly graph: GraphApiClient,
    private readonly phoneNumberId: string,
  ) {}

  send(message: WhatsAppOutgoing): Promise<{ id: string }> {
    // Cloud API takes the number with or without +; it documents it without.
    const to = message.to.replace(/^\+/, '');
    const callback = message.callbackData ? { biz_opaque_callback_data: message.callbackData } : {};
    if (message.type === 'text')
      return this.graph.sendWhatsApp(this.phoneNumberId, {
        to,
        type: 'text',
        text: { body: message.text, preview_url: false },
        ...callback,
      });
    const { template } = message;
    return this.graph.sendWhatsApp(this.phoneNumberId, {
      to,
      type: 'template',
      template: {
        name: template.name,
        language: { code: template.language },
        components: [
          { type: 'body', parameters: template.body.map((text) => ({ type: 'text', text })) },
          ...template.buttons.map((payload, index) => ({
            type: 'button',
            sub_type: 'quick_reply',
            index: String(index),
            parameters: [{ type: 'payload', payload }],
          })),
        ],
      },
      ...callback,
    });
  }
}

export class ChatRefused extends Error {
  override readonly name = 'ChatRefused';
}

/** A chat's webhook: any 2xx is taken (Slack answers 200 "ok", Teams Workflows 202, Telegram 200). */
export class WebhookChatPoster implements ChatPoster {
  constructor(private readonly options: { allowLoopback: boolean }) {}

  async post(request: { url: string; body: Record<string, unknown> }): Promise<void> {
    const response = await postOutbound(request.url, JSON.stringify(request.body), {
      allowLoopback: this.options.allowLoopback,
      timeoutMs: 5_000,
    });
    if (response.status < 200 || response.status > 299)
      throw new ChatRefused(`the chat answered ${response.status}`);
  }
}

/** Subscribers' endpoints: the same guarded POST as chats (HTTPS, public addresses, no redirect, a deadline). */
export class OutboundWebhookSender implements WebhookSender {
  constructor(private readonly options: { allowLoopback: boolean; timeoutMs?: number }) {}

  async post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number }> {
    const { status } = await postOutbound(url, body, {
      headers,
      allowLoopback: this.options.allowLoopback,
      timeoutMs: this.options.timeoutMs ?? 10_000,
    });
    return { status };
  }
}
