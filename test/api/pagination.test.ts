import { ApiError } from '../../lambdas/core/investigation/errors';
import { indicatorSortKey, isIndicatorKeyFor, keyIndicators } from '../../lambdas/core/investigation/indicators';
import { cursorOf, filterExpression, isIndexKey, isPositionFor, isSortCursor, pageAfter, sortInvestigations } from '../../lambdas/core/investigation/listing';
import type { Investigation, Severity, Status } from '../../lambdas/core/investigation/model';
import { decodeNextToken, encodeNextToken, requestFingerprint, TOKEN_TTL_MS } from '../../lambdas/core/investigation/pagination';
import type { InvestigationSort } from '../../lambdas/core/investigation/requests';

const NOW = Date.parse('2026-03-01T12:00:00Z');
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

describe('NextToken codec', () => {
  it('round-trips a position as an opaque URL-safe string', () => {
    const token = encodeNextToken(key, fingerprint, NOW);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeNextToken(token, fingerprint, NOW + 1000, isIndexKey)).toEqual(key);
  });

  it('binds a token to the other parameters, whatever their member order', () => {
    expect(requestFingerprint({ a: 1, b: { c: 2, d: 3 } })).toBe(requestFingerprint({ b: { d: 3, c: 2 }, a: 1, e: undefined }));
    const token = encodeNextToken(key, fingerprint, NOW);
    const other = requestFingerprint({ operation: 'ListInvestigations', filter: { severity: 'LOW' } });
    expect(validationMessage(() => decodeNextToken(token, other, NOW, isIndexKey))).toContain('keep all other arguments unchanged');
  });

  it('expires after 24 hours', () => {
    const token = encodeNextToken(key, fingerprint, NOW);
    expect(decodeNextToken(token, fingerprint, NOW + TOKEN_TTL_MS - 1000, isIndexKey)).toEqual(key);
    expect(validationMessage(() => decodeNextToken(token, fingerprint, NOW + TOKEN_TTL_MS + 1000, isIndexKey))).toContain('expired');
  });

  it.each([
    ['garbage', 'not a token!'],
    ['base64 of non-JSON', Buffer.from('hello').toString('base64url')],
    ['JSON without the envelope', Buffer.from(JSON.stringify({ k: key })).toString('base64url')],
    ['another version', Buffer.from(JSON.stringify({ v: 2, f: fingerprint, e: NOW / 1000 + 60, k: key })).toString('base64url')],
    ['a key with an extra attribute', encodeNextToken({ ...key, admin: 'true' }, fingerprint, NOW)],
    ['a key of another partition', encodeNextToken({ ...key, listKey: 'OTHER' }, fingerprint, NOW)],
    ['a key with a bad id', encodeNextToken({ ...key, investigationId: '1' }, fingerprint, NOW)],
    ['a key of the wrong types', encodeNextToken({ ...key, createdTime: 5 }, fingerprint, NOW)],
    ['an oversized token', 'A'.repeat(3000)],
  ])('rejects %s as invalid', (_label, token) => {
    expect(validationMessage(() => decodeNextToken(token, fingerprint, NOW, isIndexKey))).toBe('The NextToken is invalid.');
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
