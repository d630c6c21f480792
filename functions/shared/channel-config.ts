import { Locale } from './lead.ts';
import * as z from './zod.ts';

/** A number as WhatsApp and SMS take it: E.164, a + and 8 to 15 digits. */
export const E164 = z
  .string()
  .check(
    z.regex(/^\+[1-9]\d{7,14}$/, 'a phone number in E.164 form: + and the country code, e.g. +971501234567'),
  );

/**
 * A team chat's incoming webhook: Slack (incoming webhook URL), Microsoft Teams (a Workflows "post to a
 * channel when a webhook request is received" URL) or a Telegram chat (the bot token is `notifications.telegram`).
 */
export const ChatWebhook = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('slack'), url: z.url({ protocol: /^https?$/ }) }),
  z.strictObject({ kind: z.literal('teams'), url: z.url({ protocol: /^https?$/ }) }),
  z.strictObject({
    kind: z.literal('telegram'),
    chatId: z
      .string()
      .check(z.regex(/^(-?\d{1,20}|@[A-Za-z0-9_]{5,32})$/, 'a numeric chat id or @channelname')),
  }),
]);
export type ChatWebhook = z.infer<typeof ChatWebhook>;

/** Where a rep or a manager can be reached besides email. */
export const PersonChannels = z.strictObject({
  whatsapp: z.optional(E164),
  sms: z.optional(E164),
  chat: z.optional(ChatWebhook),
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
export const NoticeRoute = z.pipe(
  z.union([
    z.array(Channel).check(z.minLength(1)),
    z.strictObject({ try: z.array(Channel).check(z.minLength(1)), always: z._default(z.array(Channel), []) }),
  ]),
  z.transform((route) => (Array.isArray(route) ? { try: route, always: [] } : route)),
);
export type NoticeRoute = z.infer<typeof NoticeRoute>;

/** An approved WhatsApp template: its name and, per rep language, the template's language code at Meta. */
export const WhatsAppTemplate = z.strictObject({
  name: z
    .string()
    .check(z.regex(/^[a-z0-9_]{1,512}$/, 'a template name: lowercase letters, digits and underscores')),
  languages: z.partialRecord(
    Locale,
    z.string().check(z.regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'a code such as ar or en_US')),
  ),
});
export type WhatsAppTemplate = z.infer<typeof WhatsAppTemplate>;

export const NotificationsConfig = z.strictObject({
  routes: z.prefault(
    z.strictObject({
      assignment: z.prefault(NoticeRoute, ['email']),
      reminder: z.prefault(NoticeRoute, ['email']),
      escalation: z.prefault(NoticeRoute, ['email']),
      taskReminder: z.prefault(NoticeRoute, ['email']),
    }),
    {},
  ),
  whatsapp: z.optional(
    z.strictObject({
      /** The business number's id in WhatsApp Manager (not the number itself). */
      phoneNumberId: z.string().check(z.regex(/^\d+$/, 'a numeric id, written as a string')),
      /** A System User token with whatsapp_business_messaging (a secret: SSM in AWS). */
      accessToken: z.string().check(z.minLength(1)),
      /** The Meta app's secret: signs the webhook of button replies and delivery statuses (a secret). */
      appSecret: z.string().check(z.minLength(8)),
      /** Echoed to Meta when it verifies the webhook subscription (a secret). */
      verifyToken: z.string().check(z.minLength(8)),
      graphApiVersion: z._default(z.string().check(z.regex(/^v\d+\.\d+$/)), 'v23.0'),
      /**
       * Templates by message kind. The assignment's has three quick-reply buttons in this order: Called,
       * Call later, Not mine; its body takes the lead's name, phone, source and score.
       */
      templates: z.strictObject({
        assignment: WhatsAppTemplate,
        reminder: z.optional(WhatsAppTemplate),
        escalation: z.optional(WhatsAppTemplate),
        taskReminder: z.optional(WhatsAppTemplate),
      }),
      /** "Call later" plans a call this many minutes on. */
      callLaterMinutes: z._default(z.number().check(z.int(), z.gte(5), z.lte(1440)), 60),
    }),
  ),
  sms: z.optional(
    z.strictObject({
      /** A phone number, its ARN, a pool or a sender id registered in AWS End User Messaging SMS. */
      originationIdentity: z.string().check(z.minLength(1)),
      configurationSet: z.optional(z.string().check(z.minLength(1))),
      /** A longer message is shortened to fit: Arabic and Persian go as UCS-2, 67 characters a part. */
      maxParts: z._default(z.number().check(z.int(), z.gte(1), z.lte(10)), 3),
      /** The most a message may cost, in US dollars (End User Messaging refuses dearer ones). */
      maxPrice: z.optional(z.string().check(z.regex(/^\d+(\.\d{1,5})?$/))),
    }),
  ),
  telegram: z.optional(
    z.strictObject({
      /** The bot's token from @BotFather (a secret: SSM in AWS). */
      botToken: z.string().check(z.minLength(1)),
    }),
  ),
});
export type NotificationsConfig = z.infer<typeof NotificationsConfig>;
