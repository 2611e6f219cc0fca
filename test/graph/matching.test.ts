import fc from 'fast-check';
import { globMatcher } from '../../lambdas/core/graph/glob';
import { ipMatcher, isCidrQuery } from '../../lambdas/core/graph/ip-match';

describe('glob matcher', () => {
  it('matches * and ? case-insensitively, and nothing else is special', () => {
    expect(globMatcher('Stratus-*-role')('stratus-red-team-role')).toBe(true);
    expect(globMatcher('bert-ja?')('BERT-JAN')).toBe(true);
    expect(globMatcher('bert-ja?')('bert-ja')).toBe(false);
    expect(globMatcher('a.c')('abc')).toBe(false);
    expect(globMatcher('(a+)+$')('(A+)+$')).toBe(true);
    expect(globMatcher('*')('')).toBe(true);
    expect(globMatcher('?')('😀')).toBe(true);
  });

  it('agrees with an escaped regular expression on random patterns', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[ab*?.]{0,8}$/), fc.stringMatching(/^[abAB.]{0,10}$/), (pattern, value) => {
        const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'is');
        expect(globMatcher(pattern)(value)).toBe(regex.test(value));
      }),
    );
  });

  it('stays fast on patterns that make backtracking regexes explode', () => {
    const value = 'a'.repeat(5_000);
    // Bounded by pattern × value length: no exponential blow-up.
    expect(globMatcher('*a*a*a*a*a*a*a*a*b')(value)).toBe(false);
  });
});

describe('IP matcher', () => {
  it('matches CIDR blocks in IPv4, IPv6 and IPv4-mapped IPv6', () => {
    expect(ipMatcher('192.168.10.0/24')('192.168.10.20')).toBe(true);
    expect(ipMatcher('192.168.10.0/24')('192.168.11.20')).toBe(false);
    expect(ipMatcher('::ffff:192.168.10.0/120')('192.168.10.20')).toBe(true);
    expect(ipMatcher('2001:db8::/32')('2001:DB8:0:0::1')).toBe(true);
    expect(ipMatcher('2001:db8::/32')('192.168.10.20')).toBe(false);
    expect(ipMatcher('10.0.0.0/8')('AWS Internal')).toBe(false);
  });

  it('matches an address whatever its spelling, and globs otherwise', () => {
    expect(ipMatcher('2001:db8::1')('2001:0db8:0000:0000:0000:0000:0000:0001')).toBe(true);
    expect(ipMatcher('192.168.10.2?')('192.168.10.20')).toBe(true);
    expect(isCidrQuery('10.0.0.0/33')).toBe(false);
    expect(isCidrQuery('10.0.0.0/x')).toBe(false);
  });
});
