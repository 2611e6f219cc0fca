import type { DocumentIssue, ExternalFlag, ExternalPrincipal, PolicyDoc, TrustPrincipal } from './types';

/**
 * Policy documents as CloudTrail and IAM hand them over, decoded without trusting them: they are written by
 * whoever made the call (an attacker, in the cases that matter), so sizes are bounded before any work, the
 * nesting depth is checked before `JSON.parse`, and nothing is ever evaluated.
 *
 * Shapes met:
 * - `requestParameters.policyDocument` / `assumeRolePolicyDocument`: the JSON text the caller sent;
 * - `responseElements.role.assumeRolePolicyDocument`, and the IAM API's `GetAccountAuthorizationDetails`:
 *   the JSON text URL-encoded (RFC 3986, `%7B%22Statement…`);
 * - the AWS CLI's output of that call, and records whose parameters were logged as objects: a JSON object.
 */

/** IAM's own limits are far lower (trust policy 4,096 characters at most, role inline policy 10,240, managed policy 6,144). */
export const MAX_DOCUMENT_CHARS = 131_072;
/** Real policies nest 4 or 5 deep (document, statement list, statement, condition, operator, key). */
export const MAX_DOCUMENT_DEPTH = 32;
/** Principals kept per trust policy. */
export const MAX_TRUST_PRINCIPALS = 200;
/** Characters kept of one principal value. */
const MAX_PRINCIPAL_CHARS = 512;

/** URL-encoded text starts with an escape (`%7B` for `{`, or encoded whitespace before it). */
const URL_ENCODED = /^%[0-9a-f]{2}/i;

function issue(kind: DocumentIssue, chars = 0): PolicyDoc {
  return { Text: null, Chars: chars, Issue: kind };
}

/** Depth of a JSON text's brackets outside strings; stops counting past `limit`. */
export function jsonDepth(text: string, limit = MAX_DOCUMENT_DEPTH): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/** Depth of an already-parsed value, iteratively (no recursion on attacker-shaped data). */
function valueDepth(value: unknown, limit = MAX_DOCUMENT_DEPTH): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  let visited = 0;
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (typeof node !== 'object' || node === null) continue;
    if (++visited > 100_000) return limit + 1;
    if (depth > max) max = depth;
    if (max > limit) return max;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return max;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Decodes a policy document from any of the shapes above into compact JSON text. Never throws.
 * With `trust`, also extracts the Allow statements' principals.
 */
export function decodePolicyDocument(value: unknown, options: { trust?: boolean } = {}): PolicyDoc {
  let parsed: unknown;
  if (value === undefined || value === null || value === '') return issue('MISSING');
  if (typeof value === 'string') {
    if (value.length > MAX_DOCUMENT_CHARS * 3) return issue('OVERSIZE', value.length);
    let text = value.trim();
    if (URL_ENCODED.test(text)) {
      try {
        text = decodeURIComponent(text).trim();
      } catch {
        return issue('UNDECODABLE', value.length);
      }
    }
    if (text.length > MAX_DOCUMENT_CHARS) return issue('OVERSIZE', text.length);
    if (!text.startsWith('{')) return issue(text.startsWith('[') ? 'NOT_AN_OBJECT' : 'UNDECODABLE', text.length);
    if (jsonDepth(text) > MAX_DOCUMENT_DEPTH) return issue('TOO_DEEP', text.length);
    try {
      parsed = JSON.parse(text);
    } catch {
      return issue('UNDECODABLE', text.length);
    }
  } else if (isPlainObject(value)) {
    if (valueDepth(value) > MAX_DOCUMENT_DEPTH) return issue('TOO_DEEP');
    parsed = value;
  } else {
    return issue('NOT_AN_OBJECT');
  }
  if (!isPlainObject(parsed)) return issue('NOT_AN_OBJECT');
  const text = JSON.stringify(parsed);
  if (text.length > MAX_DOCUMENT_CHARS) return issue('OVERSIZE', text.length);
  const doc: PolicyDoc = { Text: text, Chars: text.length };
  if (options.trust) {
    const { principals, trimmed } = trustPrincipals(parsed);
    doc.Principals = principals;
    if (trimmed > 0) doc.PrincipalsTrimmed = trimmed;
  }
  return doc;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** The principals of a trust policy's Allow statements (Deny statements grant nothing). */
export function trustPrincipals(document: Record<string, unknown>): { principals: TrustPrincipal[]; trimmed: number } {
  const principals: TrustPrincipal[] = [];
  const seen = new Set<string>();
  let trimmed = 0;
  const add = (principal: TrustPrincipal) => {
    const key = `${principal.Kind}\u0000${principal.Value}\u0000${principal.Conditional}\u0000${principal.Negated ?? false}`;
    if (seen.has(key)) return;
    if (principals.length >= MAX_TRUST_PRINCIPALS) {
      trimmed++;
      return;
    }
    seen.add(key);
    principals.push(principal);
  };
  for (const statement of asList(document.Statement)) {
    if (!isPlainObject(statement)) continue;
    if (statement.Effect !== 'Allow') continue;
    const conditional = isPlainObject(statement.Condition) && Object.keys(statement.Condition).length > 0;
    for (const [field, negated] of [['Principal', false], ['NotPrincipal', true]] as const) {
      if (!Object.prototype.hasOwnProperty.call(statement, field)) continue;
      const block = statement[field];
      if (negated) {
        // Allow with NotPrincipal grants every principal but the ones named.
        add({ Kind: '*', Value: '*', Conditional: conditional, Negated: true });
        continue;
      }
      if (block === '*') {
        add({ Kind: '*', Value: '*', Conditional: conditional });
        continue;
      }
      if (!isPlainObject(block)) continue;
      for (const kind of ['AWS', 'Federated', 'Service', 'CanonicalUser'] as const) {
        if (!Object.prototype.hasOwnProperty.call(block, kind)) continue;
        for (const value of asList(block[kind])) {
          if (typeof value !== 'string' || value === '') continue;
          add({ Kind: kind, Value: value.slice(0, MAX_PRINCIPAL_CHARS), Conditional: conditional });
        }
      }
    }
  }
  return { principals, trimmed };
}

const ACCOUNT_ID = /^\d{12}$/;
const UNIQUE_ID = /^A[A-Z0-9]{3}[A-Z0-9]{12,}$/;
const PUBLIC_IDENTITY_PROVIDERS = new Set(['cognito-identity.amazonaws.com', 'accounts.google.com', 'graph.facebook.com', 'www.amazon.com']);

/** The account an `AWS` principal names: a bare account id, or the account field of an IAM or STS ARN. */
export function principalAccount(value: string): string | undefined {
  if (ACCOUNT_ID.test(value)) return value;
  if (!value.startsWith('arn:')) return undefined;
  const parts = value.split(':');
  if (parts.length < 6 || (parts[2] !== 'iam' && parts[2] !== 'sts')) return undefined;
  return ACCOUNT_ID.test(parts[4]) ? parts[4] : undefined;
}

/**
 * The trust policy's principals outside the entity's account, and outside the organization when its account
 * ids are given; each flagged. AWS services are left out (they act for the account that configures them);
 * identity providers registered in the account are left out too (their users are the account's own), public
 * ones are flagged.
 */
export function externalPrincipals(principals: readonly TrustPrincipal[], accountId: string, orgAccountIds?: ReadonlySet<string>): ExternalPrincipal[] {
  const out: ExternalPrincipal[] = [];
  const outsideFlags = (account: string): ExternalFlag[] => {
    if (account === accountId) return [];
    const flags: ExternalFlag[] = ['OUTSIDE_ACCOUNT'];
    if (orgAccountIds && !orgAccountIds.has(account)) flags.push('OUTSIDE_ORGANIZATION');
    return flags;
  };
  for (const principal of principals) {
    const conditional: ExternalFlag[] = principal.Conditional ? ['CONDITIONAL'] : [];
    switch (principal.Kind) {
      case 'Service':
        break;
      case '*':
        out.push({ Principal: principal.Negated ? 'NotPrincipal' : '*', Kind: '*', Flags: ['PUBLIC', ...conditional] });
        break;
      case 'AWS': {
        if (principal.Value === '*') {
          out.push({ Principal: '*', Kind: 'AWS', Flags: ['PUBLIC', ...conditional] });
          break;
        }
        const account = principalAccount(principal.Value);
        if (account !== undefined) {
          const flags = outsideFlags(account);
          if (flags.length > 0) out.push({ Principal: principal.Value, Kind: 'AWS', AccountId: account, Flags: [...flags, ...conditional] });
        } else if (UNIQUE_ID.test(principal.Value)) {
          out.push({ Principal: principal.Value, Kind: 'AWS', Flags: ['UNRESOLVED_ID', ...conditional] });
        } else {
          out.push({ Principal: principal.Value, Kind: 'AWS', Flags: ['UNRECOGNISED', ...conditional] });
        }
        break;
      }
      case 'Federated': {
        if (PUBLIC_IDENTITY_PROVIDERS.has(principal.Value)) {
          out.push({ Principal: principal.Value, Kind: 'Federated', Flags: ['PUBLIC_IDENTITY_PROVIDER', ...conditional] });
          break;
        }
        const account = principalAccount(principal.Value);
        if (account === undefined) out.push({ Principal: principal.Value, Kind: 'Federated', Flags: ['UNRECOGNISED', ...conditional] });
        else {
          const flags = outsideFlags(account);
          if (flags.length > 0) out.push({ Principal: principal.Value, Kind: 'Federated', AccountId: account, Flags: [...flags, ...conditional] });
        }
        break;
      }
      case 'CanonicalUser':
        // A canonical user id names no account that can be compared.
        out.push({ Principal: principal.Value, Kind: 'CanonicalUser', Flags: ['UNRESOLVED_ID', ...conditional] });
        break;
    }
  }
  return out;
}
