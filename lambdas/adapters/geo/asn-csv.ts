import { readFileSync } from 'node:fs';
import type { AutonomousSystem } from '../../core/analysis/geo';
import { parseIp } from '../../core/analysis/geo';

/**
 * Address → autonomous system from ip-location-db's ASN CSV files (`@ip-location-db/asn`): rows of
 * `range_start,range_end,as_number,as_organization`, sorted by range start, with the range either as numbers
 * (`-num.csv`) or as addresses. No MaxMind-format ASN database with organisation names is published on npm,
 * so this table is the packaged default; a MaxMind GeoLite2-ASN file can replace it (see index.ts).
 *
 * Tables are searched by bisection: a lookup is ~20 comparisons.
 */

function unquote(field: string): string {
  const trimmed = field.trim();
  if (trimmed.length >= 2 && trimmed.charCodeAt(0) === 34 && trimmed.endsWith('"')) return trimmed.slice(1, -1).replace(/""/g, '"');
  return trimmed;
}

const DIGITS = /^\d+$/;
const MAX_EXACT_DIGITS = 15; // every 15-digit decimal is exact as a double

/** An address or a decimal number to its integer value (a number when exact as a double, else a bigint). */
export function boundOf(field: string): number | bigint | undefined {
  if (DIGITS.test(field)) return field.length <= MAX_EXACT_DIGITS ? Number(field) : BigInt(field);
  const address = parseIp(field);
  if (!address) return undefined;
  const bytes = address.toByteArray();
  if (bytes.length === 4) return ((bytes[0] * 256 + bytes[1]) * 256 + bytes[2]) * 256 + bytes[3];
  return BigInt(`0x${bytes.map((b) => b.toString(16).padStart(2, '0')).join('')}`);
}

/** Fast path for the `-num.csv` files: a short run of digits parsed in place, without slicing a string. */
function decimalAt(text: string, from: number, to: number): number | undefined {
  if (to <= from || to - from > MAX_EXACT_DIGITS) return undefined;
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return value;
}

function fieldValue(text: string, from: number, to: number): number | bigint | undefined {
  return decimalAt(text, from, to) ?? boundOf(text.slice(from, to).trim());
}

/**
 * A sorted, searchable range table. IPv4 bounds fit exactly in doubles and are kept in Float64Arrays; IPv6
 * bounds need bigints. Organisation names are not copied out at load time: the table keeps the file's text and
 * the offsets of each name, and slices a name only when a lookup returns it. That keeps loading ~400,000 IPv4
 * rows to a fraction of a second (building 400,000 strings, or hashing them to deduplicate, costs far more).
 */
export class AsnRangeTable {
  private constructor(
    private readonly text: string,
    private readonly starts: Float64Array | bigint[],
    private readonly ends: Float64Array | bigint[],
    private readonly asns: Uint32Array,
    private readonly orgStarts: Uint32Array,
    private readonly orgEnds: Uint32Array,
  ) {}

  static fromCsv(text: string): AsnRangeTable {
    const starts: (number | bigint)[] = [];
    const ends: (number | bigint)[] = [];
    const asns: number[] = [];
    const orgStarts: number[] = [];
    const orgEnds: number[] = [];
    let wide = false;
    let lineStart = 0;
    while (lineStart < text.length) {
      let lineEnd = text.indexOf('\n', lineStart);
      if (lineEnd < 0) lineEnd = text.length;
      const c1 = text.indexOf(',', lineStart);
      const c2 = c1 < 0 ? -1 : text.indexOf(',', c1 + 1);
      const c3 = c2 < 0 ? -1 : text.indexOf(',', c2 + 1);
      const from = lineStart;
      lineStart = lineEnd + 1;
      if (c3 < 0 || c3 > lineEnd || text.charCodeAt(from) === 35 /* # */) continue;
      const start = fieldValue(text, from, c1);
      const end = fieldValue(text, c1 + 1, c2);
      const asn = decimalAt(text, c2 + 1, c3);
      if (start === undefined || end === undefined || asn === undefined || asn <= 0) continue;
      if (typeof start === 'bigint' || typeof end === 'bigint' || end > Number.MAX_SAFE_INTEGER) wide = true;
      starts.push(start);
      ends.push(end);
      asns.push(asn);
      orgStarts.push(c3 + 1);
      orgEnds.push(text.charCodeAt(lineEnd - 1) === 13 ? lineEnd - 1 : lineEnd);
    }
    // Bisection needs rows sorted by start: the published files are; sort a user-supplied one that is not.
    // (Relational operators compare numbers with bigints exactly, so no conversion is needed to check.)
    const isSorted = starts.every((v, i) => i === 0 || starts[i - 1] <= v);
    const order = isSorted ? undefined : [...starts.keys()].sort((a, b) => (starts[a] < starts[b] ? -1 : starts[a] > starts[b] ? 1 : 0));
    const pick = <T>(values: T[]): T[] => (order ? order.map((i) => values[i]) : values);
    const bounds = (values: (number | bigint)[]) => (wide ? pick(values).map((v) => BigInt(v)) : Float64Array.from(pick(values) as number[]));
    return new AsnRangeTable(text, bounds(starts), bounds(ends), Uint32Array.from(pick(asns)), Uint32Array.from(pick(orgStarts)), Uint32Array.from(pick(orgEnds)));
  }

  static fromFile(path: string): AsnRangeTable {
    return AsnRangeTable.fromCsv(readFileSync(path, 'utf8'));
  }

  get size(): number {
    return this.starts.length;
  }

  lookup(value: number | bigint): AutonomousSystem | undefined {
    const wide = !(this.starts instanceof Float64Array);
    if (!wide && typeof value === 'bigint') {
      if (value > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
      value = Number(value);
    }
    const key = wide ? BigInt(value) : value;
    let lo = 0;
    let hi = this.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid] <= key) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0 || key > this.ends[found]) return undefined;
    const organization = unquote(this.text.slice(this.orgStarts[found], this.orgEnds[found]));
    return organization ? { number: this.asns[found], organization } : { number: this.asns[found] };
  }
}

/** Both families, each table loaded on its first lookup (most investigations never see an IPv6 caller). */
export class CsvAsnDatabase {
  private v4?: AsnRangeTable;
  private v6?: AsnRangeTable;

  constructor(private readonly files: { ipv4?: string; ipv6?: string }) {}

  lookup(ip: string): AutonomousSystem | undefined {
    const address = parseIp(ip);
    if (!address) return undefined;
    const value = boundOf(address.toString());
    if (value === undefined) return undefined;
    if (address.kind() === 'ipv4') {
      if (!this.files.ipv4) return undefined;
      this.v4 ??= AsnRangeTable.fromFile(this.files.ipv4);
      return this.v4.lookup(value);
    }
    if (!this.files.ipv6) return undefined;
    this.v6 ??= AsnRangeTable.fromFile(this.files.ipv6);
    return this.v6.lookup(value);
  }
}
