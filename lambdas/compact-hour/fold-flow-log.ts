import { FlowHourAggregator, type FlowHour } from '../core/flowlogs/flow-aggregate';
import type { FlowLogKey } from '../core/flowlogs/flow-key';
import { readFlowObject, type FlowObjectBody } from '../core/flowlogs/read-object';
import { decompressed, isZlibError } from '../core/flowlogs/read-text';
import { WasmFlowHour } from '../core/flowlogs/wasm-flow-hour';
import { ObjectGoneError } from '../adapters/s3-objects';
import { log } from '../shared/log';

/**
 * Folds one flow log's files of an account-hour into its FlowHour. Text files in the default format go
 * through the WebAssembly flow kernel (wasm-flow-hour.ts: 3 to 5 times the JavaScript core's speed); when
 * the kernel cannot take the hour (a custom format, an IPv6 address, Parquet, a kernel limit) the files are
 * read again and folded by FlowHourAggregator, which covers every format. Both give the same FlowHour, item
 * for item (test/flowlogs/wasm-flow-hour.test.ts, fold-flow-log.test.ts), so which one ran never shows in
 * what is stored.
 */

/** Which core folds flow logs: the kernel with its fallback, or only the JavaScript one. */
export type FlowCore = 'kernel' | 'javascript';

export interface FlowLogFile {
  objectKey: string;
  bucket: string;
  key: string;
  name: FlowLogKey;
  /** Records of this account-hour in the file, as ingestion counted them (0: not known). */
  records: number;
}

export type OpenFlowObject = (bucket: string, key: string, format: 'text' | 'parquet') => Promise<FlowObjectBody>;

export interface FoldedFlowLog {
  hour: FlowHour;
  /** Names of the files read (the same file under two keys is read once). */
  filesRead: Set<string>;
  missingObjects: number;
  /** Files that could not be read to their end: their records before the damage are kept. */
  damagedObjects: number;
  core: FlowCore;
  /** Why the kernel did not fold the log, when it was tried. */
  fallbackReason?: string;
  /** Call when the hour is no longer read (its items encoded): the kernel instance it reads is free again. */
  release(): void;
  /**
   * Copies the hour out of the kernel's memory (just its rows and pairs) and frees the instance: call it before
   * folding another log whose hour is held at the same time, so that one compaction never holds an instance per log.
   */
  detach(): void;
}

/** The kernel's memory is laid out for this many records at least (about 40 MB in all: 180 bytes a record, 27 MB fixed). */
const MIN_KERNEL_RECORDS = 1 << 16;
/** Capacity when some file's count is not known (files named only by an earlier manifest). */
const UNKNOWN_KERNEL_RECORDS = 1 << 20;
/** Above this the hour goes to the JavaScript core (the kernel would need about 410 MB). */
export const MAX_KERNEL_RECORDS = 1 << 21;

/**
 * Kernel instances not in use. A fold takes one for as long as its result is read (the result is a view over the
 * instance's memory), so concurrent compactions (local mode runs several) never share one; `release()` gives it back.
 */
const idleKernels: WasmFlowHour[] = [];
/** Idle instances kept for the next folds (more are left to the garbage collector). */
const IDLE_KERNELS_KEPT = 2;

/** A kernel instance for the hour's records (reused when one is idle and large enough); none past the limit. */
function takeKernel(files: readonly FlowLogFile[]): WasmFlowHour | undefined {
  let records = 0;
  for (const file of files) records += file.records;
  // Too small a guess costs a second read by the JavaScript core (the kernel stops at its capacity), no more.
  if (files.some((file) => !(file.records > 0))) records = Math.max(records, UNKNOWN_KERNEL_RECORDS);
  if (records > MAX_KERNEL_RECORDS) return undefined;
  const capacity = Math.max(MIN_KERNEL_RECORDS, 2 ** Math.ceil(Math.log2(Math.max(records, 1))));
  // The most recently released first: its memory is the likeliest to be in the caches.
  for (let at = idleKernels.length - 1; at >= 0; at--) if (idleKernels[at].maxRecords >= capacity) return idleKernels.splice(at, 1)[0];
  // A larger instance replaces the idle ones: their memory goes before the new one takes its own.
  idleKernels.length = 0;
  try {
    return new WasmFlowHour(capacity);
  } catch (error) {
    // No memory for the instance (a function configured with too little): the JavaScript core folds the hour.
    if (!(error instanceof RangeError) && !(error instanceof (globalThis as unknown as { WebAssembly: { RuntimeError: typeof Error } }).WebAssembly.RuntimeError)) throw error;
    log.warn('flow kernel instance not created', { capacity, error: error.message });
    return undefined;
  }
}

function releaseKernel(kernel: WasmFlowHour): void {
  if (idleKernels.includes(kernel)) return;
  idleKernels.push(kernel);
  if (idleKernels.length > IDLE_KERNELS_KEPT) idleKernels.shift();
}

export async function foldFlowLog(files: readonly FlowLogFile[], accountId: string, hour: string, open: OpenFlowObject, core: FlowCore = 'kernel'): Promise<FoldedFlowLog> {
  if (core === 'kernel') {
    const why = files.some((file) => file.name.fileFormat === 'parquet') ? 'Parquet files' : undefined;
    const kernel = why ? undefined : takeKernel(files);
    if (kernel) {
      let folded: FoldedFlowLog | { reason: string };
      try {
        folded = await foldWithKernel(kernel, files, accountId, hour, open);
      } catch (error) {
        releaseKernel(kernel);
        throw error;
      }
      if ('hour' in folded) return folded;
      releaseKernel(kernel);
      return { ...(await foldWithJavaScript(files, accountId, hour, open)), fallbackReason: folded.reason };
    }
    return { ...(await foldWithJavaScript(files, accountId, hour, open)), fallbackReason: why ?? 'no kernel instance for the hour (more than 2,097,152 records, or no memory for one)' };
  }
  return foldWithJavaScript(files, accountId, hour, open);
}

/** Opens a file, or counts it missing (deleted since it was registered); undefined when skipped or gone. */
async function openOnce(file: FlowLogFile, filesRead: Set<string>, open: OpenFlowObject, counts: { missingObjects: number }): Promise<FlowObjectBody | undefined> {
  // The same file under two keys (a copy, an organization prefix beside an account one) counts once.
  if (filesRead.has(file.name.fileName)) return undefined;
  try {
    const body = await open(file.bucket, file.key, file.name.fileFormat);
    filesRead.add(file.name.fileName);
    return body;
  } catch (error) {
    if (!(error instanceof ObjectGoneError)) throw error;
    counts.missingObjects++;
    log.warn('flow log object gone before compaction', { objectKey: file.objectKey });
    return undefined;
  }
}

async function foldWithJavaScript(files: readonly FlowLogFile[], accountId: string, hour: string, open: OpenFlowObject): Promise<FoldedFlowLog> {
  const aggregator = new FlowHourAggregator(accountId, hour);
  const filesRead = new Set<string>();
  const counts = { missingObjects: 0, damagedObjects: 0 };
  for (const file of files) {
    const body = await openOnce(file, filesRead, open, counts);
    if (!body) continue;
    const outcome = await readFlowObject(body, { add: (record) => aggregator.add(record, file.name.accountId), reject: () => undefined });
    if (outcome.formatError) counts.damagedObjects++;
  }
  return { hour: aggregator.finish(), filesRead, ...counts, core: 'javascript', release: () => undefined, detach: () => undefined };
}

async function foldWithKernel(kernel: WasmFlowHour, files: readonly FlowLogFile[], accountId: string, hour: string, open: OpenFlowObject): Promise<FoldedFlowLog | { reason: string }> {
  const filesRead = new Set<string>();
  const counts = { missingObjects: 0, damagedObjects: 0 };
  kernel.begin(accountId, hour);
  for (const file of files) {
    const body = await openOnce(file, filesRead, open, counts);
    if (!body) continue;
    if (body.format !== 'text') return { reason: 'a Parquet body' };
    kernel.beginFile(file.name.accountId);
    let bytes = 0;
    try {
      for await (const chunk of decompressed(body.body)) {
        bytes += chunk.length;
        kernel.push(chunk);
      }
    } catch (error) {
      if (!isZlibError(error)) throw error;
      // As readFlowText: the lines before the damage are kept, the line it cut is not (no endFile()).
      counts.damagedObjects++;
      continue;
    }
    kernel.endFile();
    if (kernel.failed) break; // a kernel limit: the JavaScript core reads the log again
    // readFlowText's "empty object: no header line" (a whitespace-only object fails the kernel's header check).
    if (bytes === 0) counts.damagedObjects++;
  }
  const result = kernel.finish();
  if (!result.supported) return { reason: result.reason };
  let held = true;
  const release = (): void => {
    if (held) releaseKernel(kernel);
    held = false;
  };
  const detach = (): void => {
    if (!held) return;
    result.detach();
    release();
  };
  return { hour: result.hour, filesRead, ...counts, core: 'kernel', release, detach };
}
