import { createHmac } from 'node:crypto';
import { ApiError } from '../../lambdas/core/investigation/errors';
import { indicatorSortKey, isIndicatorKeyFor, keyIndicators } from '../../lambdas/core/investigation/indicators';
import { cursorOf, filterExpression, isIndexKey, isPositionFor, isSortCursor, pageAfter, sortInvestigations } from '../../lambdas/core/investigation/listing';
import type { Investigation, Severity, Status } from '../../lambdas/core/investigation/model';
import { decodeNextToken, encodeNextToken, requestFingerprint, TOKEN_TTL_MS } from '../../lambdas/core/investigation/pagination';
import type { InvestigationSort } from '../../lambdas/core/investigation/requests';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const KEY = Buffer.alloc(32, 7);
const key = { investigationId: '177000000000012345678', listKey: 'INVESTIGATION', createdTime: '2026-03-01T11:00:00.000Z' };
const fingerprint = requestFingerprint({ operation: 'ListInvestigations', filter: { severity: 'HIGH' } });

function validationMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).type).toBe('ValidationException');
    return (error as ApiError).message;
  }
  throw new Error('expected a ValidationException');
}

/** A payload signed with the test key, as the codec signs: for envelopes the codec itself would never write. */
function signed(payload: string): string {
  return `${payload}.${createHmac('sha256', KEY).update(payload).digest('base64url')}`;
}

describe('NextToken codec', () => {
  it('refuses a re-encoded token whose expiry was moved to the year 3000', () => {
    const token = encodeNextToken(key, fingerprint, NOW, KEY);
    const [payload, mac] = token.split('.');
    const envelope = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { e: number };
    envelope.e = Date.parse('3000-01-01T00:00:00Z') / 1000;
    const forged = `${Buffer.from(JSON.stringify(envelope)).toString('base64url')}.${mac}`;
    expect(validationMessage(() => decodeNextToken(forged, fingerprint, NOW + 2 * TOKEN_TTL_MS, KEY, isIndexKey))).toBe('The NextToken is invalid.');
    // The same edit signed with the key is accepted: what is refused is the missing signature, nothing else.
    expect(decodeNextToken(signed(forged.split('.')[0]), fingerprint, NOW + 2 * TOKEN_TTL_MS, KEY, isIndexKey)).toEqual(key);
  });

  it('round-trips a position as an opaque URL-safe string', () => {
    const token = encodeNextToken(key, fingerprint, NOW, KEY);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(decodeNextToken(token, fingerprint, NOW + 1000, KEY, isIndexKey)).toEqual(key);
  });

  it('binds a token to the other parameters, whatever their member order', () => {
    expect(requestFingerprint({ a: 1, b: { c: 2, d: 3 } })).toBe(requestFingerprint({ b: { d: 3, c: 2 }, a: 1, e: undefined }));
    const token = encodeNextToken(key, fingerprint, NOW, KEY);
    const other = requestFingerprint({ operation: 'ListInvestigations', filter: { severity: 'LOW' } });
    expect(validationMessage(() => decodeNextToken(token, other, NOW, KEY, isIndexKey))).toContain('keep all other arguments unchanged');
  });

  it('expires after 24 hours', () => {
    const token = encodeNextToken(key, fingerprint, NOW, KEY);
    expect(decodeNextToken(token, fingerprint, NOW + TOKEN_TTL_MS - 1000, KEY, isIndexKey)).toEqual(key);
    expect(validationMessage(() => decodeNextToken(token, fingerprint, NOW + TOKEN_TTL_MS + 1000, KEY, isIndexKey))).toContain('expired');
  });

  it.each([
    ['garbage', 'not a token!'],
    ['base64 of non-JSON', signed(Buffer.from('hello').toString('base64url'))],
    ['JSON without the envelope', signed(Buffer.from(JSON.stringify({ k: key })).toString('base64url'))],
    ['another version', signed(Buffer.from(JSON.stringify({ v: 1, f: fingerprint, e: NOW / 1000 + 60, k: key })).toString('base64url'))],
    ['an unsigned token', Buffer.from(JSON.stringify({ v: 2, f: fingerprint, e: NOW / 1000 + 60, k: key })).toString('base64url')],
    ['a token signed with another key', encodeNextToken(key, fingerprint, NOW, Buffer.alloc(32, 8))],
    ['a token with a truncated signature', encodeNextToken(key, fingerprint, NOW, KEY).slice(0, -1)],
    ['a key with an extra attribute', encodeNextToken({ ...key, admin: 'true' }, fingerprint, NOW, KEY)],
    ['a key of another partition', encodeNextToken({ ...key, listKey: 'OTHER' }, fingerprint, NOW, KEY)],
    ['a key with a bad id', encodeNextToken({ ...key, investigationId: '1' }, fingerprint, NOW, KEY)],
    ['a key of the wrong types', encodeNextToken({ ...key, createdTime: 5 }, fingerprint, NOW, KEY)],
    ['an oversized token', 'A'.repeat(3000)],
  ])('rejects %s as invalid', (_label, token) => {
    expect(validationMessage(() => decodeNextToken(token, fingerprint, NOW, KEY, isIndexKey))).toBe('The NextToken is invalid.');
  });
});

describe('indicator keys', () => {
  it('numbers indicators within their type, deterministically', () => {
    const keys = keyIndicators([
      { IndicatorType: 'TTP_OBSERVED', IndicatorDetail: {} },
      { IndicatorType: 'NEW_ASO', IndicatorDetail: {} },
      { IndicatorType: 'TTP_OBSERVED', IndicatorDetail: {} },
    ]).map((k) => k.sk);
    expect(keys).toEqual(['TTP_OBSERVED#000000', 'NEW_ASO#000000', 'TTP_OBSERVED#000001']);
    expect(indicatorSortKey('NEW_ASO', 42)).toBe('NEW_ASO#000042');
    expect(() => indicatorSortKey('NEW_ASO', -1)).toThrow();
  });

  it('accepts resume keys only for the same investigation and type range', () => {
    const guard = isIndicatorKeyFor('123456789012345678901', 'TTP_OBSERVED');
    expect(guard({ investigationId: '123456789012345678901', sk: 'TTP_OBSERVED#000003' })).toBe(true);
    expect(guard({ investigationId: '123456789012345678902', sk: 'TTP_OBSERVED#000003' })).toBe(false);
    expect(guard({ investigationId: '123456789012345678901', sk: 'NEW_ASO#000003' })).toBe(false);
    expect(guard({ investigationId: '123456789012345678901', sk: 'TTP_OBSERVED#3' })).toBe(false);
    expect(isIndicatorKeyFor('123456789012345678901', undefined)({ investigationId: '123456789012345678901', sk: 'NEW_ASO#000003' })).toBe(true);
    expect(isIndicatorKeyFor('123456789012345678901', undefined)({ investigationId: '123456789012345678901', sk: 'BOGUS#000003' })).toBe(false);
  });
});

describe('listing order and cursors', () => {
  let n = 0;
  const investigation = (severity: Severity, status: Status, createdTime: string): Investigation => ({
    investigationId: `17700000000000000000${n++}`,
    entityArn: 'arn:aws:iam::111122223333:role/Admin',
    entityType: 'IAM_ROLE',
    status,
    state: 'ACTIVE',
    severity,
    createdTime,
    scopeStartTime: '2026-01-01T00:00:00.000Z',
    scopeEndTime: '2026-01-02T00:00:00.000Z',
  });
  const items = [
    investigation('LOW', 'SUCCESSFUL', '2026-01-01T00:00:00.000Z'),
    investigation('CRITICAL', 'SUCCESSFUL', '2026-01-02T00:00:00.000Z'),
    investigation('LOW', 'SUCCESSFUL', '2026-01-03T00:00:00.000Z'),
    investigation('INFORMATIONAL', 'RUNNING', '2026-01-04T00:00:00.000Z'),
    investigation('HIGH', 'FAILED', '2026-01-05T00:00:00.000Z'),
  ];
  const bySeverity: InvestigationSort = { field: 'SEVERITY', order: 'DESC' };

  it('ranks severities by gravity and breaks ties newest first', () => {
    expect(sortInvestigations(items, bySeverity).map((i) => i.severity)).toEqual(['CRITICAL', 'HIGH', 'LOW', 'LOW', 'INFORMATIONAL']);
    expect(sortInvestigations(items, bySeverity)[2].createdTime).toBe('2026-01-03T00:00:00.000Z');
    expect(sortInvestigations(items, { field: 'SEVERITY', order: 'ASC' })[1].createdTime).toBe('2026-01-03T00:00:00.000Z');
    expect(sortInvestigations(items, { field: 'STATUS', order: 'ASC' }).map((i) => i.status)).toEqual(['RUNNING', 'FAILED', 'SUCCESSFUL', 'SUCCESSFUL', 'SUCCESSFUL']);
  });

  it('resumes strictly after the cursor, even when items were added before it in between pages', () => {
    const sorted = sortInvestigations(items, bySeverity);
    const first = pageAfter(sorted, bySeverity, 2);
    expect(first.page.map((i) => i.severity)).toEqual(['CRITICAL', 'HIGH']);
    const cursor = cursorOf(first.last!, bySeverity);
    expect(isSortCursor(cursor)).toBe(true);
    const grown = sortInvestigations([...items, investigation('CRITICAL', 'SUCCESSFUL', '2026-01-06T00:00:00.000Z')], bySeverity);
    const second = pageAfter(grown, bySeverity, 2, cursor);
    expect(second.page.map((i) => i.createdTime)).toEqual(['2026-01-03T00:00:00.000Z', '2026-01-01T00:00:00.000Z']);
    const third = pageAfter(grown, bySeverity, 2, cursorOf(second.last!, bySeverity));
    expect(third.page.map((i) => i.severity)).toEqual(['INFORMATIONAL']);
    expect(third.last).toBeUndefined();
  });

  it('expects index keys for CREATED_TIME tokens and cursors for the other orders', () => {
    const cursor = cursorOf(items[0], bySeverity);
    expect(isPositionFor(bySeverity)(cursor)).toBe(true);
    expect(isPositionFor(bySeverity)(key)).toBe(false);
    expect(isPositionFor({ field: 'CREATED_TIME', order: 'ASC' })(key)).toBe(true);
    expect(isPositionFor({ field: 'CREATED_TIME', order: 'ASC' })(cursor)).toBe(false);
    expect(isSortCursor({ ...cursor, p: 99 })).toBe(false);
  });

  it('turns filters into a key condition on the index plus a filter with placeholders for reserved words', () => {
    expect(filterExpression({})).toEqual({});
    expect(filterExpression({ status: 'RUNNING', state: 'ACTIVE', createdTime: { startInclusive: 'a', endInclusive: 'b' } })).toEqual({
      keyCondition: { expression: 'createdTime BETWEEN :createdFrom AND :createdTo', values: { ':createdFrom': 'a', ':createdTo': 'b' } },
      filter: { expression: '#status = :status AND #state = :state', names: { '#status': 'status', '#state': 'state' }, values: { ':status': 'RUNNING', ':state': 'ACTIVE' } },
    });
  });
});
