import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { HttpApi, type HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import type { Config } from '../../functions/shared/config.ts';
import { HTTP_ROUTES } from '../../functions/shared/routes.ts';
import { PipelineFunction } from '../constructs/pipeline-function.ts';
import { CONSUMER_TIMEOUT, type DataStack } from './data-stack.ts';

export type PipelineStackProps = StackProps & { data: DataStack; config: Config };

/** The functions, the HTTP API and the event sources that connect them to the data stack. */
export class PipelineStack extends Stack {
  readonly api: HttpApi;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { data, config } = props;

    const ingest = new PipelineFunction(this, 'Ingest', {
      name: 'ingest',
      config,
      timeout: Duration.seconds(10),
      environment: { INTAKE_QUEUE_URL: data.intakeQueue.queueUrl },
    }).fn;
    data.intakeQueue.grantSendMessages(ingest);

    const scoring = new PipelineFunction(this, 'Scoring', {
      name: 'scoring',
      config,
      timeout: CONSUMER_TIMEOUT,
      environment: { TABLE_NAME: data.table.tableName, ROUTING_QUEUE_URL: data.routingQueue.queueUrl },
    }).fn;
    data.table.grant(scoring, 'dynamodb:PutItem');
    data.routingQueue.grantSendMessages(scoring);
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
      environment: { TABLE_NAME: data.table.tableName },
    }).fn;
    data.table.grant(routing, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    routing.addEventSource(
      new SqsEventSource(data.routingQueue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(0),
        reportBatchItemFailures: true,
      }),
    );

    const nurture = new PipelineFunction(this, 'Nurture', {
      name: 'nurture',
      config,
      timeout: CONSUMER_TIMEOUT,
      environment: { IDEMPOTENCY_TABLE_NAME: data.idempotencyTable.tableName },
    }).fn;
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
        resources: [`arn:${this.partition}:ses:${this.region}:${this.account}:identity/${sendingDomain}`],
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

    this.api = new HttpApi(this, 'Api', { description: 'leadpipe: lead capture webhooks and forms' });
    const integration = new HttpLambdaIntegration('IngestIntegration', ingest);
    for (const route of HTTP_ROUTES) {
      this.api.addRoutes({ path: route.path, methods: [route.method as HttpMethod], integration });
    }
    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
  }
}
