import { join } from 'node:path';
import { type Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { type ICommandHooks, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type CfnLogGroup, LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FOOTPRINTS, type FunctionName } from '../../functions/footprints.ts';
import type { Config } from '../../functions/shared/config.ts';
import { BUNDLE, configDefine, writeBesideBundle } from '../bundling.ts';
import { applyFootprint, type FootprintTargets } from './footprint-grants.ts';

export type PipelineFunctionProps = {
  /** Folder under functions/ whose lambda.ts is the entry point and whose footprint.ts says what it may touch. */
  name: FunctionName;
  config: Config;
  /** The deployed resources its footprint names: its environment and IAM grants come from them. */
  targets: FootprintTargets;
  timeout: Duration;
  memorySize?: number;
  /** Settings beyond the footprint's resource names. */
  environment?: Record<string, string>;
  /** Files written beside the bundle, read by the function when it needs them (ops: the built dashboard). */
  files?: Record<string, string>;
};

const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * One place for every function's defaults: Node.js 22 on arm64, an ESM bundle (SDK included, minified, its
 * source map beside it, no `--enable-source-maps`), a log group with retention, Powertools settings, the validated config baked in, and the
 * environment and IAM grants its footprint declares.
 */
export class PipelineFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.logGroup = logGroup;
    // Its own role instead of AWSLambdaBasicExecutionRole (which may write to every log group): its log group only.
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `leadpipe ${props.name} function`,
    });
    role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`${logGroup.logGroupArn.replace(/:\*$/, '')}:log-stream:*`],
      }),
    );
    const stack = Stack.of(this);
    const logGroupId = stack.resolve(stack.getLogicalId(logGroup.node.defaultChild as CfnLogGroup));
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logGroupId}.Arn>:log-stream:*]`,
      reason:
        "Lambda names a log stream per execution environment at run time; the grant is to this function's own log group only.",
    });
    this.fn = new NodejsFunction(this, 'Function', {
      role,
      entry: `${ROOT}functions/${props.name}/lambda.ts`,
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout,
      logGroup,
      projectRoot: ROOT,
      depsLockFilePath: `${ROOT}package-lock.json`,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.name,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: BUNDLE.target,
        minify: true,
        // The map ships beside the bundle for stack traces (functions/shared/stack-traces.ts), without the
        // sources: file, line and column are what a trace needs, and the asset stays small.
        sourceMap: true,
        sourcesContent: false,
        mainFields: [...BUNDLE.mainFields],
        externalModules: [],
        banner: BUNDLE.banner,
        define: configDefine(props.config),
        esbuildArgs: aliasArgs(),
        forceDockerBundling: false,
        ...(props.files ? { commandHooks: copyBeside(props.files) } : {}),
      },
    });
    applyFootprint(this.fn, FOOTPRINTS[props.name], props.targets);
    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x (LTS): the bundles target Node 20+ and the whole suite runs on it; a runtime change is a tested change, not an automatic one.',
    });
  }
}

/** The bundle's esbuild aliases as NodejsFunction passes CLI arguments. */
function aliasArgs(): Record<string, string> {
  return Object.fromEntries(Object.entries(BUNDLE.alias).map(([from, to]) => [`--alias:${from}`, to]));
}

/** Copies files written at synth into the asset beside the bundle. */
function copyBeside(files: Record<string, string>): ICommandHooks {
  const dir = writeBesideBundle(files);
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_input: string, output: string) =>
      Object.keys(files).map((name) => `cp "${join(dir, name)}" "${join(output, name)}"`),
  };
}
