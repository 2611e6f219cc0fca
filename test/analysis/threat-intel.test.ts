import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_THREAT_INTEL_FILE, loadThreatIntelFile, threatIntelFromEnv, threatIntelMatcherFromTexts } from '../../lambdas/adapters/threat-intel';
import { parseThreatIntelList, ThreatIntelMatcher } from '../../lambdas/core/analysis/threat-intel';

describe('parseThreatIntelList', () => {
  it('reads addresses and ranges, skipping comments and blank lines', () => {
    const list = parseThreatIntelList('\uFEFF# header\r\n\r\n192.0.2.5\r\n198.51.100.0/24  # range\n2001:db8:1::/48\n2001:db8::7\n', 'mine');
    expect(list.name).toBe('mine');
    expect(list.errors).toEqual([]);
    expect(list.entries).toEqual([
      { cidr: '192.0.2.5/32', line: 3 },
      { cidr: '198.51.100.0/24', line: 4 },
      { cidr: '2001:db8:1::/48', line: 5 },
      { cidr: '2001:db8::7/128', line: 6 },
    ]);
  });

  it('canonicalises ranges with host bits set and IPv4-mapped forms', () => {
    const list = parseThreatIntelList('203.0.113.77/25\n::ffff:192.0.2.0/120\n::ffff:198.51.100.9\n', 'x');
    expect(list.entries.map((e) => e.cidr)).toEqual(['203.0.113.0/25', '192.0.2.0/24', '198.51.100.9/32']);
  });

  it('reports bad lines without failing the list', () => {
    const list = parseThreatIntelList('192.0.2.1\nnot-an-ip\n10.0.0.0/33\n0.0.0.0/0\n300.1.1.1\n192.0.2.2\n', 'x');
    expect(list.entries.map((e) => e.cidr)).toEqual(['192.0.2.1/32', '192.0.2.2/32']);
    expect(list.errors.map((e) => [e.line, e.reason])).toEqual([
      [2, 'not an IP address or CIDR range'],
      [3, 'prefix length /33 is longer than /32'],
      [4, 'a /0 range matches every address'],
      [5, 'not an IP address or CIDR range'],
    ]);
  });
});

describe('ThreatIntelMatcher', () => {
  const matcher = new ThreatIntelMatcher([
    parseThreatIntelList('203.0.113.0/24\n203.0.113.128/25\n192.0.2.66\n2001:db8:bad::/48\n', 'feed-a'),
    parseThreatIntelList('203.0.113.200\n', 'feed-b'),
  ]);

  it('matches single addresses and ranges, IPv4 and IPv6', () => {
    expect(matcher.match('192.0.2.66')).toEqual([{ ip: '192.0.2.66', listName: 'feed-a', cidr: '192.0.2.66/32' }]);
    expect(matcher.match('203.0.113.5')).toEqual([{ ip: '203.0.113.5', listName: 'feed-a', cidr: '203.0.113.0/24' }]);
    expect(matcher.match('2001:db8:bad:1::42')).toEqual([{ ip: '2001:db8:bad:1::42', listName: 'feed-a', cidr: '2001:db8:bad::/48' }]);
    expect(matcher.match('2001:0db8:0bad:0000:0000:0000:0000:0001')[0]?.ip).toBe('2001:db8:bad::1');
  });

  it('reports the most specific entry of each list', () => {
    expect(matcher.match('203.0.113.200')).toEqual([
      { ip: '203.0.113.200', listName: 'feed-b', cidr: '203.0.113.200/32' },
      { ip: '203.0.113.200', listName: 'feed-a', cidr: '203.0.113.128/25' },
    ]);
  });

  it('matches IPv4-mapped IPv6 callers as IPv4 and ignores non-addresses', () => {
    expect(matcher.match('::ffff:192.0.2.66')).toHaveLength(1);
    expect(matcher.match('192.0.2.67')).toEqual([]);
    expect(matcher.match('ec2.amazonaws.com')).toEqual([]);
    expect(matcher.match('AWS Internal')).toEqual([]);
  });

  it('does not depend on list size for lookups: 100,000 entries index by prefix', () => {
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i++) lines.push(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    const big = new ThreatIntelMatcher([parseThreatIntelList(lines.join('\n'), 'big')]);
    expect(big.size).toBe(100_000);
    expect(big.match('10.1.134.159')).toEqual([{ ip: '10.1.134.159', listName: 'big', cidr: '10.1.134.159/32' }]);
    expect(big.match('10.2.0.0')).toEqual([]);
  });
});

describe('threat-intel adapter', () => {
  it('the shipped example list parses cleanly and uses documentation ranges only', () => {
    const list = loadThreatIntelFile(EXAMPLE_THREAT_INTEL_FILE);
    expect(list.name).toBe('example-blocklist.txt');
    expect(list.errors).toEqual([]);
    expect(list.entries.length).toBeGreaterThan(0);
    const documentation = new ThreatIntelMatcher([parseThreatIntelList('192.0.2.0/24\n198.51.100.0/24\n203.0.113.0/24\n2001:db8::/32', 'doc')]);
    for (const entry of list.entries) expect(documentation.match(entry.cidr.split('/')[0])).toHaveLength(1);
    expect(readFileSync(EXAMPLE_THREAT_INTEL_FILE, 'utf8')).toMatch(/NOT real threat intelligence/);
  });

  it('loads the files named by THREAT_INTEL_FILES once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ti-'));
    const file = join(dir, 'team-list.txt');
    writeFileSync(file, '198.51.100.99\nbad line\n');
    const env = { THREAT_INTEL_FILES: `${file}, ${EXAMPLE_THREAT_INTEL_FILE}` };
    const loaded = threatIntelFromEnv(env);
    expect(threatIntelFromEnv(env)).toBe(loaded);
    expect(loaded.lists.map((l) => [l.name, l.errors.length])).toEqual([
      ['team-list.txt', 1],
      ['example-blocklist.txt', 0],
    ]);
    expect(loaded.matcher.match('198.51.100.99')[0]?.listName).toBe('team-list.txt');
    expect(threatIntelFromEnv({}).matcher.size).toBe(0);
  });

  it('builds a matcher from texts fetched elsewhere (S3)', () => {
    const { matcher, lists } = threatIntelMatcherFromTexts([{ name: 's3://bucket/list.txt', text: '192.0.2.0/28\n' }]);
    expect(lists[0].entries).toHaveLength(1);
    expect(matcher.match('192.0.2.15')[0]?.listName).toBe('s3://bucket/list.txt');
  });
});
