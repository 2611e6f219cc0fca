import { s3RequestId } from './ids';
import type { Prng } from './prng';
import { isoSeconds } from './time';
import type { CloudTrailEvent, EventType, JsonObject, ResourceRef, TlsDetails, UserIdentity } from './types';

/**
 * Builds one CloudTrail record with its fields in the order CloudTrail writes them.
 *
 * Different services currently emit different minor versions of the record format (minor versions only
 * add fields), so the version depends on the event source, as in real trails.
 */
const EVENT_VERSION_BY_SOURCE: Record<string, string> = {
  'sts.amazonaws.com': '1.08',
  'iam.amazonaws.com': '1.08',
  'signin.amazonaws.com': '1.08',
  'kms.amazonaws.com': '1.08',
  's3.amazonaws.com': '1.09',
  'cloudtrail.amazonaws.com': '1.09',
  'organizations.amazonaws.com': '1.09',
  'ce.amazonaws.com': '1.09',
  'ecr.amazonaws.com': '1.09',
};
const DEFAULT_EVENT_VERSION = '1.11';

/** Services whose API is served from one global endpoint whose calls CloudTrail records in us-east-1. */
const GLOBAL_HOSTS: Record<string, string> = {
  'iam.amazonaws.com': 'iam.amazonaws.com',
  'organizations.amazonaws.com': 'organizations.us-east-1.amazonaws.com',
  'ce.amazonaws.com': 'ce.us-east-1.amazonaws.com',
};

export interface CallSpec {
  time: number;
  region: string;
  recipientAccountId: string;
  identity: UserIdentity;
  sourceIPAddress: string;
  userAgent: string;
  eventSource: string;
  eventName: string;
  readOnly: boolean;
  requestParameters: JsonObject | null;
  responseElements: JsonObject | null;
  additionalEventData?: JsonObject;
  error?: { code: string; message: string };
  resources?: ResourceRef[];
  eventType?: EventType;
  /** S3 object-level calls are data events; everything else here is a management event. */
  eventCategory?: 'Management' | 'Data';
  apiVersion?: string;
  sharedEventID?: string;
  /** Both copies of a cross-account call share the request id; pass it to reuse it. */
  requestID?: string | null;
  serviceEventDetails?: JsonObject;
  /** Set for API calls the AWS Management Console made with the user's console session. */
  fromConsole?: boolean;
  /** Host header the client sent; defaults to the service's endpoint in the region. */
  host?: string;
  /** TLS 1.2 clients show a different cipher suite; most SDKs negotiate TLS 1.3 today. */
  tls12?: boolean;
}

function isIpAddress(value: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(value) || value.includes(':');
}

function defaultHost(eventSource: string, region: string): string {
  const global = GLOBAL_HOSTS[eventSource];
  if (global) return global;
  const service = eventSource.replace(/\.amazonaws\.com$/, '');
  if (service === 'signin') return 'signin.aws.amazon.com';
  if (service === 's3') return region === 'us-east-1' ? 's3.amazonaws.com' : `s3.${region}.amazonaws.com`;
  return `${service}.${region}.amazonaws.com`;
}

export function tlsDetails(spec: Pick<CallSpec, 'eventSource' | 'region' | 'host' | 'tls12'>): TlsDetails {
  return {
    tlsVersion: spec.tls12 ? 'TLSv1.2' : 'TLSv1.3',
    cipherSuite: spec.tls12 ? 'ECDHE-RSA-AES128-GCM-SHA256' : 'TLS_AES_128_GCM_SHA256',
    clientProvidedHostHeader: spec.host ?? defaultHost(spec.eventSource, spec.region),
  };
}

export function newRequestId(prng: Prng, eventSource: string): string {
  return eventSource === 's3.amazonaws.com' ? s3RequestId(prng) : prng.uuid();
}

export function buildRecord(prng: Prng, spec: CallSpec): CloudTrailEvent {
  const eventType = spec.eventType ?? 'AwsApiCall';
  const category = spec.eventCategory ?? 'Management';
  // Keys are inserted in CloudTrail's order; optional ones only when they apply.
  const ordered: Record<string, unknown> = {
    eventVersion: EVENT_VERSION_BY_SOURCE[spec.eventSource] ?? DEFAULT_EVENT_VERSION,
    userIdentity: spec.identity,
    eventTime: isoSeconds(spec.time),
    eventSource: spec.eventSource,
    eventName: spec.eventName,
    // Calls to a global endpoint are recorded in us-east-1 whatever region the client is configured for.
    awsRegion: GLOBAL_HOSTS[spec.eventSource] ? 'us-east-1' : spec.region,
    sourceIPAddress: spec.sourceIPAddress,
    userAgent: spec.userAgent,
  };
  if (spec.error) {
    ordered.errorCode = spec.error.code;
    ordered.errorMessage = spec.error.message;
  }
  ordered.requestParameters = spec.requestParameters;
  ordered.responseElements = spec.responseElements;
  if (spec.additionalEventData) ordered.additionalEventData = spec.additionalEventData;
  // Only API calls carry the service's request id; service events and console sign-ins have none.
  if (eventType === 'AwsApiCall') ordered.requestID = spec.requestID ?? newRequestId(prng, spec.eventSource);
  ordered.eventID = prng.uuid();
  ordered.readOnly = spec.readOnly;
  if (spec.resources && spec.resources.length > 0) ordered.resources = spec.resources;
  ordered.eventType = eventType;
  if (spec.apiVersion) ordered.apiVersion = spec.apiVersion;
  ordered.managementEvent = category === 'Management';
  ordered.recipientAccountId = spec.recipientAccountId;
  if (spec.sharedEventID) ordered.sharedEventID = spec.sharedEventID;
  if (spec.serviceEventDetails) ordered.serviceEventDetails = spec.serviceEventDetails;
  ordered.eventCategory = category;
  // Calls AWS services make internally (sourceIPAddress is a service name) carry no client TLS details.
  if (isIpAddress(spec.sourceIPAddress)) ordered.tlsDetails = tlsDetails(spec);
  if (spec.fromConsole) ordered.sessionCredentialFromConsole = 'true';
  return ordered as unknown as CloudTrailEvent;
}
