/**
 * The shapes of what the generator writes: CloudTrail records as documented in the CloudTrail user guide
 * ("CloudTrail record contents" and "CloudTrail userIdentity element"). Objects are always built with
 * their keys in the order CloudTrail writes them, because the output is meant to be byte-realistic.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface SessionIssuer {
  type: 'Role' | 'IAMUser' | 'Root';
  principalId: string;
  arn: string;
  accountId: string;
  userName: string;
}

export interface WebIdFederationData {
  federatedProvider?: string;
  attributes?: JsonObject;
}

export interface SessionContext {
  /** `{}` for sessions not issued by a role or a user (console and MFA sessions of IAM users, root). */
  sessionIssuer: SessionIssuer | Record<string, never>;
  webIdFederationData: WebIdFederationData;
  attributes: { creationDate: string; mfaAuthenticated: 'true' | 'false' };
  sourceIdentity?: string;
  /** "2.0" when the credentials came from the instance metadata service (IMDSv2) of an EC2 instance. */
  ec2RoleDelivery?: '1.0' | '2.0';
}

export type UserIdentityType =
  | 'Root'
  | 'IAMUser'
  | 'AssumedRole'
  | 'FederatedUser'
  | 'AWSAccount'
  | 'AWSService'
  | 'SAMLUser'
  | 'WebIdentityUser';

export interface UserIdentity {
  type?: UserIdentityType;
  principalId?: string;
  arn?: string;
  accountId?: string;
  accessKeyId?: string;
  userName?: string;
  sessionContext?: SessionContext;
  invokedBy?: string;
  identityProvider?: string;
}

export interface ResourceRef {
  accountId?: string;
  type: string;
  ARN: string;
}

export interface TlsDetails {
  tlsVersion: string;
  cipherSuite: string;
  clientProvidedHostHeader: string;
}

export type EventType = 'AwsApiCall' | 'AwsServiceEvent' | 'AwsConsoleSignIn';

export interface CloudTrailEvent {
  eventVersion: string;
  userIdentity: UserIdentity;
  eventTime: string;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  userAgent: string;
  errorCode?: string;
  errorMessage?: string;
  requestParameters: JsonObject | null;
  responseElements: JsonObject | null;
  additionalEventData?: JsonObject;
  requestID?: string;
  eventID: string;
  readOnly: boolean;
  resources?: ResourceRef[];
  eventType: EventType;
  apiVersion?: string;
  managementEvent: boolean;
  recipientAccountId: string;
  sharedEventID?: string;
  serviceEventDetails?: JsonObject;
  eventCategory: 'Management' | 'Data';
  tlsDetails?: TlsDetails;
  sessionCredentialFromConsole?: 'true';
}

/** A gzipped object as CloudTrail would put it in the bucket. */
export interface GeneratedObject {
  key: string;
  body: Buffer;
}
