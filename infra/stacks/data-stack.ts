import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccountRecovery, CfnUserPoolGroup, Mfa, UserPool } from 'aws-cdk-lib/aws-cognito';
import { AttributeType, Billing, ProjectionType, StreamViewType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { INDEX } from '../../functions/shared/table-schema.ts';

/** Function timeouts the queues are sized for (visibility timeout = 6 × timeout, as AWS advises). */
export const CONSUMER_TIMEOUT = Duration.seconds(30);
export const MAX_RECEIVE_COUNT = 5;
/** The dashboard's roles: a manager sees everything, a rep their own leads and figures. */
export const DASHBOARD_GROUPS = ['manager', 'rep'] as const;

/**
 * Everything that holds data, apart from the code that uses it, so a pipeline change can never replace a
 * table or a queue. Every stateful resource is retained when the stack is deleted.
 */
export class DataStack extends Stack {
  readonly table: TableV2;
  readonly idempotencyTable: TableV2;
  readonly intakeQueue: Queue;
  readonly intakeDlq: Queue;
  readonly routingQueue: Queue;
  readonly routingDlq: Queue;
  readonly nurtureFailures: Queue;
  readonly timerQueue: Queue;
  readonly timerDlq: Queue;
  readonly userPool: UserPool;
  /** The host name of the dashboard's sign-in pages. */
  readonly signInDomain: string;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.table = new TableV2(this, 'Leads', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billing: Billing.onDemand(),
      dynamoStream: StreamViewType.NEW_AND_OLD_IMAGES,
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      // Timers not yet enqueued, by due day and shard: sparse, since a timer leaves it once it is enqueued.
      globalSecondaryIndexes: [
        {
          indexName: INDEX.due,
          partitionKey: { name: 'duePk', type: AttributeType.STRING },
          sortKey: { name: 'dueSk', type: AttributeType.STRING },
        },
        // The dashboard's lead list: new leads by creation day and shard (a burst never heats one partition),
        // newest first. Keys only: written once per lead, never as the lead changes; a page reads its leads.
        {
          indexName: INDEX.list,
          partitionKey: { name: 'listPk', type: AttributeType.STRING },
          sortKey: { name: 'listSk', type: AttributeType.STRING },
          projectionType: ProjectionType.KEYS_ONLY,
        },
        // Each rep's open tasks by due time: sparse (a task leaves it when done or cancelled), all attributes
        // (a task is small and the agenda shows it whole).
        {
          indexName: INDEX.agenda,
          partitionKey: { name: 'agendaPk', type: AttributeType.STRING },
          sortKey: { name: 'agendaSk', type: AttributeType.STRING },
        },
      ],
    });
    this.idempotencyTable = new TableV2(this, 'Idempotency', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      billing: Billing.onDemand(),
      timeToLiveAttribute: 'expiration',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const queue = (name: string) => {
      const dlq = new Queue(this, `${name}Dlq`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const main = new Queue(this, `${name}Queue`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        visibilityTimeout: Duration.seconds(CONSUMER_TIMEOUT.toSeconds() * 6),
        deadLetterQueue: { queue: dlq, maxReceiveCount: MAX_RECEIVE_COUNT },
        removalPolicy: RemovalPolicy.RETAIN,
      });
      return [main, dlq] as const;
    };
    [this.intakeQueue, this.intakeDlq] = queue('Intake');
    [this.routingQueue, this.routingDlq] = queue('Routing');
    [this.timerQueue, this.timerDlq] = queue('Timers');
    this.nurtureFailures = new Queue(this, 'NurtureFailures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.nurtureFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This is itself a dead-letter queue: the stream event source's on-failure destination. Nothing consumes it; people read it and replay the leads (docs/operations.md).",
    });

    // Dashboard sign-in. Users are state, so the pool lives here; admins create them (no self sign-up): a
    // manager in the `manager` group, a rep in `rep` with their rep id as username.
    this.userPool = new UserPool(this, 'DashboardUsers', {
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Threat protection needs the Plus feature plan, billed per monthly active user.
    const plusPlan =
      'The Plus feature plan (threat protection) is billed per monthly active user on top of the pool; sign-in already needs a 12-character password and a TOTP code, and nobody can sign up. Turn it on where the team size makes it worth it.';
    Validations.of(this.userPool).acknowledge(
      { id: 'AwsSolutions-COG3', reason: plusPlan },
      { id: 'AwsSolutions-COG8', reason: plusPlan },
    );
    // Cognito's managed login for the dashboard: a prefix per account (prefixes are unique per region).
    const prefix = `leadpipe-${this.account}`;
    this.userPool.addDomain('DashboardSignIn', { cognitoDomain: { domainPrefix: prefix } });
    this.signInDomain = `${prefix}.auth.${this.region}.amazoncognito.com`;
    for (const group of DASHBOARD_GROUPS)
      new CfnUserPoolGroup(this, `Group${group}`, { userPoolId: this.userPool.userPoolId, groupName: group });
  }
}
