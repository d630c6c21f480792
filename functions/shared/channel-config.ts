import * as z from 'zod';
import { Locale } from './lead.ts';

/** A number as WhatsApp and SMS take it: E.164, a + and 8 to 15 digits. */
export const E164 = z
  .string()
  .regex(/^\+[1-9]\d{7,14}$/, 'a phone number in E.164 form: + and the country code, e.g. +971501234567');

/**
 * A team chat's incoming webhook: Slack (incoming webhook URL), Microsoft Teams (a Workflows "post to a
 * channel when a webhook request is received" URL) or a Telegram chat (the bot token is `notifications.telegram`).
 */
export const ChatWebhook = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('slack'), url: z.url({ protocol: /^https?$/ }) }),
  z.strictObject({ kind: z.literal('teams'), url: z.url({ protocol: /^https?$/ }) }),
  z.strictObject({
    kind: z.literal('telegram'),
    chatId: z.string().regex(/^(-?\d{1,20}|@[A-Za-z0-9_]{5,32})$/, 'a numeric chat id or @channelname'),
  }),
]);
export type ChatWebhook = z.infer<typeof ChatWebhook>;

/** Where a rep or a manager can be reached besides email. */
export const PersonChannels = z.strictObject({
  whatsapp: E164.optional(),
  sms: E164.optional(),
  chat: ChatWebhook.optional(),
});
export type PersonChannels = z.infer<typeof PersonChannels>;

export const CHANNELS = ['email', 'whatsapp', 'sms', 'chat'] as const;
export const Channel = z.enum(CHANNELS);
export type Channel = z.infer<typeof Channel>;

export const NOTICE_KINDS = ['assignment', 'reminder', 'escalation', 'taskReminder'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/**
 * How one kind of message reaches its person: `try` in order until one channel takes it (a channel the person
 * has no address on is skipped, one that fails falls through), and `always` besides. Email ends every `try`
 * list that does not name it: every rep and manager has an address.
 */
export const NoticeRoute = z
  .union([
    z.array(Channel).min(1),
    z.strictObject({ try: z.array(Channel).min(1), always: z.array(Channel).default([]) }),
  ])
  .transform((route) => (Array.isArray(route) ? { try: route, always: [] } : route));
export type NoticeRoute = z.infer<typeof NoticeRoute>;

/** An approved WhatsApp template: its name and, per rep language, the template's language code at Meta. */
export const WhatsAppTemplate = z.strictObject({
  name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'a template name: lowercase letters, digits and underscores'),
  languages: z.partialRecord(
    Locale,
    z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'a code such as ar or en_US'),
  ),
});
export type WhatsAppTemplate = z.infer<typeof WhatsAppTemplate>;

export const NotificationsConfig = z.strictObject({
  routes: z
    .strictObject({
      assignment: NoticeRoute.prefault(['email']),
      reminder: NoticeRoute.prefault(['email']),
      escalation: NoticeRoute.prefault(['email']),
      taskReminder: NoticeRoute.prefault(['email']),
    })
    .prefault({}),
  whatsapp: z
    .strictObject({
      /** The business number's id in WhatsApp Manager (not the number itself). */
      phoneNumberId: z.string().regex(/^\d+$/, 'a numeric id, written as a string'),
      /** A System User token with whatsapp_business_messaging (a secret: SSM in AWS). */
      accessToken: z.string().min(1),
      /** The Meta app's secret: signs the webhook of button replies and delivery statuses (a secret). */
      appSecret: z.string().min(8),
      /** Echoed to Meta when it verifies the webhook subscription (a secret). */
      verifyToken: z.string().min(8),
      graphApiVersion: z
        .string()
        .regex(/^v\d+\.\d+$/)
        .default('v23.0'),
      /**
       * Templates by message kind. The assignment's has three quick-reply buttons in this order: Called,
       * Call later, Not mine; its body takes the lead's name, phone, source and score.
       */
      templates: z.strictObject({
        assignment: WhatsAppTemplate,
        reminder: WhatsAppTemplate.optional(),
        escalation: WhatsAppTemplate.optional(),
        taskReminder: WhatsAppTemplate.optional(),
      }),
      /** "Call later" plans a call this many minutes on. */
      callLaterMinutes: z.number().int().min(5).max(1440).default(60),
    })
    .optional(),
  sms: z
    .strictObject({
      /** A phone number, its ARN, a pool or a sender id registered in AWS End User Messaging SMS. */
      originationIdentity: z.string().min(1),
      configurationSet: z.string().min(1).optional(),
      /** A longer message is shortened to fit: Arabic and Persian go as UCS-2, 67 characters a part. */
      maxParts: z.number().int().min(1).max(10).default(3),
      /** The most a message may cost, in US dollars (End User Messaging refuses dearer ones). */
      maxPrice: z
        .string()
        .regex(/^\d+(\.\d{1,5})?$/)
        .optional(),
    })
    .optional(),
  telegram: z
    .strictObject({
      /** The bot's token from @BotFather (a secret: SSM in AWS). */
      botToken: z.string().min(1),
    })
    .optional(),
});
export type NotificationsConfig = z.infer<typeof NotificationsConfig>;
