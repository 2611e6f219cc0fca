import { actorPrincipal } from '../../lambdas/core/cloudtrail/principal';
import { sessionObservedIn } from '../../lambdas/core/cloudtrail/sessions';
import type { CloudTrailRecord } from '../../lambdas/core/cloudtrail/types';
import { isIpAddress } from '../../lambdas/core/analysis';
import { isTemporaryKey, looksLikeIp, rawRecords, type RawRecord } from './raw-corpus';

/** Who the real corpus's records are attributed to, and what kind of session their credentials are. */
const records = rawRecords();
const asRecord = (r: RawRecord) => r as unknown as CloudTrailRecord;

describe('labels on the real corpus', () => {
  const serviceEvents = records.filter((r) => r.eventType === 'AwsServiceEvent');

  it('has AWS service events to label (with and without userIdentity.type)', () => {
    expect(serviceEvents.length).toBeGreaterThan(0);
    expect(serviceEvents.some((r) => r.userIdentity.type === undefined)).toBe(true);
  });

  it('shows an AWS service event as the AWS service, never unknown', () => {
    for (const record of serviceEvents) {
      const principal = actorPrincipal(asRecord(record));
      expect(principal.type).toBe('aws-service');
      expect(principal.name).toBe(record.userIdentity.invokedBy ?? record.eventSource);
    }
  });

  it('labels a user\'s temporary credentials as forward-access (a service acting for it) or console, not session-token', () => {
    const userSessionCalls = records.filter((r) => r.userIdentity.type === 'IAMUser' && isTemporaryKey(r.userIdentity.accessKeyId));
    const forward = userSessionCalls.filter((r) => r.userIdentity.invokedBy);
    const console = userSessionCalls.filter((r) => !r.userIdentity.invokedBy && r.sessionCredentialFromConsole === 'true');
    expect(forward.length).toBeGreaterThan(0);
    expect(console.length).toBeGreaterThan(0);
    for (const r of forward) expect(sessionObservedIn(asRecord(r))?.kind).toBe('forward-access');
    for (const r of console) expect(sessionObservedIn(asRecord(r))?.kind).toBe('console');
  });

  it('agrees with an independent address test on every source in the corpus', () => {
    const sources = new Set(records.map((r) => r.sourceIPAddress));
    expect([...sources].some((s) => !looksLikeIp(s))).toBe(true);
    for (const source of sources) expect(isIpAddress(source)).toBe(looksLikeIp(source));
  });
});
