/**
 * AWS list prices used to turn measured requests into dollars: us-east-1, on-demand, no free tier, as
 * collected on the date below. Prices change: re-check the pricing pages before quoting these figures.
 */
export const PRICES = {
  collected: '2026-11-23',
  region: 'us-east-1',
  httpApiPerMillionRequests: 1.0,
  lambdaPerMillionRequests: 0.2,
  /** arm64. */
  lambdaPerGbSecond: 0.0000133334,
  sqsPerMillionRequests: 0.4,
  /** On-demand, after the November 2024 price cut. */
  dynamoPerMillionWriteUnits: 0.625,
  dynamoPerMillionReadUnits: 0.125,
  sesPerThousandEmails: 0.1,
  sources: {
    httpApi: 'https://aws.amazon.com/api-gateway/pricing/ ($1.00 per million for the first 300 million)',
    lambda:
      'https://aws.amazon.com/lambda/pricing/ ($0.20 per million requests; arm64 $0.0000133334 per GB-s)',
    sqs: 'https://aws.amazon.com/sqs/pricing/ (standard queue, $0.40 per million requests; a batch of up to 10 is one request)',
    dynamodb:
      'https://aws.amazon.com/dynamodb/pricing/on-demand/ ($0.625 per million write units, $0.125 per million read units; Streams reads by Lambda are free)',
    ses: 'https://aws.amazon.com/ses/pricing/ ($0.10 per 1,000 emails)',
  },
} as const;
