import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SNSEvent } from 'aws-lambda';
import { InvalidMessageError } from '../shared/batch.ts';
import { feedbackSuppressions, SesFeedback } from './core.ts';
import type { NurtureDeps } from './deps.ts';

/**
 * SES bounce and complaint events (a configuration set's SNS destination): the addresses are suppressed, so no
 * later mail goes to them. Logs with the Lambda context, as the stream and the timers do.
 */
export function createFeedbackJob(deps: Pick<NurtureDeps, 'suppressions' | 'now' | 'logger'>) {
  const { logger } = deps;
  async function feedback(event: SNSEvent): Promise<void> {
    for (const record of event.Records) {
      let json: unknown;
      try {
        json = JSON.parse(record.Sns.Message);
      } catch {
        throw new InvalidMessageError(`SNS message ${record.Sns.MessageId} is not JSON`);
      }
      const parsed = SesFeedback.safeParse(json);
      if (!parsed.success)
        throw new InvalidMessageError(`SNS message ${record.Sns.MessageId} is not an SES event notification`);
      for (const s of feedbackSuppressions(parsed.data)) {
        await deps.suppressions.suppress(s.address, {
          reason: s.reason,
          at: deps.now().toISOString(),
          detail: s.detail,
        });
        logger.info('address suppressed', {
          reason: s.reason,
          detail: s.detail,
          messageId: parsed.data.mail?.messageId,
        });
      }
    }
  }
  return middy<SNSEvent, void, Error, Context>(feedback).use(injectLambdaContext(logger));
}
