/**
 * A minimal Parquet writer for test fixtures (no Parquet writer is installed, and none may be downloaded):
 * flat schemas of OPTIONAL INT32, INT64 and UTF-8 BYTE_ARRAY columns, PLAIN encoding, uncompressed, one data
 * page per column chunk, any number of row groups. Thrift compact protocol written by hand, after the
 * Parquet format specification (parquet.thrift).
 */
export type ParquetColumnType = 'int32' | 'int64' | 'string';
export interface ParquetColumn {
  name: string;
  type: ParquetColumnType;
}
export type ParquetValue = number | bigint | string | null;

class Thrift {
  bytes: number[] = [];
  private lastField: number[] = [0];

  varint(value: bigint): void {
    let v = value;
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) byte |= 0x80;
      this.bytes.push(byte);
    } while (v > 0n);
  }
  zigzag(value: number | bigint): void {
    const v = BigInt(value);
    this.varint(v >= 0n ? v << 1n : ((-v) << 1n) - 1n);
  }
  field(id: number, type: number): void {
    const delta = id - this.lastField[this.lastField.length - 1];
    if (delta > 0 && delta <= 15) this.bytes.push((delta << 4) | type);
    else {
      this.bytes.push(type);
      this.zigzag(id);
    }
    this.lastField[this.lastField.length - 1] = id;
  }
  i32(id: number, value: number): void {
    this.field(id, 5);
    this.zigzag(value);
  }
  i64(id: number, value: number | bigint): void {
    this.field(id, 6);
    this.zigzag(value);
  }
  binary(id: number, value: string): void {
    this.field(id, 8);
    this.rawBinary(value);
  }
  rawBinary(value: string): void {
    const bytes = Buffer.from(value, 'utf8');
    this.varint(BigInt(bytes.length));
    this.bytes.push(...bytes);
  }
  list(id: number, elementType: number, size: number): void {
    this.field(id, 9);
    if (size < 15) this.bytes.push((size << 4) | elementType);
    else {
      this.bytes.push(0xf0 | elementType);
      this.varint(BigInt(size));
    }
  }
  begin(id?: number): void {
    if (id !== undefined) this.field(id, 12);
    this.lastField.push(0);
  }
  end(): void {
    this.bytes.push(0);
    this.lastField.pop();
  }
}

const PHYSICAL = { int32: 1, int64: 2, string: 6 } as const;

function plainValues(type: ParquetColumnType, values: ParquetValue[]): Buffer {
  const parts: Buffer[] = [];
  for (const value of values) {
    if (value === null) continue;
    if (type === 'int32') {
      const b = Buffer.alloc(4);
      b.writeInt32LE(Number(value));
      parts.push(b);
    } else if (type === 'int64') {
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(BigInt(value));
      parts.push(b);
    } else {
      const s = Buffer.from(String(value), 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32LE(s.length);
      parts.push(length, s);
    }
  }
  return Buffer.concat(parts);
}

/** Definition levels (bit width 1) as RLE runs of one value each, prefixed by their byte length. */
function definitionLevels(values: ParquetValue[]): Buffer {
  const runs = Buffer.from(values.flatMap((value) => [0x02, value === null ? 0 : 1]));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(runs.length);
  return Buffer.concat([length, runs]);
}

export function writeParquet(columns: readonly ParquetColumn[], rowGroups: readonly ParquetValue[][][]): Buffer {
  const chunks: Buffer[] = [Buffer.from('PAR1')];
  let offset = 4;
  const groupMeta: { columns: { offset: number; size: number; values: number }[]; rows: number }[] = [];
  for (const rows of rowGroups) {
    const meta = { columns: [] as { offset: number; size: number; values: number }[], rows: rows.length };
    columns.forEach((column, index) => {
      const values = rows.map((row) => row[index]);
      const data = Buffer.concat([definitionLevels(values), plainValues(column.type, values)]);
      const header = new Thrift();
      header.begin();
      header.i32(1, 0);
      header.i32(2, data.length);
      header.i32(3, data.length);
      header.begin(5);
      header.i32(1, values.length);
      header.i32(2, 0);
      header.i32(3, 3);
      header.i32(4, 3);
      header.end();
      header.end();
      const page = Buffer.concat([Buffer.from(header.bytes), data]);
      meta.columns.push({ offset, size: page.length, values: values.length });
      chunks.push(page);
      offset += page.length;
    });
    groupMeta.push(meta);
  }
  const footer = new Thrift();
  footer.begin();
  footer.i32(1, 1);
  footer.list(2, 12, columns.length + 1);
  footer.begin();
  footer.binary(4, 'schema');
  footer.i32(5, columns.length);
  footer.end();
  for (const column of columns) {
    footer.begin();
    footer.i32(1, PHYSICAL[column.type]);
    footer.i32(3, 1);
    footer.binary(4, column.name);
    if (column.type === 'string') footer.i32(6, 0);
    footer.end();
  }
  footer.i64(3, rowGroups.reduce((sum, rows) => sum + rows.length, 0));
  footer.list(4, 12, groupMeta.length);
  for (const group of groupMeta) {
    footer.begin();
    footer.list(1, 12, group.columns.length);
    group.columns.forEach((chunk, index) => {
      footer.begin();
      footer.i64(2, chunk.offset);
      footer.begin(3);
      footer.i32(1, PHYSICAL[columns[index].type]);
      footer.list(2, 5, 2);
      footer.zigzag(0);
      footer.zigzag(3);
      footer.list(3, 8, 1);
      footer.rawBinary(columns[index].name);
      footer.i32(4, 0);
      footer.i64(5, chunk.values);
      footer.i64(6, chunk.size);
      footer.i64(7, chunk.size);
      footer.i64(9, chunk.offset);
      footer.end();
      footer.end();
    });
    footer.i64(2, group.columns.reduce((sum, chunk) => sum + chunk.size, 0));
    footer.i64(3, group.rows);
    footer.end();
  }
  footer.end();
  const footerBytes = Buffer.from(footer.bytes);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(footerBytes.length);
  chunks.push(footerBytes, length, Buffer.from('PAR1'));
  return Buffer.concat(chunks);
}
