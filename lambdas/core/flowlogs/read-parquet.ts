import { parquetMetadataAsync, parquetRead, parquetSchema, type AsyncBuffer } from 'hyparquet';
import { FlowFormatError, flowFormatOf, parseFlowColumns } from './flow-format';
import type { FlowSink, ReadFlowOutcome } from './read-text';
import { ByteSourceError } from './byte-source-error';

/**
 * Reads a Parquet flow log object (`FileFormat: parquet`) into `sink`, one row group at a time: memory holds
 * the footer and one row group's columns, never the file. Columns are the text format's fields with
 * underscores (`account_id`); every value goes through the same checks as a text record, so a Parquet and a
 * text delivery of the same flows give the same records. A damaged file ends with `formatError`, keeping the
 * row groups read before the damage. The file is any random-access byte source (S3 ranged GETs, a buffer).
 */
/** First read of the footer: flow log footers are a few KB. */
const FOOTER_FETCH_BYTES = 64 * 1024;

export async function readFlowParquet(file: AsyncBuffer, sink: FlowSink): Promise<ReadFlowOutcome> {
  let lines = 0;
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    // The footer is read from the end; a small first fetch (hyparquet fetches more when the footer is longer).
    metadata = await parquetMetadataAsync(file, { initialFetchSize: FOOTER_FETCH_BYTES });
  } catch (error) {
    if (isSourceError(error)) throw error;
    return { formatError: `parquet: ${messageOf(error)}`, lines };
  }
  const columns = parquetSchema(metadata).children.map((child) => child.element.name);
  let format: ReturnType<typeof flowFormatOf>;
  try {
    format = flowFormatOf(columns);
  } catch (error) {
    if (error instanceof FlowFormatError) return { formatError: `not a flow log: ${error.message}`, lines };
    throw error;
  }
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: unknown[][] = [];
    try {
      await parquetRead({ file, metadata, columns, rowStart, rowEnd, onComplete: (read: unknown[][]) => void (rows = read) });
    } catch (error) {
      if (isSourceError(error)) throw error;
      return { formatError: `parquet: ${messageOf(error)}`, lines };
    }
    for (const row of rows) {
      lines++;
      const parsed = parseFlowColumns(format, row.map(textOf));
      if (parsed.ok) sink.add(parsed.record);
      else sink.reject(parsed.reason);
    }
    rowStart = rowEnd;
  }
  return { lines };
}

/** A Parquet value as the text format would write it: `-` for null. */
function textOf(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return '\u0000unsupported';
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 200);
}

function isSourceError(error: unknown): boolean {
  return error instanceof ByteSourceError || (error as { name?: string } | null)?.name === 'ByteSourceError';
}
