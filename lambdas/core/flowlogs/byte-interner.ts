/**
 * Strings of checked values, found by their bytes: a flow log names the same interfaces, accounts and peers
 * over and over, so once a value has been checked and decoded, later records get the same string back
 * without decoding, checking or allocating anything. Open addressing on a hash of the bytes; bounded: when
 * full, it is emptied and fills again (a file of ever-new values costs a decode each, as without it).
 */
export class ByteInterner {
  private readonly slots: Int32Array;
  private readonly hashes: Int32Array;
  private readonly offsets: Int32Array;
  private readonly lengths: Int32Array;
  private readonly strings: string[] = [];
  private readonly pool: Uint8Array;
  private poolUsed = 0;
  private readonly mask: number;

  /**
   * @param maxEntries values held before the table is emptied (a power of two).
   * @param maxBytes the longest value worth keeping; longer ones are decoded every time.
   */
  constructor(
    private readonly maxEntries = 16_384,
    readonly maxBytes = 64,
  ) {
    const size = maxEntries * 2;
    this.mask = size - 1;
    this.slots = new Int32Array(size).fill(-1);
    this.hashes = new Int32Array(maxEntries);
    this.offsets = new Int32Array(maxEntries);
    this.lengths = new Int32Array(maxEntries);
    this.pool = new Uint8Array(maxEntries * 32);
  }

  get size(): number {
    return this.strings.length;
  }

  /** The string held for bytes [start, end), or undefined. `hash` is hashBytes of the same bytes. */
  find(bytes: Uint8Array, start: number, end: number, hash: number): string | undefined {
    const length = end - start;
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = this.slots[slot];
      if (entry < 0) return undefined;
      if (this.hashes[entry] !== hash || this.lengths[entry] !== length) continue;
      const offset = this.offsets[entry];
      let i = 0;
      while (i < length && this.pool[offset + i] === bytes[start + i]) i++;
      if (i === length) return this.strings[entry];
    }
  }

  /** Holds `text` as the string of bytes [start, end) (the caller checked it is not held yet). */
  add(bytes: Uint8Array, start: number, end: number, hash: number, text: string): void {
    const length = end - start;
    if (length > this.maxBytes) return;
    if (this.strings.length >= this.maxEntries || this.poolUsed + length > this.pool.length) this.clear();
    const entry = this.strings.length;
    this.strings.push(text);
    this.hashes[entry] = hash;
    this.offsets[entry] = this.poolUsed;
    this.lengths[entry] = length;
    this.pool.set(bytes.subarray(start, end), this.poolUsed);
    this.poolUsed += length;
    let slot = hash & this.mask;
    while (this.slots[slot] >= 0) slot = (slot + 1) & this.mask;
    this.slots[slot] = entry;
  }

  clear(): void {
    this.slots.fill(-1);
    this.strings.length = 0;
    this.poolUsed = 0;
  }
}

/** FNV-1a of bytes [start, end), as a 32-bit integer. */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
  return hash;
}
