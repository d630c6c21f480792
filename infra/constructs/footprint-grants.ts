import { Stack, Token, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Config } from '../../functions/shared/config.ts';
import { DEFAULT_GRAPH_API_BASE_URL } from '../../functions/shared/env.ts';
import { type Footprint, footprintEnvNames, type QueueName } from '../../functions/shared/footprint.ts';
import { secretParameterPaths } from '../../functions/shared/secrets.ts';
import { SECRETS_PREFIX } from '../bundling.ts';

/** The deployed resources a footprint's names refer to. */
export type FootprintTargets = {
  config: Config;
  table: ITable;
  idempotencyTable: ITable;
  queues: Record<QueueName, IQueue>;
  mail: { configurationSetName: string; sendingIdentity: string };
};

/**
 * Gives a function exactly what its footprint declares: one environment variable per resource it names, and
 * IAM statements for those actions on those resources only (the table and the named indexes, never `index/*`).
 */
export function applyFootprint(fn: LambdaFunction, footprint: Footprint, targets: FootprintTargets): void {
  const stack = Stack.of(fn);
  const arn = (service: string, resource: string) =>
    `arn:${stack.partition}:${service}:${stack.region}:${stack.account}:${resource}`;
  const values: Record<string, string> = {
    TABLE_NAME: targets.table.tableName,
    IDEMPOTENCY_TABLE_NAME: targets.idempotencyTable.tableName,
    INTAKE_QUEUE_URL: targets.queues.intake.queueUrl,
    ROUTING_QUEUE_URL: targets.queues.routing.queueUrl,
    TIMER_QUEUE_URL: targets.queues.timers.queueUrl,
    SES_CONFIGURATION_SET: targets.mail.configurationSetName,
    GRAPH_API_BASE_URL: DEFAULT_GRAPH_API_BASE_URL,
  };
  for (const name of footprintEnvNames(footprint)) {
    const value = values[name];
    if (value === undefined) throw new Error(`no deployed value for the environment variable ${name}`);
    fn.addEnvironment(name, value);
  }
  const allow = (actions: readonly string[], resources: string[]) =>
    fn.addToRolePolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: [...actions], resources }));

  const table = footprint.table;
  if (table && table.actions.length > 0)
    allow(
      table.actions.map((a) => `dynamodb:${a}`),
      [targets.table.tableArn],
    );
  if (table?.indexQueries && table.indexQueries.length > 0)
    allow(
      ['dynamodb:Query'],
      table.indexQueries.map((index) => `${targets.table.tableArn}/index/${index}`),
    );
  if (footprint.idempotencyTable)
    allow(
      footprint.idempotencyTable.map((a) => `dynamodb:${a}`),
      [targets.idempotencyTable.tableArn],
    );
  // sqs:SendMessage covers SendMessageBatch too; the queue's own key (if any) comes with `grant`.
  for (const queue of footprint.sendsTo ?? []) targets.queues[queue].grant(fn, 'sqs:SendMessage');
  if (footprint.sendsMail)
    allow(
      ['ses:SendEmail'],
      [
        arn('ses', `identity/${targets.mail.sendingIdentity}`),
        arn('ses', `configuration-set/${targets.mail.configurationSetName}`),
      ],
    );
  // SMS only when configured: from its origination identity, through its configuration set.
  const sms = targets.config.notifications.sms;
  if (footprint.sendsSms && sms) {
    const identity = sms.originationIdentity;
    // A phone number or pool by id or ARN; a sender id is registered per country, so any country's.
    const origin = identity.startsWith('arn:')
      ? identity
      : /^phone-[0-9a-f]{32}$/.test(identity)
        ? arn('sms-voice', `phone-number/${identity}`)
        : /^pool-[0-9a-f]{32}$/.test(identity)
          ? arn('sms-voice', `pool/${identity}`)
          : arn('sms-voice', `sender-id/${identity}/*`);
    const optOut = arn('sms-voice', 'opt-out-list/*');
    allow(
      ['sms-voice:SendTextMessage'],
      [
        origin,
        ...(sms.configurationSet ? [arn('sms-voice', `configuration-set/${sms.configurationSet}`)] : []),
        optOut,
      ],
    );
    const rendered = (resource: string) =>
      resource
        .replace(stack.partition, '<AWS::Partition>')
        .replace(stack.region, Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region)
        .replace(stack.account, Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account);
    for (const [resource, reason] of [
      [
        optOut,
        "End User Messaging checks the destination against the configuration set's opt-out list, named in the account's settings, not here.",
      ],
      [
        origin,
        'A sender id is registered once per country; the grant is to this one sender id in any country it is registered for.',
      ],
    ] as const)
      if (resource.endsWith('*') && fn.role)
        Validations.of(fn.role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${rendered(resource)}]`,
          reason,
        });
  }
  // Read access to exactly the SSM parameters holding the secrets the function resolves at cold start.
  const paths = secretParameterPaths(targets.config, [...(footprint.secrets ?? [])], SECRETS_PREFIX);
  if (paths.length > 0)
    allow(
      ['ssm:GetParameters'],
      paths.map((p) => arn('ssm', `parameter${p}`)),
    );
}
