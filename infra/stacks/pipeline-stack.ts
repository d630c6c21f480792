import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { HttpApi, type HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import {
  ConfigurationSet,
  EmailSendingEvent,
  EventDestination,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import type { Config } from '../../functions/shared/config.ts';
import { HTTP_ROUTES } from '../../functions/shared/routes.ts';
import { type SecretName, secretParameterPaths } from '../../functions/shared/secrets.ts';
import { SECRETS_PREFIX } from '../bundling.ts';
import { PipelineFunction } from '../constructs/pipeline-function.ts';
import { CONSUMER_TIMEOUT, type DataStack } from './data-stack.ts';

export type PipelineStackProps = StackProps & { data: DataStack; config: Config };

/** The functions, the HTTP API and the event sources that connect them to the data stack. */
export class PipelineStack extends Stack {
  readonly api: HttpApi;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { data, config } = props;

    /** Read access to exactly the SSM parameters holding the secrets a function resolves at cold start. */
    const grantSecrets = (fn: IFunction, names: SecretName[]) => {
      const paths = secretParameterPaths(config, names, SECRETS_PREFIX);
      if (paths.length === 0) return;
      fn.addToRolePolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['ssm:GetParameters'],
          resources: paths.map(
            (p) => `arn:${this.partition}:ssm:${this.region}:${this.account}:parameter${p}`,
          ),
        }),
      );
    };

    const ingest = new PipelineFunction(this, 'Ingest', {
      name: 'ingest',
      config,
      timeout: Duration.seconds(10),
      environment: { INTAKE_QUEUE_URL: data.intakeQueue.queueUrl },
    }).fn;
    data.intakeQueue.grantSendMessages(ingest);
    grantSecrets(ingest, ['facebook.appSecret', 'facebook.verifyToken', 'google.key']);

    const scoring = new PipelineFunction(this, 'Scoring', {
      name: 'scoring',
      config,
      timeout: CONSUMER_TIMEOUT,
      environment: { TABLE_NAME: data.table.tableName, ROUTING_QUEUE_URL: data.routingQueue.queueUrl },
    }).fn;
    data.table.grant(scoring, 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    data.routingQueue.grantSendMessages(scoring);
    grantSecrets(scoring, ['facebook.pageAccessToken', 'facebook.appSecret']);
    scoring.addEventSource(
      new SqsEventSource(data.intakeQueue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(0),
        reportBatchItemFailures: true,
      }),
    );

    const routing = new PipelineFunction(this, 'Routing', {
      name: 'routing',
      config,
      timeout: CONSUMER_TIMEOUT,
      environment: { TABLE_NAME: data.table.tableName, ROUTING_QUEUE_URL: data.routingQueue.queueUrl },
    }).fn;
    data.table.grant(
      routing,
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
      'dynamodb:Query',
      'dynamodb:ConditionCheckItem',
    );
    // A lead nobody can take goes back on the routing queue with a delay.
    data.routingQueue.grantSendMessages(routing);
    routing.addEventSource(
      new SqsEventSource(data.routingQueue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(0),
        reportBatchItemFailures: true,
      }),
    );

    // SES publishes bounces and complaints of every mail sent with this configuration set to the topic.
    const feedbackTopic = new Topic(this, 'MailFeedback', { enforceSSL: true });
    const configurationSet = new ConfigurationSet(this, 'MailConfigurationSet', {
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    configurationSet.addEventDestination('Feedback', {
      destination: EventDestination.snsTopic(feedbackTopic),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });

    const nurture = new PipelineFunction(this, 'Nurture', {
      name: 'nurture',
      config,
      timeout: CONSUMER_TIMEOUT,
      environment: {
        IDEMPOTENCY_TABLE_NAME: data.idempotencyTable.tableName,
        TABLE_NAME: data.table.tableName,
        TIMER_QUEUE_URL: data.timerQueue.queueUrl,
        ROUTING_QUEUE_URL: data.routingQueue.queueUrl,
        SES_CONFIGURATION_SET: configurationSet.configurationSetName,
      },
    }).fn;
    // Timers due soon go straight to the timer queue; escalations that reassign go back to routing.
    data.timerQueue.grantSendMessages(nurture);
    data.routingQueue.grantSendMessages(nurture);
    grantSecrets(nurture, ['mail.linkSigningKey']);
    data.table.grant(
      nurture,
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:ConditionCheckItem',
    );
    data.idempotencyTable.grant(
      nurture,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    );
    const sendingDomain = config.mail.from.split('@')[1] ?? config.mail.from;
    nurture.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['ses:SendEmail'],
        resources: [
          `arn:${this.partition}:ses:${this.region}:${this.account}:identity/${sendingDomain}`,
          `arn:${this.partition}:ses:${this.region}:${this.account}:configuration-set/${configurationSet.configurationSetName}`,
        ],
      }),
    );
    nurture.addEventSource(
      new DynamoEventSource(data.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        bisectBatchOnError: true,
        retryAttempts: 10,
        maxRecordAge: Duration.hours(6),
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(data.nurtureFailures),
        // Only lead items wake the function; counters and markers are filtered out by Lambda, for free.
        filters: [FilterCriteria.filter({ dynamodb: { Keys: { sk: { S: FilterRule.isEqual('LEAD') } } } })],
      }),
    );
    nurture.addEventSource(
      new SqsEventSource(data.timerQueue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(0),
        reportBatchItemFailures: true,
      }),
    );
    // Bounces and complaints from SES suppress the address for good.
    feedbackTopic.addSubscription(new LambdaSubscription(nurture));

    const sweeper = new PipelineFunction(this, 'Sweeper', {
      name: 'sweeper',
      config,
      timeout: Duration.minutes(2),
      environment: { TABLE_NAME: data.table.tableName, TIMER_QUEUE_URL: data.timerQueue.queueUrl },
    }).fn;
    data.table.grant(sweeper, 'dynamodb:Query', 'dynamodb:UpdateItem');
    data.timerQueue.grantSendMessages(sweeper);
    // Every 5 minutes, timers due in the next 14 go to the queue with their exact delay (SQS allows 15).
    new Rule(this, 'SweeperSchedule', {
      description: 'leadpipe: move timers that fall due soon from the due index to the timer queue',
      schedule: Schedule.rate(Duration.minutes(5)),
      targets: [new LambdaFunction(sweeper, { event: RuleTargetInput.fromObject({}), retryAttempts: 2 })],
    });

    if (config.sources.facebook) {
      const reconcile = new PipelineFunction(this, 'Reconcile', {
        name: 'reconcile',
        config,
        timeout: Duration.minutes(5),
        environment: { TABLE_NAME: data.table.tableName, INTAKE_QUEUE_URL: data.intakeQueue.queueUrl },
      }).fn;
      data.table.grant(reconcile, 'dynamodb:GetItem');
      data.intakeQueue.grantSendMessages(reconcile);
      grantSecrets(reconcile, ['facebook.pageAccessToken', 'facebook.appSecret']);
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
      timeout: Duration.seconds(10),
      environment: { TABLE_NAME: data.table.tableName, ROUTING_QUEUE_URL: data.routingQueue.queueUrl },
    }).fn;
    data.table.grant(
      ops,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:Query',
    );
    data.routingQueue.grantSendMessages(ops);
    grantSecrets(ops, ['mail.linkSigningKey']);

    this.api = new HttpApi(this, 'Api', {
      description: 'leadpipe: lead capture webhooks and forms, ops API',
    });
    const integrations = {
      ingest: new HttpLambdaIntegration('IngestIntegration', ingest),
      ops: new HttpLambdaIntegration('OpsIntegration', ops),
    };
    // Ops routes take IAM-signed requests only (SigV4); webhooks and forms authenticate in the function.
    const iam = new HttpIamAuthorizer();
    for (const route of HTTP_ROUTES) {
      this.api.addRoutes({
        path: route.path,
        methods: [route.method as HttpMethod],
        integration: integrations[route.fn],
        ...(route.auth === 'iam' ? { authorizer: iam } : {}),
      });
    }
    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
  }
}
