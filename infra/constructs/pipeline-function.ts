import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Config } from '../../functions/shared/config.ts';
import { BUNDLE, configDefine } from '../bundling.ts';

export type PipelineFunctionProps = {
  /** Folder under functions/ whose lambda.ts is the entry point. */
  name: 'ingest' | 'scoring' | 'routing' | 'nurture' | 'reconcile' | 'sweeper' | 'ops';
  config: Config;
  timeout: Duration;
  memorySize?: number;
  environment?: Record<string, string>;
};

const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * One place for every function's defaults: Node.js 22 on arm64, an ESM bundle (SDK included, minified, with
 * source maps), a log group with retention, Powertools settings, and the validated config baked in.
 */
export class PipelineFunction extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.fn = new NodejsFunction(this, 'Function', {
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
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: BUNDLE.target,
        minify: true,
        sourceMap: true,
        mainFields: [...BUNDLE.mainFields],
        externalModules: [],
        banner: BUNDLE.banner,
        define: configDefine(props.config),
        forceDockerBundling: false,
      },
    });
  }
}
