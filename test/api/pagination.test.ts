import { createHmac } from 'node:crypto';
import { ApiError } from '../../lambdas/core/investigation/errors';
import { indicatorSortKey, isIndicatorKeyFor, keyIndicators } from '../../lambdas/core/investigation/indicators';
import { isListCursor, isPositionFor, listingAttributes, LISTING_INDEXES, planListing, startKeyOf } from '../../lambdas/core/investigation/listing';
import { INVESTIGATIONS_TABLE } from '../../lambdas/shared/table-design';
import { decodeNextToken, encodeNextToken, requestFingerprint, TOKEN_TTL_MS } from '../../lambdas/core/investigation/pagination';
import type { InvestigationSort } from '../../lambdas/core/investigation/requests';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const KEY = Buffer.alloc(32, 7);
const key = { p: 0, c: '2026-03-01T11:00:00.000Z', i: '177000000000012345678' };
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
    expect(validationMessage(() => decodeNextToken(forged, fingerprint, NOW + 2 * TOKEN_TTL_MS, KEY, isListCursor))).toBe('The NextToken is invalid.');
    // The same edit signed with the key is accepted: what is refused is the missing signature, nothing else.
    expect(decodeNextToken(signed(forged.split('.')[0]), fingerprint, NOW + 2 * TOKEN_TTL_MS, KEY, isListCursor)).toEqual(key);
  });

  it('round-trips a position as an opaque URL-safe string', () => {
    const token = encodeNextToken(key, fingerprint, NOW, KEY);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(decodeNextToken(token, fingerprint, NOW + 1000, KEY, isListCursor)).toEqual(key);
  });

  it('binds a token to the other parameters, whatever their member order', () => {
    expect(requestFingerprint({ a: 1, b: { c: 2, d: 3 } })).toBe(requestFingerprint({ b: { d: 3, c: 2 }, a: 1, e: undefined }));
    const token = encodeNextToken(key, fingerprint, NOW, KEY);
    const other = requestFingerprint({ operation: 'ListInvestigations', filter: { severity: 'LOW' } });
    expect(validationMessage(() => decodeNextToken(token, other, NOW, KEY, isListCursor))).toContain('keep all other arguments unchanged');
  });

  it('expires after 24 hours', () => {
    const token = encodeNextToken(key, fingerprint, NOW, KEY);
    expect(decodeNextToken(token, fingerprint, NOW + TOKEN_TTL_MS - 1000, KEY, isListCursor)).toEqual(key);
    expect(validationMessage(() => decodeNextToken(token, fingerprint, NOW + TOKEN_TTL_MS + 1000, KEY, isListCursor))).toContain('expired');
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
    ['a key of a partition no plan has', encodeNextToken({ ...key, p: 7 }, fingerprint, NOW, KEY)],
    ['a key with a bad id', encodeNextToken({ ...key, i: '1' }, fingerprint, NOW, KEY)],
    ['a key of the wrong types', encodeNextToken({ ...key, c: 5 }, fingerprint, NOW, KEY)],
    ['an oversized token', 'A'.repeat(3000)],
  ])('rejects %s as invalid', (_label, token) => {
    expect(validationMessage(() => decodeNextToken(token, fingerprint, NOW, KEY, isListCursor))).toBe('The NextToken is invalid.');
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

describe('listing plans', () => {
  const created: InvestigationSort = { field: 'CREATED_TIME', order: 'DESC' };

  it('pages through one index partition for each single filter, in the requested direction', () => {
    expect(planListing({}, created)).toEqual({ partitions: [{ indexName: 'byCreatedTime', attribute: 'listKey', value: 'INVESTIGATION' }], forward: false, residual: {} });
    expect(planListing({ severity: 'CRITICAL' }, { field: 'CREATED_TIME', order: 'ASC' })).toMatchObject({ partitions: [{ indexName: 'bySeverity', value: 'CRITICAL' }], forward: true, residual: {} });
    expect(planListing({ entityArn: 'arn:aws:iam::111122223333:role/A' }, created).partitions).toEqual([{ indexName: 'byEntity', attribute: 'entityArn', value: 'arn:aws:iam::111122223333:role/A' }]);
    const range = { startInclusive: '2026-01-01T00:00:00.000Z', endInclusive: '2026-01-02T00:00:00.000Z' };
    expect(planListing({ state: 'ARCHIVED', createdTime: range }, created)).toMatchObject({ partitions: [{ indexName: 'byState', value: 'ARCHIVED' }], createdTime: range });
  });

  it('sorts by SEVERITY and STATUS through one partition per value, in rank order', () => {
    expect(planListing({}, { field: 'SEVERITY', order: 'DESC' }).partitions.map((p) => p.value)).toEqual(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL']);
    expect(planListing({}, { field: 'STATUS', order: 'ASC' }).partitions.map((p) => p.value)).toEqual(['RUNNING', 'FAILED', 'SUCCESSFUL']);
    expect(planListing({ state: 'ACTIVE' }, { field: 'STATUS', order: 'DESC' }).partitions.map((p) => `${p.indexName} ${p.value}`)).toEqual(['byStateStatus ACTIVE#SUCCESSFUL', 'byStateStatus ACTIVE#FAILED', 'byStateStatus ACTIVE#RUNNING']);
    // Ties are newest first whatever the direction: each partition is read backwards.
    expect(planListing({}, { field: 'SEVERITY', order: 'ASC' }).forward).toBe(false);
    // A sort field that is also a filter is one partition.
    expect(planListing({ severity: 'LOW' }, { field: 'SEVERITY', order: 'ASC' }).partitions).toEqual([{ indexName: 'bySeverity', attribute: 'severity', value: 'LOW' }]);
  });

  it('serves every single filter with every sort exactly, with no residual filter', () => {
    const filters = [{}, { severity: 'HIGH' }, { status: 'FAILED' }, { state: 'ACTIVE' }, { entityArn: 'arn:aws:iam::111122223333:user/u' }] as const;
    for (const filter of filters) {
      for (const field of ['SEVERITY', 'STATUS', 'CREATED_TIME'] as const) {
        expect(planListing(filter, { field, order: 'DESC' }).residual).toEqual({});
      }
    }
  });

  it('serves other combinations from the index covering the most filters, EntityArn first, filtering the rest', () => {
    const plan = planListing({ entityArn: 'arn:aws:iam::111122223333:user/u', state: 'ACTIVE', status: 'RUNNING' }, { field: 'SEVERITY', order: 'DESC' });
    expect(plan.partitions[0]).toEqual({ indexName: 'byEntitySeverity', attribute: 'entitySeverity', value: 'arn:aws:iam::111122223333:user/u#CRITICAL' });
    expect(plan.residual).toEqual({ state: 'ACTIVE', status: 'RUNNING' });
    expect(planListing({ severity: 'HIGH', status: 'FAILED' }, created)).toMatchObject({ partitions: [{ indexName: 'byStatusSeverity', value: 'FAILED#HIGH' }], residual: {} });
  });

  it('writes the pair attributes from the current values', () => {
    expect(listingAttributes({ severity: 'HIGH', status: 'SUCCESSFUL', state: 'ARCHIVED', entityArn: 'arn:aws:iam::1:role/R' })).toEqual({
      listKey: 'INVESTIGATION',
      statusSeverity: 'SUCCESSFUL#HIGH',
      stateSeverity: 'ARCHIVED#HIGH',
      stateStatus: 'ARCHIVED#SUCCESSFUL',
      entitySeverity: 'arn:aws:iam::1:role/R#HIGH',
      entityStatus: 'arn:aws:iam::1:role/R#SUCCESSFUL',
    });
  });

  it('declares the same indexes as the table design', () => {
    expect(LISTING_INDEXES.map((index) => [index.indexName, index.attribute])).toEqual(INVESTIGATIONS_TABLE.globalSecondaryIndexes.map((index) => [index.indexName, index.partitionKey.name]));
    expect(INVESTIGATIONS_TABLE.globalSecondaryIndexes.every((index) => index.sortKey?.name === 'createdTime')).toBe(true);
  });

  it('accepts token positions only within the plan, and resumes from the exact index key', () => {
    const plan = planListing({}, { field: 'STATUS', order: 'ASC' });
    expect(isPositionFor(plan)(key)).toBe(true);
    expect(isPositionFor(plan)({ ...key, p: 3 })).toBe(false);
    expect(isPositionFor(planListing({}, created))({ ...key, p: 1 })).toBe(false);
    expect(isListCursor({ ...key, extra: 1 })).toBe(false);
    expect(startKeyOf(plan.partitions[2], key)).toEqual({ investigationId: key.i, status: 'SUCCESSFUL', createdTime: key.c });
  });
});
