/**
 * The parts of the CloudTrail record format (eventVersion 1.x) that Trailhound reads.
 * Field names and meanings follow the CloudTrail record contents and userIdentity documentation.
 */

export interface SessionIssuer {
  type?: string;
  principalId?: string;
  arn?: string;
  accountId?: string;
  userName?: string;
}

export interface SessionContext {
  sessionIssuer?: SessionIssuer;
  webIdFederationData?: { federatedProvider?: string; attributes?: Record<string, unknown> };
  attributes?: { creationDate?: string; mfaAuthenticated?: string };
  sourceIdentity?: string;
  /** Present ("1.0"/"2.0") when the credentials were delivered to an EC2 instance by its instance profile. */
  ec2RoleDelivery?: string;
}

export interface UserIdentity {
  type?: string;
  principalId?: string;
  arn?: string;
  accountId?: string;
  accessKeyId?: string;
  userName?: string;
  invokedBy?: string;
  identityProvider?: string;
  credentialId?: string;
  sessionContext?: SessionContext;
}

export interface ResourceRef {
  ARN?: string;
  accountId?: string;
  type?: string;
}

/** A record that passed validation: the fields Trailhound relies on are present and typed. */
export interface CloudTrailRecord {
  eventVersion: string;
  eventTime: string;
  eventSource: string;
  eventName: string;
  awsRegion?: string;
  sourceIPAddress?: string;
  userAgent?: string;
  userIdentity: UserIdentity;
  requestParameters?: Record<string, unknown> | null;
  responseElements?: Record<string, unknown> | null;
  errorCode?: string;
  errorMessage?: string;
  eventID?: string;
  eventType?: string;
  recipientAccountId?: string;
  sharedEventID?: string;
  resources?: ResourceRef[];
  readOnly?: boolean;
  /** e.g. `MFAUsed` of ConsoleLogin. */
  additionalEventData?: Record<string, unknown> | null;
  /** "true" when the call was made with credentials of a console session. */
  sessionCredentialFromConsole?: string;
}
