import type { AsyncBuffer } from 'hyparquet';
import { readFlowParquet } from './read-parquet';
import { readFlowText, type FlowSink, type ReadFlowOutcome } from './read-text';

/** A flow log object's bytes: a stream for text delivery, random access for Parquet (its footer comes first). */
export type FlowObjectBody = { format: 'text'; body: AsyncIterable<Uint8Array | string> } | { format: 'parquet'; file: AsyncBuffer };

export function readFlowObject(object: FlowObjectBody, sink: FlowSink): Promise<ReadFlowOutcome> {
  return object.format === 'parquet' ? readFlowParquet(object.file, sink) : readFlowText(object.body, sink);
}
