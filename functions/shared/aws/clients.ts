import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The document client every adapter uses: undefined optional fields are simply not stored. The marshaller tells
 * a map from a class instance by `value.constructor.name`, so a form answer named `constructor` made a lead
 * unstorable; every value here is plain data, so any object is marshalled as a map.
 */
export function documentClient(client: DynamoDBClient = new DynamoDBClient({})): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  });
}
