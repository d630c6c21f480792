import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, type HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { OAuthScope, UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  ConfigurationSet,
  EmailSendingEvent,
  EventDestination,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { FOOTPRINTS, type FunctionName } from '../../functions/footprints.ts';
import type { Config } from '../../functions/shared/config.ts';
import { HTTP_ROUTES } from '../../functions/shared/routes.ts';
import { STREAM_WINDOW_SECONDS } from '../../functions/shared/stream-position.ts';
import { SORT } from '../../functions/shared/table-schema.ts';
import { dashboardFiles } from '../bundling.ts';
import type { FootprintTargets } from '../constructs/footprint-grants.ts';
import { Monitoring } from '../constructs/monitoring.ts';
import { PipelineFunction } from '../constructs/pipeline-function.ts';
import { CONSUMER_TIMEOUT, type DataStack } from './data-stack.ts';

export type PipelineStackProps = StackProps & {
  data: DataStack;
  config: Config;
  /** The SES identity mail is sent from (a verified domain or address); by default the domain of `mail.from`. */
  sendingIdentity?: string;
  /** Alarm when more than this share of an hour's first contacts missed the SLA. */
  slaBreachAlarmPercent?: number;
  /** Who gets the alarms by email (they confirm the subscription); any other subscriber can be added to the topic. */
  alarmEmail?: string;
  /** Requests per second the HTTP API lets through (steady, burst); the rest get 429. */
  apiThrottle?: { rateLimit: number; burstLimit: number };
};

/** Why each public route needs no API Gateway authorizer: the function authenticates the sender itself. */
const PUBLIC_ROUTE_AUTH: Record<string, string> = {
  '/v1/forms/{formId}/leads':
    "Public lead forms on customers' websites: anyone may submit; the function checks the form, its allowed origins, a honeypot and the body, and throttling caps abuse.",
  '/v1/webhooks/facebook':
    'Meta cannot sign requests for API Gateway: the function verifies X-Hub-Signature-256 (HMAC-SHA256 of the raw body with the app secret) in constant time and answers 401 before anything is queued; GET checks the verify token.',
  '/v1/webhooks/whatsapp':
    "Meta's WhatsApp Cloud API webhook (reps' button replies, delivery statuses): the function verifies X-Hub-Signature-256 with the Meta app's secret in constant time and answers 401 before acting; a tap acts only for the rep whose number sent it, on the lead's current assignment; GET checks the verify token.",
  '/v1/webhooks/google':
    'Google Ads sends a google_key in the body, not a header API Gateway can check: the function compares it in constant time and answers 403 before anything is queued.',
  '/v1/leads/{leadId}/actions/{action}':
    "Links in reps' emails: the signed, expiring HMAC token in the link is the authentication (checked in constant time); GET only shows a confirm page.",
  '/dashboard':
    "The dashboard's page: a static file with no data in it; every data route it calls takes a Cognito token.",
  '/dashboard/{asset}':
    "The dashboard's script and style sheet: static files with no data in them; the data routes take a Cognito token.",
  '/v1/unsubscribe':
    'Unsubscribe links in marketing email (RFC 8058 one-click must work without sign-in): the per-lead HMAC token is the authentication; a wrong token gets 403.',
};

/** Access log fields: who called what and how it went; no body, no query string, so no PII. */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  routeKey: '$context.routeKey',
  status: '$context.status',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  requestTime: '$context.requestTime',
  latencyMs: '$context.responseLatency',
  integrationError: '$context.integrationErrorMessage',
});

/** The functions, the HTTP API and the event sources that connect them to the data stack. */
export class PipelineStack extends Stack {
  readonly api: HttpApi;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { data, config } = props;

    /** An SQS event source: batches of 10 at once (no window: seconds to a rep matter), partial batch responses. */
    const feedFrom = (queue: IQueue, fn: IFunction) =>
      fn.addEventSource(
        new SqsEventSource(queue, {
          batchSize: 10,
          maxBatchingWindow: Duration.seconds(0),
          reportBatchItemFailures: true,
        }),
      );

    // SES publishes bounces and complaints of every mail sent with this configuration set to the topic.
    // The notifications name recipients, so the topic is encrypted with a key SES may use.
    const feedbackKey = new Key(this, 'MailFeedbackKey', {
      description: 'leadpipe: encrypts SES bounce and complaint notifications',
      enableKeyRotation: true,
    });
    feedbackKey.grant(new ServicePrincipal('ses.amazonaws.com'), 'kms:GenerateDataKey*', 'kms:Decrypt');
    const feedbackTopic = new Topic(this, 'MailFeedback', { enforceSSL: true, masterKey: feedbackKey });
    const configurationSet = new ConfigurationSet(this, 'MailConfigurationSet', {
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    configurationSet.addEventDestination('Feedback', {
      destination: EventDestination.snsTopic(feedbackTopic),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });

    // What each function's footprint (functions/<fn>/footprint.ts) names: its environment and grants.
    const targets: FootprintTargets = {
      config,
      table: data.table,
      idempotencyTable: data.idempotencyTable,
      queues: { intake: data.intakeQueue, routing: data.routingQueue, timers: data.timerQueue },
      mail: {
        configurationSetName: configurationSet.configurationSetName,
        sendingIdentity: props.sendingIdentity ?? config.mail.from.split('@')[1] ?? config.mail.from,
      },
    };

    const ingest = new PipelineFunction(this, 'Ingest', {
      name: 'ingest',
      config,
      targets,
      timeout: Duration.seconds(10),
    }).fn;

    const scoring = new PipelineFunction(this, 'Scoring', {
      name: 'scoring',
      config,
      targets,
      timeout: CONSUMER_TIMEOUT,
    }).fn;

    const routing = new PipelineFunction(this, 'Routing', {
      name: 'routing',
      config,
      targets,
      timeout: CONSUMER_TIMEOUT,
    }).fn;

    const nurtureFunction = new PipelineFunction(this, 'Nurture', {
      name: 'nurture',
      config,
      targets,
      timeout: CONSUMER_TIMEOUT,
    });
    const nurture = nurtureFunction.fn;
    nurture.addEventSource(
      new DynamoEventSource(data.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        bisectBatchOnError: true,
        retryAttempts: 10,
        maxRecordAge: Duration.hours(6),
        reportBatchItemFailures: true,
        // Not for aggregating: a windowed batch names its shard, and the KPIs count a shard's records by their
        // position in it (one write per batch, no marker per event). One batch per shard at a time (no
        // parallelization factor) keeps that position exact.
        tumblingWindow: Duration.seconds(STREAM_WINDOW_SECONDS),
        onFailure: new SqsDlq(data.nurtureFailures),
        // Only lead items wake the function; counters and markers are filtered out by Lambda, for free.
        filters: [
          FilterCriteria.filter({ dynamodb: { Keys: { sk: { S: FilterRule.isEqual(SORT.lead) } } } }),
        ],
      }),
    );
    // Bounces and complaints from SES suppress the address for good.
    // SNS retries a failed delivery, then parks the notification in the DLQ (alarmed), never drops it: a lost
    // bounce means mail to a dead address. The queue lives beside the topic (its policy names the topic), and
    // is retained like every queue.
    const mailFeedbackDlq = new Queue(this, 'MailFeedbackDlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(mailFeedbackDlq).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This is itself a dead-letter queue: the SNS subscription's, for SES feedback nurture could not take. docs/operations.md hands its messages back to nurture.",
    });
    feedbackTopic.addSubscription(new LambdaSubscription(nurture, { deadLetterQueue: mailFeedbackDlq }));

    const sweeper = new PipelineFunction(this, 'Sweeper', {
      name: 'sweeper',
      config,
      targets,
      timeout: Duration.minutes(2),
    }).fn;
    // Every 5 minutes, timers due in the next 14 go to the queue with their exact delay (SQS allows 15).
    new Rule(this, 'SweeperSchedule', {
      description: 'leadpipe: move timers that fall due soon from the due index to the timer queue',
      schedule: Schedule.rate(Duration.minutes(5)),
      targets: [new LambdaFunction(sweeper, { event: RuleTargetInput.fromObject({}), retryAttempts: 2 })],
    });

    let reconcile: NodejsFunction | undefined;
    if (config.sources.facebook) {
      reconcile = new PipelineFunction(this, 'Reconcile', {
        name: 'reconcile',
        config,
        targets,
        timeout: Duration.minutes(5),
      }).fn;
      // Meta webhooks get lost: sweep the configured lead forms for leads that never arrived.
      new Rule(this, 'ReconcileSchedule', {
        description: 'leadpipe: read Meta lead forms for leads whose webhook was lost',
        schedule: Schedule.rate(Duration.minutes(15)),
        targets: [new LambdaFunction(reconcile, { event: RuleTargetInput.fromObject({}), retryAttempts: 2 })],
      });
    }

    const ops = new PipelineFunction(this, 'Ops', {
      name: 'ops',
      config,
      targets,
      // A spreadsheet import reads and queues up to 20,000 rows in one request: API Gateway's 30 seconds,
      // less a second. Every other ops request takes milliseconds; the timeout costs nothing unused.
      timeout: Duration.seconds(29),
      // The dashboard's page, script and style, built with esbuild at synth, shipped beside the bundle and
      // read on the first dashboard request.
      files: dashboardFiles(),
    }).fn;

    // Each function's queue triggers, from its footprint.
    const queues = targets.queues;
    for (const [name, fn] of Object.entries({ scoring, routing, nurture }) as [FunctionName, IFunction][])
      for (const queue of FOOTPRINTS[name].triggers?.queues ?? []) feedFrom(queues[queue], fn);

    this.api = new HttpApi(this, 'Api', {
      description: 'leadpipe: lead capture webhooks and forms, ops API',
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      // Far above a lead form's traffic and Meta's retries, far below what would run up a bill.
      throttle: props.apiThrottle ?? { rateLimit: 200, burstLimit: 400 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(ACCESS_LOG_FORMAT),
      },
    });
    const integrations = {
      ingest: new HttpLambdaIntegration('IngestIntegration', ingest),
      ops: new HttpLambdaIntegration('OpsIntegration', ops),
    };
    // Ops routes take IAM-signed requests only (SigV4); webhooks and forms authenticate in the function; the
    // dashboard's copies of the ops routes take a Cognito access token.
    const iam = new HttpIamAuthorizer();
    const dashboardClient = new UserPoolClient(this, 'DashboardClient', {
      userPool: data.userPool,
      generateSecret: false,
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.PROFILE],
        callbackUrls: [`${this.api.apiEndpoint}/dashboard`],
        logoutUrls: [`${this.api.apiEndpoint}/dashboard`],
      },
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });
    ops.addEnvironment('DASHBOARD_SIGN_IN_DOMAIN', data.signInDomain);
    ops.addEnvironment('DASHBOARD_CLIENT_ID', dashboardClient.userPoolClientId);
    const jwt = new HttpUserPoolAuthorizer('DashboardAuthorizer', data.userPool, {
      userPoolClients: [dashboardClient],
    });
    for (const route of HTTP_ROUTES) {
      const [added] = this.api.addRoutes({
        path: route.path,
        methods: [route.method as HttpMethod],
        integration: integrations[route.fn],
        ...(route.auth === 'iam' ? { authorizer: iam } : route.auth === 'jwt' ? { authorizer: jwt } : {}),
      });
      if (route.auth !== 'none' || added === undefined) continue;
      const reason = PUBLIC_ROUTE_AUTH[route.path];
      if (reason === undefined) throw new Error(`public route ${route.path} needs a written reason`);
      Validations.of(added).acknowledge({ id: 'AwsSolutions-APIG4', reason });
    }
    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'LeadsTableName', { value: data.table.tableName });
    new CfnOutput(this, 'DashboardUserPoolId', { value: data.userPool.userPoolId });
    new CfnOutput(this, 'DashboardClientId', { value: dashboardClient.userPoolClientId });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      functions: {
        Ingest: ingest,
        Scoring: scoring,
        Routing: routing,
        Nurture: nurture,
        Sweeper: sweeper,
        Ops: ops,
        ...(reconcile ? { Reconcile: reconcile } : {}),
      },
      queues: [
        { name: 'Intake', queue: data.intakeQueue, dlq: data.intakeDlq },
        { name: 'Routing', queue: data.routingQueue, dlq: data.routingDlq },
        { name: 'Timers', queue: data.timerQueue, dlq: data.timerDlq },
      ],
      streamFailures: data.nurtureFailures,
      mailFeedbackDlq,
      streamConsumer: nurture,
      streamConsumerLogs: nurtureFunction.logGroup,
      api: this.api,
      slaBreachPercent: props.slaBreachAlarmPercent ?? 20,
    });
    if (props.alarmEmail) this.monitoring.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName });
  }
}
