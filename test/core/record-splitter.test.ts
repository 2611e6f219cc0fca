import { LogFormatError, splitRecords } from '../../lambdas/core/cloudtrail/record-splitter';

async function* chunked(text: string, sizes: number[]): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  let offset = 0;
  let i = 0;
  while (offset < bytes.length) {
    const size = sizes[i++ % sizes.length];
    yield bytes.subarray(offset, offset + size);
    offset += size;
  }
}

async function split(text: string, sizes = [1 << 20]): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const record of splitRecords(chunked(text, sizes))) out.push(JSON.parse(record.toString('utf8')));
  return out;
}

const tricky = [
  { eventName: 'A', s: 'quote " inside', t: 'backslash at end \\', u: '\\"', nested: { a: [1, { b: '}' }], c: '{[' } },
  { eventName: 'B', unicode: 'é漢字😀', esc: '\u0000\n\t', empty: {} },
  { eventName: 'C', arr: [[], [[]], '"]'] },
];

describe('splitRecords', () => {
  it('yields exactly the elements of Records, whatever the chunk boundaries', async () => {
    const doc = JSON.stringify({ Records: tricky });
    const expected = JSON.parse(doc).Records;
    for (const size of [1, 2, 3, 5, 7, 13, 64]) {
      expect(await split(doc, [size])).toEqual(expected);
    }
    // Uneven chunking, including boundaries right after backslashes.
    expect(await split(doc, [3, 1, 4, 1, 5, 9, 2, 6])).toEqual(expected);
  });

  it('finds Records after other top-level keys and ignores arrays that are not Records', async () => {
    const doc = JSON.stringify({ version: '1', Other: [{ eventName: 'no' }], Records: [{ eventName: 'yes' }], tail: { Records: [1] } });
    expect(await split(doc, [4])).toEqual([{ eventName: 'yes' }]);
  });

  it('accepts whitespace, pretty printing and a byte-order mark', async () => {
    const doc = '\ufeff \n' + JSON.stringify({ Records: tricky }, null, 2);
    expect(await split(doc, [10])).toEqual(tricky);
  });

  it('handles an empty Records array', async () => {
    expect(await split('{"Records":[]}')).toEqual([]);
  });

  it('yields the complete records before a truncation, then throws a LogFormatError', async () => {
    const doc = JSON.stringify({ Records: tricky });
    const cut = doc.slice(0, doc.indexOf('"eventName":"C"'));
    const seen: unknown[] = [];
    await expect(
      (async () => {
        for await (const record of splitRecords(chunked(cut, [7]))) seen.push(JSON.parse(record.toString()));
      })(),
    ).rejects.toThrow(LogFormatError);
    expect(seen).toEqual(tricky.slice(0, 2));
  });

  it.each([
    ['plain text', 'hello world', 'not a JSON object'],
    ['a JSON array', '[1,2]', 'not a JSON object'],
    ['an object without Records', '{"a":1}', 'no top-level "Records" array'],
    ['Records holding scalars', '{"Records":[1,2]}', 'not an object'],
    ['an empty document', '  ', 'empty document'],
  ])('rejects %s', async (_name, text, message) => {
    await expect(split(text)).rejects.toThrow(message);
  });
});
