/**
 * AWS list prices used to turn measured requests into dollars: us-east-1, on-demand, no free tier, as
 * collected on the date below. Prices change: re-check the pricing pages before quoting these figures.
 */
export const PRICES = {
  collected: '2026-11-23',
  region: 'us-east-1',
  httpApiPerMillionRequests: 1.0,
  lambdaPerMillionRequests: 0.2,
  /** arm64. */
  lambdaPerGbSecond: 0.0000133334,
  sqsPerMillionRequests: 0.4,
  /** On-demand, after the November 2024 price cut. */
  dynamoPerMillionWriteUnits: 0.625,
  dynamoPerMillionReadUnits: 0.125,
  sesPerThousandEmails: 0.1,
  sources: {
    httpApi: 'https://aws.amazon.com/api-gateway/pricing/ ($1.00 per million for the first 300 million)',
    lambda:
      'https://aws.amazon.com/lambda/pricing/ ($0.20 per million requests; arm64 $0.0000133334 per GB-s)',
    sqs: 'https://aws.amazon.com/sqs/pricing/ (standard queue, $0.40 per million requests; a batch of up to 10 is one request)',
    dynamodb:
      'https://aws.amazon.com/dynamodb/pricing/on-demand/ ($0.625 per million write units, $0.125 per million read units; Streams reads by Lambda are free)',
    ses: 'https://aws.amazon.com/ses/pricing/ ($0.10 per 1,000 emails)',
  },
} as const;

/**
 * What a message to a rep costs outside AWS's request prices: WhatsApp's per-message fee (Meta bills each
 * delivered template by the recipient's country and the template's category; the assignment is a utility
 * template) and End User Messaging SMS's price per message part, by destination country. Both change often and
 * differ by volume tier and carrier: the figures are orders of magnitude as BSP rate tables published them
 * around the collection date, not read from Meta's or AWS's own card here. Replace them with your rate card's
 * before quoting a total.
 */
export const CHANNEL_PRICES = {
  collected: '2026-12-01',
  /** US dollars per delivered utility template, by recipient country (ISO 3166). */
  whatsappUtilityTemplate: { SA: 0.0107, AE: 0.0157, IR: 0.0077, default: 0.008 } as Record<string, number>,
  /** Replies inside the 24-hour service window the rep's tap opened: free (from 2026-10-01, 1,000 a month per number). */
  whatsappServiceReply: 0,
  /** US dollars per SMS part, transactional, by destination country. */
  smsPerPart: { SA: 0.0425, AE: 0.0556, IR: 0.0645, default: 0.05 } as Record<string, number>,
  /** Slack, Teams and Telegram webhooks: no charge per message. */
  chat: 0,
  sources: {
    whatsapp:
      'https://developers.facebook.com/docs/whatsapp/pricing (per-message pricing since 2025-07-01; rate card by country and category)',
    sms: 'https://aws.amazon.com/end-user-messaging/pricing/ (SMS, per message part, by destination country; plus carrier fees in some countries)',
  },
} as const;

/** The country of an E.164 number, for the rate cards above (the calling codes of the first markets). */
export function countryOfNumber(number: string): string {
  const digits = number.replace(/\D/g, '');
  if (digits.startsWith('966')) return 'SA';
  if (digits.startsWith('971')) return 'AE';
  if (digits.startsWith('98')) return 'IR';
  return 'default';
}
