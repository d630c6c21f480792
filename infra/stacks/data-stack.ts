import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AttributeType, Billing, StreamViewType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DUE_INDEX } from '../../functions/shared/aws/dynamo-timer-store.ts';

/** Function timeouts the queues are sized for (visibility timeout = 6 × timeout, as AWS advises). */
export const CONSUMER_TIMEOUT = Duration.seconds(30);
export const MAX_RECEIVE_COUNT = 5;

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
          indexName: DUE_INDEX,
          partitionKey: { name: 'duePk', type: AttributeType.STRING },
          sortKey: { name: 'dueSk', type: AttributeType.STRING },
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
  }
}
