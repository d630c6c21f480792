import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  type Metric,
  SingleValueWidget,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export type MonitoringProps = {
  functions: Record<string, LambdaFunction>;
  /** Consumer queues with their DLQs: depth and age of the oldest message. */
  queues: { name: string; queue: IQueue; dlq: IQueue }[];
  /** Where the stream consumer's exhausted batches go. */
  streamFailures: IQueue;
  /** SES feedback SNS could not deliver to nurture. */
  mailFeedbackDlq: IQueue;
  /** The stream consumer, whose iterator age says how far behind the table it is. */
  streamConsumer: IFunction;
  /** Its log group: the `first contact` lines become the SLA and speed-to-lead metrics. */
  streamConsumerLogs: ILogGroup;
  api: HttpApi;
  /** Alarm when more than this share of first contacts in an hour missed the SLA. */
  slaBreachPercent: number;
};

export const METRICS_NAMESPACE = 'leadpipe';

/**
 * Alarms (to one SNS topic) and a dashboard: is anything stuck (DLQs, queue age, stream iterator age), failing
 * (function errors and throttles, API 5xx), and are reps calling in time (SLA breach rate, first-contact time).
 */
export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topic = new Topic(this, 'AlarmTopic', { displayName: 'leadpipe alarms', enforceSSL: true });
    const action = new SnsAction(this.topic);
    const alarm = (
      name: string,
      metric: Metric | MathExpression,
      threshold: number,
      description: string,
      evaluationPeriods = 1,
    ) => {
      const created = new Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      this.alarms.push(created);
      return created;
    };
    const minute = Duration.minutes(1);
    const fiveMinutes = Duration.minutes(5);

    for (const { name, queue, dlq } of props.queues) {
      alarm(
        `${name}DlqDepth`,
        dlq.metricApproximateNumberOfMessagesVisible({ period: minute, statistic: 'Maximum' }),
        1,
        `Messages in the ${name} DLQ: something failed ${name} 5 times. Read docs/operations.md, fix, redrive.`,
      );
      alarm(
        `${name}OldestMessage`,
        queue.metricApproximateAgeOfOldestMessage({ period: minute, statistic: 'Maximum' }),
        300,
        `The oldest ${name} message waits over 5 minutes: the consumer is failing or cannot keep up.`,
        3,
      );
    }
    alarm(
      'StreamFailures',
      props.streamFailures.metricApproximateNumberOfMessagesVisible({ period: minute, statistic: 'Maximum' }),
      1,
      'Stream batches ran out of retries: replay the leads named in the failure queue (docs/operations.md).',
    );
    alarm(
      'MailFeedbackDlqDepth',
      props.mailFeedbackDlq.metricApproximateNumberOfMessagesVisible({
        period: minute,
        statistic: 'Maximum',
      }),
      1,
      'SES bounces or complaints did not reach nurture: hand them back (docs/operations.md, mail feedback) so the addresses are suppressed.',
    );
    alarm(
      'StreamIteratorAge',
      props.streamConsumer.metric('IteratorAge', { period: minute, statistic: 'Maximum' }),
      60_000,
      'Nurture is over a minute behind the table: assignment emails and KPIs are late.',
      5,
    );
    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(
        `${name}Errors`,
        fn.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
        1,
        `${name} failed.`,
      );
      alarm(
        `${name}Throttles`,
        fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }),
        1,
        `${name} was throttled: raise its reserved concurrency or the account limit.`,
      );
    }
    // A secret whose SSM parameter is missing: its source answers 503 (or its Meta leads wait), the rest works.
    const secretMissing = Object.entries(props.functions).map(([name, fn]) =>
      new MetricFilter(this, `${name}SecretMissing`, {
        logGroup: fn.logGroup,
        filterPattern: FilterPattern.literal('{ $.message = "secret missing" }'),
        metricNamespace: METRICS_NAMESPACE,
        metricName: 'SecretMissing',
        metricValue: '1',
      }).metric({ period: fiveMinutes, statistic: 'Sum' }),
    );
    alarm(
      'SecretMissing',
      new MathExpression({
        expression: secretMissing.map((_, i) => `m${i}`).join(' + '),
        usingMetrics: Object.fromEntries(secretMissing.map((m, i) => [`m${i}`, m])),
        period: fiveMinutes,
        label: 'secret missing (log lines)',
      }),
      1,
      'A function could not read an SSM parameter: its source answers 503 until it exists. The log line names it (docs/deploy.md, step 2).',
    );
    // A webhook subscriber failing every delivery for days (or answering 410) is disabled: someone should know.
    alarm(
      'WebhookSubscriptionDisabled',
      new MetricFilter(this, 'WebhookSubscriptionDisabledLines', {
        logGroup: props.streamConsumerLogs,
        filterPattern: FilterPattern.literal('{ $.message = "webhook subscription disabled" }'),
        metricNamespace: METRICS_NAMESPACE,
        metricName: 'WebhookSubscriptionDisabled',
        metricValue: '1',
      }).metric({ period: fiveMinutes, statistic: 'Sum' }),
      1,
      'A webhook subscription was disabled: its endpoint failed every delivery for 3 days or answered 410. GET /v1/subscriptions/{id}/deliveries shows why; subscribe it again once it works (docs/channels.md).',
    );
    alarm(
      'ApiServerErrors',
      props.api.metricServerError({ period: fiveMinutes, statistic: 'Sum' }),
      5,
      'The HTTP API answered 5xx: senders retry, but look at ingest and ops.',
    );

    // Speed to lead from the log line nurture writes at each first contact (no PII in it).
    const firstContact = (suffix: string, pattern: string, value = '1') =>
      new MetricFilter(this, `FirstContact${suffix}`, {
        logGroup: props.streamConsumerLogs,
        filterPattern: FilterPattern.literal(pattern),
        metricNamespace: METRICS_NAMESPACE,
        metricName: `FirstContact${suffix}`,
        metricValue: value,
      }).metric({ period: Duration.hours(1), statistic: 'Sum' });
    const met = firstContact('SlaMet', '{ $.message = "first contact" && $.sla = "met" }');
    const breached = firstContact('SlaBreached', '{ $.message = "first contact" && $.sla = "breached" }');
    const businessMinutes = new MetricFilter(this, 'FirstContactBusinessMinutes', {
      logGroup: props.streamConsumerLogs,
      filterPattern: FilterPattern.literal('{ $.message = "first contact" }'),
      metricNamespace: METRICS_NAMESPACE,
      metricName: 'FirstContactBusinessMinutes',
      metricValue: '$.businessMinutes',
    });
    const breachRate = new MathExpression({
      expression: 'IF(met + breached > 0, 100 * breached / (met + breached), 0)',
      usingMetrics: { met, breached },
      period: Duration.hours(1),
      label: 'SLA breached (% of first contacts)',
    });
    alarm(
      'SlaBreachRate',
      breachRate,
      props.slaBreachPercent,
      `Over ${props.slaBreachPercent}% of first contacts in the last hour missed the SLA.`,
    );

    const perFunction = (metric: (fn: IFunction) => Metric) =>
      Object.entries(props.functions).map(([name, fn]) => metric(fn).with({ label: name }));
    this.dashboard = new Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(24),
      widgets: [
        [
          new TextWidget({
            markdown:
              '# leadpipe\nLeads in, where they wait, what failed, and how fast reps call. Alarms go to the alarm topic.',
            width: 24,
            height: 2,
          }),
        ],
        [
          new SingleValueWidget({
            title: 'First contact, business minutes (p50 / p90), last 24 h',
            metrics: [
              businessMinutes.metric({ statistic: 'p50', period: Duration.hours(24), label: 'p50' }),
              businessMinutes.metric({ statistic: 'p90', period: Duration.hours(24), label: 'p90' }),
            ],
            width: 8,
          }),
          new GraphWidget({
            title: 'SLA met / breached per hour',
            left: [met.with({ label: 'met' }), breached.with({ label: 'breached' })],
            stacked: true,
            width: 8,
          }),
          new GraphWidget({ title: 'SLA breach rate (%)', left: [breachRate], width: 8 }),
        ],
        [
          new GraphWidget({
            title: 'HTTP API requests, 4xx, 5xx',
            left: [
              props.api.metricCount({ period: fiveMinutes, label: 'requests' }),
              props.api.metricClientError({ period: fiveMinutes, label: '4xx' }),
              props.api.metricServerError({ period: fiveMinutes, label: '5xx' }),
            ],
            width: 12,
          }),
          new GraphWidget({
            title: 'HTTP API latency p50 / p99 (ms)',
            left: [
              props.api.metricLatency({ statistic: 'p50', period: fiveMinutes, label: 'p50' }),
              props.api.metricLatency({ statistic: 'p99', period: fiveMinutes, label: 'p99' }),
            ],
            width: 12,
          }),
        ],
        [
          new GraphWidget({
            title: 'Queue depth (visible) and DLQs',
            left: props.queues.flatMap(({ name, queue, dlq }) => [
              queue.metricApproximateNumberOfMessagesVisible({ period: minute, label: name }),
              dlq.metricApproximateNumberOfMessagesVisible({ period: minute, label: `${name} DLQ` }),
            ]),
            width: 12,
          }),
          new GraphWidget({
            title: 'Oldest message (s) and stream iterator age (ms)',
            left: props.queues.map(({ name, queue }) =>
              queue.metricApproximateAgeOfOldestMessage({ period: minute, label: name }),
            ),
            right: [
              props.streamConsumer.metric('IteratorAge', {
                period: minute,
                statistic: 'Maximum',
                label: 'stream',
              }),
            ],
            width: 12,
          }),
        ],
        [
          new GraphWidget({
            title: 'Function errors',
            left: perFunction((fn) => fn.metricErrors({ period: fiveMinutes })),
            width: 8,
          }),
          new GraphWidget({
            title: 'Function duration p99 (ms)',
            left: perFunction((fn) => fn.metricDuration({ period: fiveMinutes, statistic: 'p99' })),
            width: 8,
          }),
          new GraphWidget({
            title: 'Function throttles',
            left: perFunction((fn) => fn.metricThrottles({ period: fiveMinutes })),
            width: 8,
          }),
        ],
      ],
    });
  }
}
