import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/shared/config-text.ts';
import { deployableConfig } from '../../infra/bundling.ts';
import { DataStack } from '../../infra/stacks/data-stack.ts';
import { PipelineStack } from '../../infra/stacks/pipeline-stack.ts';

const config = deployableConfig(parseConfig(readFileSync('leadpipe.config.yaml', 'utf8')));

/** Both stacks (bundling skipped) with cdk-nag's AWS Solutions checks, synthesised to a fresh directory. */
function synthWithNag() {
  const outdir = mkdtempSync(join(tmpdir(), 'leadpipe-nag-'));
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }));
  const data = new DataStack(app, 'data');
  const pipeline = new PipelineStack(app, 'pipeline', { data, config });
  let failure: string | undefined;
  try {
    app.synth();
  } catch (error) {
    failure = (error as Error).message;
  }
  return { outdir, failure, data: Template.fromStack(data), pipeline: Template.fromStack(pipeline) };
}

let synth: ReturnType<typeof synthWithNag>;

beforeAll(() => {
  synth = synthWithNag();
});

describe('cdk-nag (AWS Solutions)', () => {
  it('finds nothing unacknowledged in either stack', () => {
    let violations: string[] = [];
    if (synth.failure) {
      const report = JSON.parse(readFileSync(join(synth.outdir, 'validation-report.json'), 'utf8')) as {
        pluginReports: {
          violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[];
        }[];
      };
      violations = report.pluginReports.flatMap((r) =>
        r.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} at ${c.constructPath}`)),
      );
    }
    expect(violations).toEqual([]);
    expect(synth.failure).toBeUndefined();
  });

  it('gives every acknowledgement a specific reason', () => {
    const reasons: { id: string; reason: string }[] = [];
    for (const template of [synth.data, synth.pipeline])
      for (const resource of Object.values(
        template.toJSON().Resources as Record<
          string,
          { Metadata?: Record<string, { rules_to_suppress?: { id: string; reason: string }[] }> }
        >,
      ))
        reasons.push(...(resource.Metadata?.cdk_nag?.rules_to_suppress ?? []));
    expect(reasons.length).toBeGreaterThan(0);
    for (const { id, reason } of reasons) {
      expect(reason.length, id).toBeGreaterThan(60);
    }
    // The acknowledged rules, and nothing broader: no blanket IAM5, no stack-wide acknowledgement.
    expect(new Set(reasons.map((r) => r.id.replace(/\[.*$/, '')))).toEqual(
      new Set([
        'AwsSolutions-SQS3',
        'AwsSolutions-L1',
        'AwsSolutions-IAM5',
        'AwsSolutions-APIG4',
        // The dashboard's user pool without the Plus feature plan (a per-user cost), with MFA required instead.
        'AwsSolutions-COG3',
        'AwsSolutions-COG8',
      ]),
    );
    expect(reasons.filter((r) => r.id === 'AwsSolutions-IAM5')).toEqual([]);
  });
});

describe('the stateful stack', () => {
  it('keeps the logical ids of its tables, queues and user pool (a change would replace them and lose data)', () => {
    const kept = ['AWS::DynamoDB::GlobalTable', 'AWS::SQS::Queue', 'AWS::Cognito::UserPool'];
    const stateful = Object.entries(synth.data.toJSON().Resources as Record<string, { Type: string }>)
      .filter(([, r]) => kept.includes(r.Type))
      .map(([id]) => id)
      .sort();
    expect(stateful).toEqual([
      'DashboardUsersA3A66B09',
      'IdempotencyC15CBC33',
      'IntakeDlq92EC1824',
      'IntakeQueue4D8B07A5',
      'Leads391D8FFF',
      'NurtureFailures8D494368',
      'RoutingDlq63FB4454',
      'RoutingQueueB42B88AA',
      'TimersDlqCA58F704',
      'TimersQueue17DACF58',
    ]);
  });

  it('retains every table and queue when the stack is deleted', () => {
    for (const type of ['AWS::DynamoDB::GlobalTable', 'AWS::SQS::Queue']) {
      const resources = Object.values(synth.data.findResources(type));
      expect(
        resources.every((r) => r.DeletionPolicy === 'Retain' && r.UpdateReplacePolicy === 'Retain'),
      ).toBe(true);
    }
  });
});

describe('the pipeline stack', () => {
  it('throttles the HTTP API and writes access logs without bodies or query strings', () => {
    synth.pipeline.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 }),
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('routeKey') },
    });
    const [stage] = Object.values(synth.pipeline.findResources('AWS::ApiGatewayV2::Stage'));
    expect(stage?.Properties.AccessLogSettings.Format).not.toMatch(/querystring|requestBody|\$request\./i);
  });

  it('gives functions their own roles: no AWS managed policy, logs only to their own log group', () => {
    const roles = Object.values(
      synth.pipeline.findResources('AWS::IAM::Role', {
        Properties: {
          AssumeRolePolicyDocument: Match.objectLike({
            Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
          }),
        },
      }),
    );
    expect(roles.length).toBeGreaterThanOrEqual(7);
    for (const role of roles) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('lets only the sweeper read the due index, and no function every index', () => {
    const template = JSON.stringify(synth.pipeline.toJSON());
    expect(template).not.toContain('/index/*');
    const policies = synth.pipeline.findResources('AWS::IAM::Policy');
    const withIndex = Object.entries(policies)
      .filter(([, p]) => JSON.stringify(p).includes('/index/due'))
      .map(([id]) => id);
    expect(withIndex).toHaveLength(1);
    expect(withIndex[0]).toMatch(/^Sweeper/);
  });

  it('alarms on DLQs, stuck queues, stream lag, function errors and throttles, API 5xx and the SLA breach rate', () => {
    const alarms = Object.values(synth.pipeline.findResources('AWS::CloudWatch::Alarm'));
    const descriptions = alarms.map((a) => String(a.Properties.AlarmDescription));
    for (const queue of ['Intake', 'Routing', 'Timers'])
      expect(descriptions.filter((d) => d.startsWith(`Messages in the ${queue} DLQ`))).toHaveLength(1);
    synth.pipeline.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Threshold: 60_000,
    });
    synth.pipeline.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 300,
    });
    for (const metric of ['Errors', 'Throttles'])
      expect(alarms.filter((a) => a.Properties.MetricName === metric)).toHaveLength(7);
    synth.pipeline.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({ Expression: Match.stringLikeRegexp('breached') })]),
      Threshold: 20,
    });
    // Every alarm notifies the alarm topic, when it fires and when it clears.
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toHaveLength(1);
      expect(alarm.Properties.OKActions).toHaveLength(1);
    }
    synth.pipeline.resourceCountIs('AWS::SNS::Topic', 2);
  });

  it('turns the first-contact log line into SLA and speed-to-lead metrics, on a dashboard', () => {
    synth.pipeline.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.message = "first contact" && $.sla = "breached" }',
      MetricTransformations: [
        Match.objectLike({ MetricName: 'FirstContactSlaBreached', MetricNamespace: 'leadpipe' }),
      ],
    });
    synth.pipeline.hasResourceProperties('AWS::Logs::MetricFilter', {
      MetricTransformations: [
        Match.objectLike({ MetricName: 'FirstContactBusinessMinutes', MetricValue: '$.businessMinutes' }),
      ],
    });
    const [dashboard] = Object.values(synth.pipeline.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    for (const title of [
      'First contact, business minutes',
      'SLA breach rate',
      'Queue depth',
      'Function errors',
    ])
      expect(body).toContain(title);
  });

  it('encrypts the mail feedback topic (it names recipients) with a rotated key SES may use', () => {
    synth.pipeline.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    synth.pipeline.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });
});
