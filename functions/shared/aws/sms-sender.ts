import {
  PinpointSMSVoiceV2Client,
  type PinpointSMSVoiceV2ClientConfig,
  SendTextMessageCommand,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { SmsOutgoing, SmsSender } from '../ports.ts';
import { neverRepeatUnanswered, sendConnections } from './unanswered-send.ts';

/** The SMS client every composition uses, with a send's own connections and their timeouts. */
export function smsClient(config: PinpointSMSVoiceV2ClientConfig = {}): PinpointSMSVoiceV2Client {
  return new PinpointSMSVoiceV2Client({ requestHandler: sendConnections(), ...config });
}

/**
 * Text messages through AWS End User Messaging SMS (the `pinpoint-sms-voice-v2` API), transactional. A text whose
 * request got no answer fails with `SendNoAnswerError`, never retried: the API takes no idempotency token.
 */
export class EndUserMessagingSms implements SmsSender {
  constructor(
    private readonly client: PinpointSMSVoiceV2Client,
    private readonly options: { originationIdentity: string; configurationSet?: string; maxPrice?: string },
  ) {
    neverRepeatUnanswered(client, ['SendTextMessageCommand'], 'End User Messaging');
  }

  async send(sms: SmsOutgoing): Promise<{ messageId: string }> {
    const { MessageId } = await this.client.send(
      new SendTextMessageCommand({
        DestinationPhoneNumber: sms.to,
        OriginationIdentity: this.options.originationIdentity,
        MessageBody: sms.body,
        MessageType: 'TRANSACTIONAL',
        ...(this.options.configurationSet ? { ConfigurationSetName: this.options.configurationSet } : {}),
        ...(this.options.maxPrice ? { MaxPrice: this.options.maxPrice } : {}),
        ...(sms.context ? { Context: sms.context } : {}),
      }),
    );
    if (!MessageId) throw new Error('End User Messaging answered without a MessageId');
    return { messageId: MessageId };
  }
}
