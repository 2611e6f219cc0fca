/**
 * DynamoDB's item size, by its documented rule: attribute names and string values count their UTF-8 bytes,
 * numbers about one byte per two significant digits plus one, and each list or map element adds overhead.
 * dynalite counts UTF-16 units instead, so local mode would accept items that DynamoDB rejects: the writers
 * check this size themselves before they write.
 */
export const DYNAMODB_ITEM_LIMIT = 400 * 1024;

export function utf8Length(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

function numberSize(value: number): number {
  const digits = String(Math.abs(value)).replace(/[.\-e+]/g, '').replace(/^0+/, '').length || 1;
  return Math.ceil(digits / 2) + 1;
}

export function attributeValueSize(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8Length(value);
  if (typeof value === 'number') return numberSize(value);
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) {
    let size = 0;
    for (const element of value) size += attributeValueSize(element);
    return size;
  }
  if (Array.isArray(value)) {
    let size = 3;
    for (const element of value) size += 1 + attributeValueSize(element);
    return size;
  }
  if (typeof value === 'object') {
    let size = 3;
    for (const [name, element] of Object.entries(value as Record<string, unknown>)) {
      if (element === undefined) continue;
      size += 1 + utf8Length(name) + attributeValueSize(element);
    }
    return size;
  }
  return utf8Length(String(value));
}

/** Size of a whole item: its top-level attribute names plus values (no container overhead at the top). */
export function itemSize(item: object): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    size += utf8Length(name) + attributeValueSize(value);
  }
  return size;
}

/** Write units DynamoDB bills for one write of an item of this size: one per started KB. */
export function writeUnits(size: number): number {
  return Math.max(1, Math.ceil(size / 1024));
}

/** A string cut to at most `maxBytes` UTF-8 bytes, never in the middle of a character. */
export function truncateUtf8(value: string, maxBytes: number): string {
  if (utf8Length(value) <= maxBytes) return value;
  let cut = Buffer.from(value, 'utf8').subarray(0, maxBytes).toString('utf8');
  // A cut multibyte character decodes to U+FFFD: drop it.
  while (cut.endsWith('\uFFFD') && utf8Length(cut) > 0) cut = cut.slice(0, -1);
  return cut;
}
