import { type PinpointSMSVoiceV2Client, SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { SmsOutgoing, SmsSender } from '../ports.ts';

/** Text messages through AWS End User Messaging SMS (the `pinpoint-sms-voice-v2` API), transactional. */
export class EndUserMessagingSms implements SmsSender {
  constructor(
    private readonly client: PinpointSMSVoiceV2Client,
    private readonly options: { originationIdentity: string; configurationSet?: string; maxPrice?: string },
  ) {}

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
