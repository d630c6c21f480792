import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FOOTPRINTS } from '../../functions/footprints.ts';
import { parseConfig } from '../../functions/shared/config-text.ts';
import { footprintEnvNames } from '../../functions/shared/footprint.ts';
import { HTTP_ROUTES, routeKey } from '../../functions/shared/routes.ts';
import { STREAM_WINDOW_SECONDS } from '../../functions/shared/stream-position.ts';
import { deployableConfig } from '../../infra/bundling.ts';
import { DataStack } from '../../infra/stacks/data-stack.ts';
import { PipelineStack } from '../../infra/stacks/pipeline-stack.ts';
import { grantedAccesses } from '../../local/access-guard.ts';

let data: Template;
let pipeline: Template;

beforeAll(() => {
  const config = parseConfig(readFileSync('leadpipe.config.yaml', 'utf8'));
  // Bundling is skipped here; `npm run synth` bundles for real.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const dataStack = new DataStack(app, 'data');
  const pipelineStack = new PipelineStack(app, 'pipeline', {
    data: dataStack,
    config: deployableConfig(config),
  });
  data = Template.fromStack(dataStack);
  pipeline = Template.fromStack(pipelineStack);
});

describe('the data stack', () => {
  it('has the single table with a NEW_AND_OLD_IMAGES stream, TTL and point-in-time recovery, retained', () => {
    data.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        Replicas: [
          Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
        ],
      }),
    });
  });

  it('gives every consumer queue a DLQ after 5 receives and a visibility timeout of 6 × the function timeout', () => {
    const queues = data.findResources('AWS::SQS::Queue', { Properties: { RedrivePolicy: Match.anyValue() } });
    // Intake, routing and timers.
    expect(Object.keys(queues)).toHaveLength(3);
    for (const queue of Object.values(queues)) {
      expect(queue.Properties.RedrivePolicy.maxReceiveCount).toBe(5);
      expect(queue.Properties.VisibilityTimeout).toBe(180);
    }
  });

  it('encrypts every queue and refuses plain-HTTP access to it', () => {
    data.resourcePropertiesCountIs('AWS::SQS::Queue', { SqsManagedSseEnabled: true }, 7);
    data.resourceCountIs('AWS::SQS::QueuePolicy', 7);
  });

  it('indexes timers by due day and shard, so a sweep reads a few partitions whatever the horizon', () => {
    data.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      GlobalSecondaryIndexes: Match.arrayWith([
        Match.objectLike({
          IndexName: 'due',
          KeySchema: [
            { AttributeName: 'duePk', KeyType: 'HASH' },
            { AttributeName: 'dueSk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        }),
      ]),
    });
  });

  it("indexes each rep's open tasks by due time for their agenda, and nothing else: three indexes in all", () => {
    data.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      GlobalSecondaryIndexes: [
        Match.objectLike({ IndexName: 'due' }),
        Match.objectLike({ IndexName: 'list' }),
        Match.objectLike({
          IndexName: 'agenda',
          KeySchema: [
            { AttributeName: 'agendaPk', KeyType: 'HASH' },
            { AttributeName: 'agendaSk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        }),
      ],
    });
  });

  it("indexes new leads by creation day and shard for the dashboard's list, keys only, so a lead's changes never rewrite it", () => {
    data.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      GlobalSecondaryIndexes: Match.arrayWith([
        Match.objectLike({
          IndexName: 'list',
          KeySchema: [
            { AttributeName: 'listPk', KeyType: 'HASH' },
            { AttributeName: 'listSk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        }),
      ]),
    });
  });
});

describe('the pipeline stack', () => {
  it('runs the seven functions on Node.js 22 on arm64', () => {
    pipeline.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { Runtime: 'nodejs22.x', Architectures: ['arm64'] },
      7,
    );
  });

  it('sweeps the timer index every 5 minutes, within the 15 minutes an SQS delay allows', () => {
    pipeline.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Sweeper'), 'Arn'] } })],
    });
  });

  it('sends mail through a configuration set whose bounces and complaints reach nurture', () => {
    pipeline.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint'],
        SnsDestination: { TopicARN: Match.anyValue() },
      }),
    });
    pipeline.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      Endpoint: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Nurture'), 'Arn'] },
    });
  });

  it('parks SES feedback nurture could not take in a retained, alarmed DLQ, never drops it', () => {
    pipeline.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MailFeedbackDlq'), 'Arn'] },
      },
    });
    pipeline.hasResource('AWS::SQS::Queue', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    pipeline.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('^SES bounces or complaints did not reach nurture'),
    });
  });

  it('alarms when a function cannot read a secret, from the log line every function writes', () => {
    const filters = pipeline.findResources('AWS::Logs::MetricFilter', {
      Properties: { FilterPattern: '{ $.message = "secret missing" }' },
    });
    expect(Object.keys(filters).length).toBeGreaterThanOrEqual(6);
    pipeline.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('could not read an SSM parameter'),
    });
  });

  it('takes IAM-signed requests on the ops routes, Cognito tokens on their dashboard copies, and leaves webhooks and forms to the function', () => {
    const types = { iam: 'AWS_IAM', jwt: 'JWT', none: 'NONE' } as const;
    for (const route of HTTP_ROUTES) {
      pipeline.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: routeKey(route),
        AuthorizationType: types[route.auth],
      });
    }
    expect(
      HTTP_ROUTES.filter((r) => r.auth === 'jwt').every((r) => r.path.startsWith('/dashboard/api/v1/')),
    ).toBe(true);
    pipeline.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
    });
  });

  it('keeps dashboard users in a Cognito pool with manager and rep groups, no self sign-up, and MFA', () => {
    data.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true }) },
    });
    for (const group of ['manager', 'rep'])
      data.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: group });
    pipeline.hasResourceProperties('AWS::Cognito::UserPoolClient', { GenerateSecret: false });
  });

  it('lets ops read the dashboard lead list index and its leads in batches, and no other index', () => {
    const policies = pipeline.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^Ops') }] },
    });
    const resources = JSON.stringify(Object.values(policies).map((p) => p.Properties.PolicyDocument));
    expect(resources).toContain('/index/list');
    expect(resources).not.toContain('/index/due');
    expect(resources).not.toContain('/index/*');
    expect(resources).toContain('dynamodb:BatchGetItem');
  });

  it('sweeps the Meta lead forms for lost webhooks every 15 minutes', () => {
    pipeline.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
    });
  });

  it('feeds scoring, routing and the timers from their queues with partial batch responses', () => {
    pipeline.resourcePropertiesCountIs(
      'AWS::Lambda::EventSourceMapping',
      { BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'], EventSourceArn: Match.anyValue() },
      3,
    );
  });

  it('feeds nurture from the stream with bisection, bounded retries and a failure destination', () => {
    pipeline.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 21600,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      FilterCriteria: {
        Filters: [{ Pattern: JSON.stringify({ dynamodb: { Keys: { sk: { S: ['LEAD'] } } } }) }],
      },
    });
  });

  it('names the shard in every stream batch (a tumbling window) and reads one batch per shard at a time', () => {
    // The KPIs count a shard's records by their position in it: that needs the shard id and in-order batches.
    const mappings = pipeline.findResources('AWS::Lambda::EventSourceMapping', {
      Properties: { StartingPosition: 'TRIM_HORIZON' },
    });
    const properties = Object.values(mappings).map((m) => m.Properties as Record<string, unknown>);
    expect(properties).toHaveLength(1);
    expect(properties[0]?.TumblingWindowInSeconds).toBe(STREAM_WINDOW_SECONDS);
    expect(properties[0]?.ParallelizationFactor ?? 1).toBe(1);
  });

  it('serves every route of the HTTP contract', () => {
    for (const route of HTTP_ROUTES) {
      pipeline.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: routeKey(route) });
    }
  });

  const QUEUE_TRIGGER_ACTIONS = [
    'ReceiveMessage',
    'ChangeMessageVisibility',
    'GetQueueUrl',
    'DeleteMessage',
    'GetQueueAttributes',
  ];
  const STREAM_TRIGGER_ACCESSES = [
    ...['DescribeStream', 'GetRecords', 'GetShardIterator', 'ListStreams'].map(
      (a) => `dynamodb:${a} table-stream`,
    ),
    // The stream's on-failure destination.
    ...['SendMessage', 'GetQueueAttributes', 'GetQueueUrl'].map((a) => `sqs:${a} stream-failures`),
  ];

  /** A function's grants (its own log group aside), named as its footprint names accesses. */
  function grantsOf(role: string): Set<string> {
    const policies = pipeline.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`^${role}`) }] },
    });
    const granted = new Set<string>();
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    for (const statement of statements) {
      const actions: string[] = [statement.Action].flat();
      const resources: unknown[] = [statement.Resource].flat();
      for (const action of actions) {
        if (action.startsWith('logs:')) continue;
        for (const resource of resources) {
          const text = JSON.stringify(resource);
          const index = text.match(/\/index\/([a-z*]+)/)?.[1];
          const queue = /(Intake|Routing|Timers)Queue/.exec(text)?.[1]?.toLowerCase();
          const target = index
            ? `index/${index}`
            : /Idempotency/.test(text)
              ? 'idempotency-table'
              : /Leads.*StreamArn/.test(text)
                ? 'table-stream'
                : /Leads/.test(text)
                  ? 'table'
                  : /NurtureFailures/.test(text)
                    ? 'stream-failures'
                    : (queue ??
                      (action.startsWith('ses:') ||
                      action.startsWith('ssm:') ||
                      action.startsWith('sms-voice:')
                        ? ''
                        : text));
          granted.add(target ? `${action} ${target}` : action);
        }
      }
    }
    return granted;
  }

  it('grants each function exactly what its footprint declares, and sets the environment it names', () => {
    for (const [fn, footprint] of Object.entries(FOOTPRINTS)) {
      const role = fn.charAt(0).toUpperCase() + fn.slice(1);
      const expected = grantedAccesses(footprint);
      if (footprint.secrets && footprint.secrets.length > 0) expected.add('ssm:GetParameters');
      // What Lambda's event source mappings need, under the function's role, for its triggers.
      for (const queue of footprint.triggers?.queues ?? [])
        for (const action of QUEUE_TRIGGER_ACTIONS) expected.add(`sqs:${action} ${queue}`);
      if (footprint.triggers?.tableStream) for (const access of STREAM_TRIGGER_ACCESSES) expected.add(access);
      expect([...grantsOf(role)].sort(), fn).toEqual([...expected].sort());
      const functions = pipeline.findResources('AWS::Lambda::Function', {
        Properties: { Role: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${role}`), 'Arn'] } },
      });
      const variables = Object.values(functions).flatMap((f) =>
        Object.keys(f.Properties.Environment.Variables),
      );
      for (const name of footprintEnvNames(footprint)) expect(variables, fn).toContain(name);
      for (const name of [
        'TABLE_NAME',
        'IDEMPOTENCY_TABLE_NAME',
        'INTAKE_QUEUE_URL',
        'ROUTING_QUEUE_URL',
        'TIMER_QUEUE_URL',
      ])
        if (!footprintEnvNames(footprint).includes(name)) expect(variables, fn).not.toContain(name);
    }
  });

  it('lets the ingest function read only its own secrets', () => {
    const policies = pipeline.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^Ingest') }] },
    });
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const logs = statements.find((s) => Array.isArray(s.Action) && s.Action.includes('logs:PutLogEvents'));
    expect(JSON.stringify(logs.Resource)).toMatch(/IngestLogs/);
    const ssm = statements.find((s) => s.Action === 'ssm:GetParameters');
    const resources = JSON.stringify(ssm.Resource);
    for (const name of ['facebook/app-secret', 'facebook/verify-token', 'google/key'])
      expect(resources).toContain(`parameter/leadpipe/${name}`);
    expect(resources).not.toContain('page-access-token');
  });

  it('bakes no webhook secret into the template or the bundles, only SSM parameter names', () => {
    const template = JSON.stringify(pipeline.toJSON());
    expect(template).not.toContain('local-facebook-app-secret');
    expect(template).not.toContain('local-google-key');
    const deployed = deployableConfig(parseConfig(readFileSync('leadpipe.config.yaml', 'utf8')));
    expect(deployed.sources.facebook?.appSecret).toBe('ssm:/leadpipe/facebook/app-secret');
    expect(deployed.sources.google?.key).toBe('ssm:/leadpipe/google/key');
  });
});
