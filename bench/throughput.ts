import { Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { readLogRecords } from '../lambdas/core/cloudtrail/read-log';
import { splitRecords } from '../lambdas/core/cloudtrail/record-splitter';
import { classifyLogKey } from '../lambdas/core/cloudtrail/log-key';
import { HourCompactor } from '../lambdas/core/storage/hour-compactor';
import { ObjectScan } from '../lambdas/core/storage/object-scan';

/**
 * Records per second of the ingest core and of the compaction core, each beside the floor any streaming
 * reader pays for the same bytes: streamed gunzip, the repo's record splitter, and JSON.parse of each record
 * (never a whole-document parse). Every path reads the same gzip bytes in 64 KB chunks, as from S3.
 */
export interface LoadedFile {
  key: string;
  gz: Buffer;
  accountId?: string;
}

export interface Throughput {
  /** Records timed (a prefix of the corpus's files, at most MAX_TIMED_RECORDS and whole files). */
  records: number;
  rawBytes: number;
  /** Best milliseconds per pass over the timed files. */
  floorMs: number;
  /** Below the floor: gunzip + JSON.parse of record slices cut beforehand (the splitter's work not timed). */
  parseOnlyMs: number;
  ingestMs: number;
  compactMs: number;
}

function chunks(bytes: Buffer, size = 64 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
    })(),
  );
}

async function streamedGunzip(gz: Buffer): Promise<AsyncIterable<Buffer>> {
  return chunks(gz).pipe(createGunzip());
}

/** The account a log object's key names (as ingestion reads it). */
function accountOfKey(key: string): string | undefined {
  return classifyLogKey(key).accountId;
}

/**
 * The floor: the repo's streamed reader (gunzip, record splitter, JSON.parse of each record) with a sink that
 * does nothing. What ingestion adds on top of it is validation and the ObjectScan.
 */
export async function floorPass(files: readonly LoadedFile[]): Promise<number> {
  let records = 0;
  for (const file of files) {
    await readLogRecords(chunks(file.gz), {
      addRaw: () => void records++,
      addUnparsable: () => void records++,
    });
  }
  return records;
}

export async function ingestPass(files: readonly LoadedFile[], retainedFrom: string): Promise<number> {
  let accepted = 0;
  for (const file of files) {
    const accountId = accountOfKey(file.key);
    const scan = new ObjectScan({ ...(accountId ? { fallbackAccountId: accountId } : {}), retainedFrom });
    await readLogRecords(chunks(file.gz), scan);
    scan.shares();
    accepted += scan.counts.accepted;
  }
  return accepted;
}

/** As lambdas/compact-hour/compact-hour.ts: every object of each account-hour re-read and merged. */
export async function compactPass(files: readonly LoadedFile[], hours: ReadonlyMap<string, number[]>, retainedFrom: string): Promise<number> {
  let events = 0;
  for (const [hourKey, fileIndexes] of hours) {
    const [accountId, hour] = hourKey.split('#') as [string, string];
    const compactor = new HourCompactor(accountId, hour, retainedFrom);
    for (const [objectIndex, fileIndex] of fileIndexes.entries()) {
      const file = files[fileIndex] as LoadedFile;
      await readLogRecords(chunks(file.gz), compactor.sinkFor(objectIndex, accountOfKey(file.key)));
    }
    events += compactor.finish().counts.events;
  }
  return events;
}

/** The account-hours each file contributes to (what ingestion registers), from one untimed scan. */
export async function hoursOfFiles(files: readonly LoadedFile[], retainedFrom: string): Promise<Map<string, number[]>> {
  const hours = new Map<string, number[]>();
  for (const [index, file] of files.entries()) {
    const accountId = accountOfKey(file.key);
    const scan = new ObjectScan({ ...(accountId ? { fallbackAccountId: accountId } : {}), retainedFrom });
    await readLogRecords(chunks(file.gz), scan);
    for (const share of scan.shares()) {
      const key = `${share.accountId}#${share.hour}`;
      hours.set(key, [...(hours.get(key) ?? []), index]);
    }
  }
  return hours;
}

/** Milliseconds per call of `fn`, repeated until at least `minMs` have passed (small corpora take microseconds). */
async function timePerPass(fn: () => Promise<unknown>, minMs = 250): Promise<number> {
  const start = process.hrtime.bigint();
  let passes = 0;
  let elapsed: number;
  do {
    await fn();
    passes++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  } while (elapsed < minMs);
  return elapsed / passes;
}

/** At most this many records are timed: rates do not depend on the count, and the machine is shared. */
export const MAX_TIMED_RECORDS = 20_000;

/**
 * Each path is warmed up once, then timed `runs` times in turn (so that load from other processes falls on
 * all of them alike); the best run of each is kept, the usual estimate of a cost under noise.
 */
export async function measureThroughput(allFiles: readonly LoadedFile[], retainedFrom: string, runs: number): Promise<Throughput> {
  const slices: Buffer[][] = [];
  const files: LoadedFile[] = [];
  let rawBytes = 0;
  let records = 0;
  for (const file of allFiles) {
    if (records >= MAX_TIMED_RECORDS) break;
    const raw = gunzipSync(file.gz);
    rawBytes += raw.length;
    const list: Buffer[] = [];
    for await (const record of splitRecords(chunks(raw))) list.push(Buffer.from(record));
    slices.push(list);
    files.push(file);
    records += list.length;
  }
  const hours = await hoursOfFiles(files, retainedFrom);
  const paths = {
    floor: () => floorPass(files),
    parseOnly: async () => {
      for (const [index, file] of files.entries()) {
        for await (const chunk of await streamedGunzip(file.gz)) void chunk;
        for (const record of slices[index] as Buffer[]) JSON.parse(record.toString('utf8'));
      }
    },
    ingest: () => ingestPass(files, retainedFrom),
    compact: () => compactPass(files, hours, retainedFrom),
  };
  const best: Record<keyof typeof paths, number> = { floor: Infinity, parseOnly: Infinity, ingest: Infinity, compact: Infinity };
  for (const fn of Object.values(paths)) await fn();
  for (let run = 0; run < runs; run++) {
    for (const [name, fn] of Object.entries(paths) as [keyof typeof paths, () => Promise<unknown>][]) best[name] = Math.min(best[name], await timePerPass(fn));
  }
  return { records, rawBytes, floorMs: best.floor, parseOnlyMs: best.parseOnly, ingestMs: best.ingest, compactMs: best.compact };
}
