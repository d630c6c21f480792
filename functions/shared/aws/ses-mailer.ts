import { SESv2Client, type SESv2ClientConfig, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { headerSafe } from '../html.ts';
import type { Mailer, OutgoingMail } from '../ports.ts';
import { neverRepeatUnanswered, sendConnections } from './unanswered-send.ts';

/** The SES client every composition uses, with a send's own connections and their timeouts. */
export function sesClient(config: SESv2ClientConfig = {}): SESv2Client {
  return new SESv2Client({ requestHandler: sendConnections(), ...config });
}

/**
 * Mail through SES v2. A mail whose request got no answer fails with `SendNoAnswerError`, never retried: SendEmail
 * takes no idempotency token, and the SDK's own retry of a timed-out request could deliver it twice.
 */
export class SesMailer implements Mailer {
  constructor(
    private readonly ses: SESv2Client,
    private readonly configurationSetName?: string,
  ) {
    neverRepeatUnanswered(ses, ['SendEmailCommand'], 'SES');
  }

  async send(mail: OutgoingMail): Promise<{ messageId: string }> {
    const result = await this.ses.send(
      new SendEmailCommand({
        FromEmailAddress: headerSafe(mail.from),
        Destination: { ToAddresses: [headerSafe(mail.to)] },
        Content: {
          Simple: {
            Subject: { Data: headerSafe(mail.subject), Charset: 'UTF-8' },
            Body: {
              Html: { Data: mail.html, Charset: 'UTF-8' },
              Text: { Data: mail.text, Charset: 'UTF-8' },
            },
            ...(mail.headers
              ? {
                  Headers: Object.entries(mail.headers).map(([Name, Value]) => ({
                    Name,
                    Value: headerSafe(Value),
                  })),
                }
              : {}),
          },
        },
        ...(mail.tags
          ? { EmailTags: Object.entries(mail.tags).map(([Name, Value]) => ({ Name, Value })) }
          : {}),
        ...(this.configurationSetName ? { ConfigurationSetName: this.configurationSetName } : {}),
      }),
    );
    if (result.MessageId === undefined) throw new Error('SES accepted the email but returned no MessageId');
    return { messageId: result.MessageId };
  }
}
