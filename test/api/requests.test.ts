import { ApiError } from '../../lambdas/core/investigation/errors';
import { entityTypeOf } from '../../lambdas/core/investigation/arns';
import { newInvestigationId } from '../../lambdas/core/investigation/ids';
import { parseGetInvestigation, parseListIndicators, parseListInvestigations, parseStartInvestigation, parseUpdateInvestigationState } from '../../lambdas/core/investigation/requests';
import { parseTimestamp } from '../../lambdas/core/investigation/time';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const context = { nowMillis: NOW, maxScopeDays: 30 };
const ROLE = 'arn:aws:iam::111122223333:role/service-role/Admin';
const valid = { EntityArn: ROLE, ScopeStartTime: '2026-02-28T00:00:00Z', ScopeEndTime: '2026-03-01T00:00:00.5+01:00' };

function rejection(parse: () => unknown): ApiError {
  try {
    parse();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected a validation error');
}

describe('StartInvestigation request', () => {
  it('normalizes timestamps to UTC milliseconds and derives the entity type', () => {
    expect(parseStartInvestigation(valid, context)).toEqual({
      graphArn: undefined,
      entityArn: ROLE,
      entityType: 'IAM_ROLE',
      scopeStartTime: '2026-02-28T00:00:00.000Z',
      scopeEndTime: '2026-02-28T23:00:00.500Z',
    });
  });

  it('collects every violation in one AWS-style message', () => {
    const error = rejection(() => parseStartInvestigation({ EntityArn: 42, ScopeStartTime: 'yesterday', Extra: true }, context));
    expect(error.type).toBe('ValidationException');
    expect(error.statusCode).toBe(400);
    expect(error.errorCode).toBe('INVALID_REQUEST_BODY');
    expect(error.message).toMatch(/^4 validation errors detected: /);
    expect(error.message).toContain("Field 'Extra' is not recognized");
    expect(error.message).toContain("Value 42 at 'EntityArn' failed to satisfy constraint: Member must be a string");
    expect(error.message).toContain("Value 'yesterday' at 'ScopeStartTime'");
    expect(error.message).toContain("Value null at 'ScopeEndTime' failed to satisfy constraint: Member must not be null");
  });

  it.each([
    ['not an object', []],
    ['null', null],
    ['a string', 'x'],
  ])('rejects a body that is %s', (_label, body) => {
    expect(rejection(() => parseStartInvestigation(body, context)).message).toContain('Member must be a JSON object');
  });

  it('enforces the scope rules', () => {
    expect(rejection(() => parseStartInvestigation({ ...valid, ScopeEndTime: valid.ScopeStartTime }, context)).message).toContain('later than ScopeStartTime');
    expect(rejection(() => parseStartInvestigation({ ...valid, ScopeStartTime: '2026-01-01T00:00:00Z' }, context)).message).toContain('must not exceed 30 days');
    expect(parseStartInvestigation({ ...valid, ScopeStartTime: '2026-01-01T00:00:00Z' }, { ...context, maxScopeDays: 90 }).scopeStartTime).toBe('2026-01-01T00:00:00.000Z');
    expect(rejection(() => parseStartInvestigation({ ...valid, ScopeStartTime: '2026-03-02T00:00:00Z', ScopeEndTime: '2026-03-03T00:00:00Z' }, context)).message).toContain('must not be in the future');
  });

  it('rejects impossible calendar dates that Date.parse would roll over', () => {
    expect(parseTimestamp('2024-02-30T00:00:00Z')).toBeUndefined();
    expect(parseTimestamp('2024-02-29T00:00:00Z')).toBe(Date.parse('2024-02-29T00:00:00Z'));
    expect(parseTimestamp('2023-02-29T00:00:00Z')).toBeUndefined();
    expect(parseTimestamp('2024-01-01 00:00:00Z')).toBeUndefined();
    expect(parseTimestamp('2024-01-01T24:00:00Z')).toBeUndefined();
    expect(rejection(() => parseStartInvestigation({ ...valid, ScopeStartTime: 1700000000 }, context)).message).toContain('RFC 3339');
  });

  it('flags a lone bad graph ARN with INVALID_GRAPH_ARN', () => {
    const error = rejection(() => parseStartInvestigation({ ...valid, GraphArn: 'arn:aws:detective:us-east-1:111122223333:graph:xyz' }, context));
    expect(error.errorCode).toBe('INVALID_GRAPH_ARN');
    const both = rejection(() => parseStartInvestigation({ ...valid, GraphArn: 'bad', EntityArn: 'bad' }, context));
    expect(both.errorCode).toBe('INVALID_REQUEST_BODY');
  });

  it("explains IAM's ARN rules instead of echoing a long pattern", () => {
    const error = rejection(() => parseStartInvestigation({ ...valid, EntityArn: `arn:aws:iam::111122223333:role/${'r'.repeat(65)}` }, context));
    expect(error.message).toContain("at 'EntityArn' failed to satisfy constraint: Member must be an IAM role or user ARN");
    expect(error.message).toContain('at most 64');
  });

  it('never echoes an oversized value whole', () => {
    const error = rejection(() => parseStartInvestigation({ ...valid, EntityArn: `arn:aws:iam::111122223333:role/${'x'.repeat(5000)}` }, context));
    // Two violations (length and pattern), each echoing at most 128 characters of the 5,000.
    expect(error.message.length).toBeLessThan(1000);
    expect(error.message).not.toContain('x'.repeat(200));
  });
});

describe('entity ARNs', () => {
  it.each([
    ['arn:aws:iam::111122223333:role/Admin', 'IAM_ROLE'],
    ['arn:aws:iam::111122223333:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport', 'IAM_ROLE'],
    ['arn:aws-us-gov:iam::111122223333:user/division/alice@example.com', 'IAM_USER'],
    ['arn:aws-cn:iam::111122223333:user/bob', 'IAM_USER'],
    ...['aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc'].map((partition) => [`arn:${partition}:iam::111122223333:role/R`, 'IAM_ROLE']),
    [`arn:aws:iam::111122223333:role/${'r'.repeat(64)}`, 'IAM_ROLE'],
    [`arn:aws:iam::111122223333:user/${'u'.repeat(64)}`, 'IAM_USER'],
    // A path of exactly 512 characters, slashes included.
    [`arn:aws:iam::111122223333:role/${'p'.repeat(510)}/Admin`, 'IAM_ROLE'],
    ['arn:aws:iam::111122223333:user/a+b=c,d.e@f_g-h', 'IAM_USER'],
  ])('accepts %s', (arn, type) => {
    expect(entityTypeOf(arn)).toBe(type);
  });

  it.each([
    'arn:aws:sts::111122223333:assumed-role/Admin/alice',
    'arn:aws:iam::111122223333:group/Admins',
    'arn:aws:iam::111122223333:role/',
    'arn:aws:iam::111122223333:root',
    'arn:aws:iam:us-east-1:111122223333:role/Admin',
    'arn:aws:iam::11112222333:role/Admin',
    'arn:aws:iam::111122223333:role/Admin/',
    // IAM's rules: known partitions, 12-digit accounts, names of at most 64 IAM characters, paths of at most 512.
    'arn:aws-moon:iam::111122223333:role/Admin',
    'arn:aws:iam::1111222233334:role/Admin',
    `arn:aws:iam::111122223333:role/${'r'.repeat(65)}`,
    `arn:aws:iam::111122223333:user/${'u'.repeat(65)}`,
    'arn:aws:iam::111122223333:user/al ice',
    'arn:aws:iam::111122223333:user/al*ice',
    'arn:aws:iam::111122223333:role//Admin',
    `arn:aws:iam::111122223333:role/${'p'.repeat(511)}/Admin`,
  ])('rejects %s', (arn) => {
    expect(entityTypeOf(arn)).toBeUndefined();
  });
});

describe('other requests', () => {
  const id = '123456789012345678901';

  it('accepts Detective ids and rejects others', () => {
    expect(parseGetInvestigation({ InvestigationId: id, GraphArn: 'arn:aws:detective:us-east-1:111122223333:graph:0123456789abcdef0123456789abcdef' }).investigationId).toBe(id);
    expect(rejection(() => parseGetInvestigation({ InvestigationId: '12345678901234567890a' })).message).toContain('regular expression pattern');
    expect(rejection(() => parseGetInvestigation({})).message).toContain("Value null at 'InvestigationId'");
    // JSON null is absence, as in AWS services.
    expect(rejection(() => parseGetInvestigation({ InvestigationId: null })).message).toContain('must not be null');
  });

  it('validates state updates', () => {
    expect(parseUpdateInvestigationState({ InvestigationId: id, State: 'ARCHIVED' }).state).toBe('ARCHIVED');
    expect(rejection(() => parseUpdateInvestigationState({ InvestigationId: id, State: 'archived' })).message).toContain('enum value set: [ACTIVE, ARCHIVED]');
  });

  it('defaults page sizes and checks their range', () => {
    expect(parseListIndicators({ InvestigationId: id }).maxResults).toBe(100);
    expect(rejection(() => parseListIndicators({ InvestigationId: id, MaxResults: 0 })).message).toContain('greater than or equal to 1');
    expect(rejection(() => parseListIndicators({ InvestigationId: id, MaxResults: 2.5 })).message).toContain('must be an integer');
    expect(rejection(() => parseListInvestigations({ MaxResults: 101 })).message).toContain('less than or equal to 100');
    expect(rejection(() => parseListInvestigations({ NextToken: '' })).message).toContain('length greater than or equal to 1');
  });

  it('parses list filters and sort, newest first by default', () => {
    expect(parseListInvestigations({})).toEqual({ graphArn: undefined, filter: {}, sort: { field: 'CREATED_TIME', order: 'DESC' }, maxResults: 100, nextToken: undefined });
    const request = parseListInvestigations({
      FilterCriteria: { Severity: { Value: 'HIGH' }, Status: { Value: 'SUCCESSFUL' }, State: { Value: 'ACTIVE' }, EntityArn: { Value: ROLE }, CreatedTime: { StartInclusive: '2026-01-01T00:00:00Z', EndInclusive: '2026-01-02T00:00:00Z' } },
      SortCriteria: { Field: 'SEVERITY' },
      MaxResults: 5,
    });
    expect(request.filter).toEqual({ severity: 'HIGH', status: 'SUCCESSFUL', state: 'ACTIVE', entityArn: ROLE, createdTime: { startInclusive: '2026-01-01T00:00:00.000Z', endInclusive: '2026-01-02T00:00:00.000Z' } });
    expect(request.sort).toEqual({ field: 'SEVERITY', order: 'DESC' });
  });

  it('rejects unknown members at any depth and malformed filters', () => {
    expect(rejection(() => parseListInvestigations({ FilterCriteria: { Severity: { Value: 'HIGH', Op: 'EQ' } } })).message).toContain("Field 'FilterCriteria.Severity.Op' is not recognized");
    expect(rejection(() => parseListInvestigations({ FilterCriteria: { Severity: {} } })).message).toContain("Value null at 'FilterCriteria.Severity.Value'");
    expect(rejection(() => parseListInvestigations({ FilterCriteria: { CreatedTime: { StartInclusive: '2026-01-01T00:00:00Z' } } })).message).toContain("'FilterCriteria.CreatedTime.EndInclusive'");
    expect(rejection(() => parseListInvestigations({ SortCriteria: { Field: 'SEVERITY', SortOrder: 'UP' } })).message).toContain("at 'SortCriteria.SortOrder'");
    // Detective's StringFilter limit; longer values could not be index keys anyway.
    const long = `arn:aws:iam::111122223333:role/${'\u{1F600}'.repeat(240)}`;
    expect(rejection(() => parseListInvestigations({ FilterCriteria: { EntityArn: { Value: long } } })).message).toContain('less than or equal to 500');
  });
});

describe('investigation ids', () => {
  it('are 21 digits that sort by creation time', () => {
    const a = newInvestigationId(Date.parse('2026-01-01T00:00:00Z'), () => 99_999_999);
    const b = newInvestigationId(Date.parse('2026-01-01T00:00:00.001Z'), () => 0);
    expect(a).toMatch(/^[0-9]{21}$/);
    expect(b).toMatch(/^[0-9]{21}$/);
    expect(a < b).toBe(true);
    expect(newInvestigationId(Date.now())).not.toBe(newInvestigationId(Date.now()));
  });
});
