import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from './config.ts';
import type { MissingSecret } from './secrets.ts';

/**
 * What a function's composition (`functions/<fn>/wiring.ts`) takes. lambda.ts gives it real clients and the
 * environment the stack set; the local runner and the tests give it emulator clients and the same names for
 * their resources. One composition per function, so all three run the same handler built the same way.
 */
export type WiringInput<C extends keyof AwsClients> = {
  clients: Pick<AwsClients, C>;
  /** Resource names by the environment variables the stack sets (TABLE_NAME, INTAKE_QUEUE_URL…). */
  env: Readonly<Record<string, string | undefined>>;
  /** The config with its secrets resolved (SSM in AWS, literal values locally). */
  config: Config;
  /** Secrets whose SSM parameter does not exist yet: the part that needs one says so, the rest works. */
  missingSecrets?: readonly MissingSecret[];
  /** The clock; tests pass their own. */
  now?: () => Date;
  logger?: Logger;
};

export type AwsClients = {
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  ses: SESv2Client;
  /** End User Messaging SMS (the `pinpoint-sms-voice-v2` API). */
  sms: PinpointSMSVoiceV2Client;
};

/** The clock every composition uses unless a test gives its own: the one place a function reads the time. */
export function systemClock(): Date {
  return new Date();
}
