import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Clients built once per Lambda container. Endpoints come from the SDK's own variables
 * (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_S3), which is how the local mode points the same handlers
 * at the embedded servers; path-style S3 addressing is needed there because the local server has no DNS.
 */
let documentClient: DynamoDBDocumentClient | undefined;
let s3Client: S3Client | undefined;

export function dynamoDocumentClient(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 8 }), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return documentClient;
}

export function s3(): S3Client {
  s3Client ??= new S3Client({ forcePathStyle: process.env.TRAILHOUND_S3_FORCE_PATH_STYLE === 'true', maxAttempts: 5 });
  return s3Client;
}

/**
 * Closes and drops the cached clients: the local mode points them at new servers between runs in one
 * process, and open keep-alive sockets would otherwise keep that process alive.
 */
export function resetClients(): void {
  documentClient?.destroy();
  s3Client?.destroy();
  documentClient = undefined;
  s3Client = undefined;
}
