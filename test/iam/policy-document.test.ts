import fc from 'fast-check';
import { MAX_DOCUMENT_CHARS, MAX_DOCUMENT_DEPTH, MAX_TRUST_PRINCIPALS, decodePolicyDocument, historiesFromRecords, iamChangesOf, stateAt } from '../../lambdas/core/iam';
import type { EntityHistory } from '../../lambdas/core/iam';
import { createRole, iamEvent } from './iam-records';

const DOC = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'sts:AssumeRole' }] };
const TEXT = JSON.stringify(DOC);

describe('decodePolicyDocument', () => {
  it('reads the JSON text CloudTrail logs, the URL-encoded text IAM returns, and the object the CLI prints, alike', () => {
    const pretty = JSON.stringify(DOC, null, 4);
    for (const form of [TEXT, pretty, `  ${pretty}\n`, encodeURIComponent(TEXT), encodeURIComponent(pretty), DOC]) {
      expect(decodePolicyDocument(form, { trust: true })).toEqual({
        Text: TEXT,
        Chars: TEXT.length,
        Principals: [{ Kind: 'AWS', Value: 'arn:aws:iam::444455556666:root', Conditional: false }],
      });
    }
  });

  it('reports what it cannot read, never throws', () => {
    expect(decodePolicyDocument(undefined).Issue).toBe('MISSING');
    expect(decodePolicyDocument('').Issue).toBe('MISSING');
    expect(decodePolicyDocument('%7B%E0%A4%A').Issue).toBe('UNDECODABLE');
    expect(decodePolicyDocument('{"Statement": [').Issue).toBe('UNDECODABLE');
    expect(decodePolicyDocument('not json').Issue).toBe('UNDECODABLE');
    expect(decodePolicyDocument('[1,2]').Issue).toBe('NOT_AN_OBJECT');
    expect(decodePolicyDocument(42).Issue).toBe('NOT_AN_OBJECT');
    expect(decodePolicyDocument(['x']).Issue).toBe('NOT_AN_OBJECT');
  });

  it('bounds sizes before any work: oversize text, oversize after URL-decoding', () => {
    const big = JSON.stringify({ Statement: [{ Sid: 'x'.repeat(MAX_DOCUMENT_CHARS) }] });
    expect(decodePolicyDocument(big)).toEqual({ Text: null, Chars: big.length, Issue: 'OVERSIZE' });
    expect(decodePolicyDocument(encodeURIComponent(big)).Issue).toBe('OVERSIZE');
    expect(decodePolicyDocument('x'.repeat(MAX_DOCUMENT_CHARS * 4)).Issue).toBe('OVERSIZE');
  });

  it('refuses deep nesting before parsing (text) and without recursion (objects)', () => {
    const deep = '{"a":'.repeat(MAX_DOCUMENT_DEPTH + 1) + '1' + '}'.repeat(MAX_DOCUMENT_DEPTH + 1);
    expect(decodePolicyDocument(deep).Issue).toBe('TOO_DEEP');
    const veryDeep = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    expect(decodePolicyDocument(veryDeep).Issue).toMatch(/TOO_DEEP|OVERSIZE/);
    let object: Record<string, unknown> = {};
    const root = object;
    for (let i = 0; i < 10_000; i++) object = object.a = {} as Record<string, unknown>;
    expect(decodePolicyDocument(root).Issue).toBe('TOO_DEEP');
    // Brackets inside strings do not count.
    expect(decodePolicyDocument(JSON.stringify({ Sid: '{'.repeat(1000) })).Issue).toBeUndefined();
  });

  it('keys like __proto__ stay data', () => {
    const doc = decodePolicyDocument('{"__proto__":{"polluted":true},"Statement":[{"Effect":"Allow","Principal":{"__proto__":{"AWS":"x"},"AWS":"123456789012"}}]}', { trust: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(doc.Principals).toEqual([{ Kind: 'AWS', Value: '123456789012', Conditional: false }]);
  });

  it('caps the principals kept per trust policy and counts the rest', () => {
    const many = Array.from({ length: MAX_TRUST_PRINCIPALS + 50 }, (_, i) => `arn:aws:iam::${String(100000000000 + i)}:root`);
    const doc = decodePolicyDocument(JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: many } }] }), { trust: true });
    expect(doc.Principals).toHaveLength(MAX_TRUST_PRINCIPALS);
    expect(doc.PrincipalsTrimmed).toBe(50);
  });

  it('principals of odd shapes: a single statement object, strings, non-strings ignored', () => {
    const doc = decodePolicyDocument({ Statement: { Effect: 'Allow', Principal: { AWS: ['123456789012', 7, null, ''], Service: 'ec2.amazonaws.com', CanonicalUser: 'abc' } } }, { trust: true });
    expect(doc.Principals).toEqual([
      { Kind: 'AWS', Value: '123456789012', Conditional: false },
      { Kind: 'Service', Value: 'ec2.amazonaws.com', Conditional: false },
      { Kind: 'CanonicalUser', Value: 'abc', Conditional: false },
    ]);
  });

  describe('properties (fast-check)', () => {
    it('never throws, on any string or JSON value, and its text is always JSON within the bound', () => {
      fc.assert(
        fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.json(), fc.jsonValue(), fc.string().map((s) => `%7B${s}`), fc.string().map((s) => `{${s}`)), (value) => {
          const doc = decodePolicyDocument(value, { trust: true });
          if (doc.Text !== null) {
            expect(doc.Text.length).toBeLessThanOrEqual(MAX_DOCUMENT_CHARS);
            expect(typeof JSON.parse(doc.Text)).toBe('object');
          } else expect(doc.Issue).toBeDefined();
        }),
        { numRuns: 500 },
      );
    });

    it('an object, its JSON text, pretty or not, and its URL-encoding decode to the same document', () => {
      fc.assert(
        fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 })), fc.integer({ min: 0, max: 4 }), (object, indent) => {
          const text = JSON.stringify(object, null, indent);
          const expected = decodePolicyDocument(object, { trust: true });
          expect(decodePolicyDocument(text, { trust: true })).toEqual(expected);
          expect(decodePolicyDocument(encodeURIComponent(text), { trust: true })).toEqual(expected);
        }),
        { numRuns: 300 },
      );
    });

    it('any trust document in a CreateRole record gives a change, whatever its content', () => {
      fc.assert(
        fc.property(fc.oneof(fc.string(), fc.jsonValue(), fc.json()), (document) => {
          const record = createRole('Fuzz');
          (record.requestParameters as Record<string, unknown>).assumeRolePolicyDocument = document;
          const changes = iamChangesOf(record);
          expect(changes).toHaveLength(1);
          expect(changes[0].Action.Kind).toBe('CREATE');
        }),
        { numRuns: 200 },
      );
    });

    it('any requestParameters: extraction never throws', () => {
      const names = ['CreateRole', 'PutRolePolicy', 'AttachUserPolicy', 'AddUserToGroup', 'CreatePolicyVersion', 'UpdateAccessKey', 'CreateLoginProfile', 'DeleteGroup', 'CreatePolicy'];
      fc.assert(
        fc.property(fc.constantFrom(...names), fc.dictionary(fc.constantFrom('roleName', 'userName', 'groupName', 'policyName', 'policyArn', 'policyDocument', 'accessKeyId', 'status', 'versionId', 'setAsDefault', 'x'), fc.jsonValue()), fc.jsonValue(), (eventName, request, response) => {
          const record = iamEvent(eventName, request, { responseElements: response as Record<string, unknown> });
          expect(Array.isArray(iamChangesOf(record))).toBe(true);
        }),
        { numRuns: 500 },
      );
    });
  });
});

describe('unreadable trust policies', () => {
  it('make the answer PARTIAL instead of hiding who may assume the role', () => {
    const records = [createRole('Odd', {}, '{"Statement": [')];
    const history = historiesFromRecords(records).get('111122223333#ROLE#odd') as EntityHistory;
    const state = stateAt(history, '2030-01-01T00:00:00Z');
    expect(state).toMatchObject({ Exists: true, Coverage: 'PARTIAL', TrustPolicy: null, TrustPolicyIssue: 'UNDECODABLE', ExternalPrincipals: [] });
    expect(state.CoverageReason).toMatch(/trust policy could not be read/);
  });

  it('too many principals: PARTIAL, with the count of those not kept', () => {
    const many = Array.from({ length: MAX_TRUST_PRINCIPALS + 3 }, (_, i) => String(100000000000 + i));
    const history = historiesFromRecords([createRole('Many', {}, JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: many } }] }))]).get('111122223333#ROLE#many') as EntityHistory;
    const state = stateAt(history, '2030-01-01T00:00:00Z');
    expect(state.ExternalPrincipals).toHaveLength(MAX_TRUST_PRINCIPALS);
    expect(state).toMatchObject({ Coverage: 'PARTIAL', CoverageReason: expect.stringMatching(/3 trust principals/) });
  });

  it('URL-encoded text with encoded whitespace before the brace is read', () => {
    expect(decodePolicyDocument(`%0A%20${encodeURIComponent(TEXT)}`).Text).toBe(TEXT);
  });
});
