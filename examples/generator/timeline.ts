import { type AccountEnv, type ApiCall, apiRecord, type Caller, READ_APIS, type ReadApiName } from './apis';
import type { Prng } from './prng';
import { buildRecord } from './record';
import type { Session, StsResult } from './sts';
import { SECOND } from './time';
import type { CloudTrailEvent, JsonObject } from './types';

/**
 * Collects the records of a scenario as its actors act, and the sessions they obtain, so that later
 * activity can be signed with credentials that were really issued.
 */
export class Timeline {
  readonly records: CloudTrailEvent[] = [];
  readonly sessions: Session[] = [];

  constructor(private readonly envs: readonly AccountEnv[]) {}

  /** Records a session-creating STS call and returns the session it created. */
  sts(result: StsResult): Session {
    this.records.push(...result.records);
    this.sessions.push(result.session);
    return result.session;
  }

  /** A session whose creating event is deliberately not in the data (console sessions, earlier sessions). */
  sessionWithoutCreation(session: Session & { missingCreationReason: string }): Session {
    this.sessions.push(session);
    return session;
  }

  push(...records: CloudTrailEvent[]): void {
    this.records.push(...records);
  }

  call(prng: Prng, time: number, region: string, caller: Caller, call: ApiCall, error?: { code: string; message: string }): CloudTrailEvent {
    const record = apiRecord(prng, time, region, caller, call, error);
    this.records.push(record);
    // Secrets Manager decrypts the secret with KMS on the caller's behalf: CloudTrail records that Decrypt
    // too, with the caller's identity, invokedBy Secrets Manager and the service as source address.
    if (!error && call.eventName === 'GetSecretValue') this.records.push(secretDecrypt(prng, time, region, caller, call, this.kmsKey(caller.accountId, region)));
    return record;
  }

  /** The account's KMS key in the region (secrets are encrypted with it). */
  private kmsKey(accountId: string, region: string): string {
    const keys = this.envs.find((env) => env.accountId === accountId)?.kmsKeys ?? [];
    const key = keys.find((k) => k.region === region) ?? keys[0];
    if (!key) throw new Error(`no KMS key for account ${accountId}`);
    return key.arn;
  }
}

function secretDecrypt(prng: Prng, time: number, region: string, caller: Caller, call: ApiCall, kmsKey: string): CloudTrailEvent {
  const secretId = String((call.requestParameters as JsonObject).secretId);
  return buildRecord(prng, {
    time,
    region,
    recipientAccountId: caller.accountId,
    identity: { ...caller.identity, invokedBy: 'secretsmanager.amazonaws.com' },
    sourceIPAddress: 'secretsmanager.amazonaws.com',
    userAgent: 'secretsmanager.amazonaws.com',
    eventSource: 'kms.amazonaws.com',
    eventName: 'Decrypt',
    readOnly: true,
    requestParameters: {
      encryptionContext: { SecretARN: secretId, SecretVersionId: prng.uuid() },
      encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    },
    responseElements: null,
    resources: [{ accountId: caller.accountId, type: 'AWS::KMS::Key', ARN: kmsKey }],
  });
}

/** The caller for records signed with a session's credentials. */
export function sessionCaller(
  session: Session,
  sourceIPAddress: string,
  userAgent: string | ((eventSource: string) => string),
  extra: { fromConsole?: boolean; tls12?: boolean } = {},
): Caller {
  if (typeof userAgent === 'function') {
    return { identity: session.identity, accountId: session.accountId, sourceIPAddress, userAgent: userAgent('sts.amazonaws.com'), userAgentFor: userAgent, ...extra };
  }
  return { identity: session.identity, accountId: session.accountId, sourceIPAddress, userAgent, ...extra };
}

/** A clock for scripted sequences: each call advances it by `seconds` and returns the new time. */
export function clock(start: number): (seconds: number) => number {
  let time = start;
  return (seconds) => (time += seconds * SECOND);
}

export interface BurstOptions {
  start: number;
  count: number;
  /** Seconds between consecutive calls. */
  gap: readonly [number, number];
  caller: Caller;
  env: AccountEnv;
  regions: readonly (readonly [string, number])[];
  apis: readonly (readonly [ReadApiName, number])[];
  /** No call after this time (the credentials' expiration). */
  until?: number;
}

/** A run of read-only calls, as a person browsing or a tool polling makes them. Returns the last call's time. */
export function burst(prng: Prng, timeline: Timeline, options: BurstOptions): number {
  let time = options.start;
  for (let i = 0; i < options.count; i++) {
    time += prng.int(options.gap[0], options.gap[1]) * SECOND;
    if (options.until !== undefined && time >= options.until) break;
    const region = prng.weighted(options.regions);
    const api = READ_APIS[prng.weighted(options.apis)];
    timeline.call(prng, time, region, options.caller, api({ prng, env: options.env, region }));
  }
  return time;
}
