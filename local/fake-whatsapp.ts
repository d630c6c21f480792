import { createHmac, randomBytes } from 'node:crypto';
import * as z from '../functions/shared/zod.ts';

/**
 * The WhatsApp Cloud API's side of the fake Graph API: `POST /{version}/{phone-number-id}/messages` answered as
 * Meta answers it (a wamid per message), and Meta's webhooks sent back, signed with the app secret as Meta signs
 * them: each message's statuses (sent, delivered; failed for a number that is not on WhatsApp) and, on request,
 * a rep tapping one of a template's quick-reply buttons.
 *
 * Shapes from Meta's Cloud API reference: messages (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages)
 * and webhook payloads (https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples).
 */
const Component = z.object({
  type: z.enum(['header', 'body', 'button']),
  sub_type: z.optional(z.string()),
  index: z.optional(z.string()),
  parameters: z.array(
    z.union([
      z.object({ type: z.literal('text'), text: z.string().check(z.minLength(1)) }),
      z.object({ type: z.literal('payload'), payload: z.string().check(z.minLength(1)) }),
    ]),
  ),
});

export const CloudApiMessage = z.object({
  messaging_product: z.literal('whatsapp'),
  recipient_type: z.optional(z.literal('individual')),
  to: z.string().check(z.regex(/^\+?\d{8,15}$/)),
  type: z.enum(['template', 'text']),
  template: z.optional(
    z.object({
      name: z.string().check(z.minLength(1)),
      language: z.object({ code: z.string().check(z.minLength(2)) }),
      components: z.optional(z.array(Component)),
    }),
  ),
  text: z.optional(
    z.object({
      body: z.string().check(z.minLength(1), z.maxLength(4096)),
      preview_url: z.optional(z.boolean()),
    }),
  ),
  biz_opaque_callback_data: z.optional(z.string().check(z.maxLength(512))),
});
export type CloudApiMessage = z.infer<typeof CloudApiMessage>;

export type SentWhatsApp = {
  id: string;
  at: string;
  phoneNumberId: string;
  to: string;
  type: 'template' | 'text';
  template?: string;
  language?: string;
  /** The body parameters, or the text. */
  text: string[];
  /** The quick replies' payloads, in button order. */
  buttons: string[];
  callbackData?: string;
};

/** Meta's error for a template parameter with a line break (132018), and the like. */
export type CloudApiRefusal = { status: number; code: number; message: string };

/** Checks a send as Cloud API would; undefined when it would take it. */
export function refuseWhatsApp(message: CloudApiMessage): CloudApiRefusal | undefined {
  // Numbers ending in 9999 are outside the business's allowed list here, as test numbers are at Meta.
  if (message.to.endsWith('9999'))
    return { status: 400, code: 131030, message: 'Recipient phone number not in allowed list' };
  if (message.type === 'template' && message.template === undefined)
    return { status: 400, code: 100, message: 'template is required for type template' };
  if (message.type === 'text' && message.text === undefined)
    return { status: 400, code: 100, message: 'text is required for type text' };
  for (const component of message.template?.components ?? [])
    for (const parameter of component.parameters)
      if ('text' in parameter && (/[\n\t]/.test(parameter.text) || / {5,}/.test(parameter.text)))
        return {
          status: 400,
          code: 132018,
          message: 'Param text cannot have new-line/tab characters or more than 4 consecutive spaces',
        };
  return undefined;
}

export function recordWhatsApp(phoneNumberId: string, message: CloudApiMessage): SentWhatsApp {
  const components = message.template?.components ?? [];
  return {
    id: `wamid.${randomBytes(24).toString('base64')}`,
    at: new Date().toISOString(),
    phoneNumberId,
    to: message.to.replace(/^\+/, ''),
    type: message.type,
    ...(message.template
      ? { template: message.template.name, language: message.template.language.code }
      : {}),
    text:
      message.type === 'text'
        ? [message.text?.body ?? '']
        : components
            .filter((c) => c.type === 'body')
            .flatMap((c) => c.parameters.flatMap((p) => ('text' in p ? [p.text] : []))),
    buttons: components
      .filter((c) => c.type === 'button' && c.sub_type === 'quick_reply')
      .sort((a, b) => Number(a.index) - Number(b.index))
      .flatMap((c) => c.parameters.flatMap((p) => ('payload' in p ? [p.payload] : []))),
    ...(message.biz_opaque_callback_data ? { callbackData: message.biz_opaque_callback_data } : {}),
  };
}

const BUSINESS_NUMBER = '15550783881';

/** The envelope of every WhatsApp Business Account webhook: one entry, one `messages` change. */
function envelope(phoneNumberId: string, value: Record<string, unknown>): unknown {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: BUSINESS_NUMBER, phone_number_id: phoneNumberId },
              ...value,
            },
            field: 'messages',
          },
        ],
      },
    ],
  };
}

/** A status webhook for one sent message, as Meta posts it. */
export function statusWebhook(
  sent: SentWhatsApp,
  status: 'sent' | 'delivered' | 'read' | 'failed',
  error?: { code: number; title: string },
): unknown {
  return envelope(sent.phoneNumberId, {
    statuses: [
      {
        id: sent.id,
        status,
        timestamp: String(Math.floor(Date.now() / 1000)),
        recipient_id: sent.to,
        ...(sent.callbackData ? { biz_opaque_callback_data: sent.callbackData } : {}),
        ...(error
          ? { errors: [{ code: error.code, title: error.title, message: error.title }] }
          : { pricing: { billable: true, pricing_model: 'PMP', category: 'utility', type: 'regular' } }),
      },
    ],
  });
}

/** A rep's tap on a template's quick-reply button, as Meta posts it (type `button`, with the template's wamid). */
export function buttonReplyWebhook(
  sent: SentWhatsApp,
  index: number,
  label: string,
  from = sent.to,
): unknown {
  return envelope(sent.phoneNumberId, {
    contacts: [{ profile: { name: 'Rep' }, wa_id: from }],
    messages: [
      {
        context: { from: BUSINESS_NUMBER, id: sent.id },
        from,
        id: `wamid.${randomBytes(24).toString('base64')}`,
        timestamp: String(Math.floor(Date.now() / 1000)),
        type: 'button',
        button: { payload: sent.buttons[index] ?? '', text: label },
      },
    ],
  });
}

/** Signs a webhook body as Meta does: X-Hub-Signature-256, HMAC-SHA256 of the raw body with the app secret. */
export function signWebhook(body: string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}
