import { join } from 'node:path';
import { listLogFiles, type LogFile } from '../local/log-files';
import { generatedCorpus } from './corpora';

/**
 * What the console benches (console-render.ts, summary-reads.ts) read: the real corpus by default, a folder,
 * or a generated organization of about RECORDS records (10 accounts × 3 regions, one hour).
 */
export function consoleBenchFiles(options: { logs?: string; synthetic?: string }): { files: LogFile[]; label: string } {
  if (options.synthetic) {
    const records = Number(options.synthetic);
    const corpus = generatedCorpus('console', { accounts: 10, regions: 3, recordsPerFile: Math.max(1, Math.ceil(records / 360)) });
    return { files: corpus.files, label: `synthetic organization, ${corpus.records.toLocaleString('en-US')} records` };
  }
  const dir = options.logs ?? join(__dirname, '..', 'test', 'fixtures', 'corpus', 'invictus-aws-dataset');
  return { files: listLogFiles(dir), label: dir };
}

const HOUR = 3_600_000;

/** The last 24 hours of the data: up to the whole hour after the newest object's delivery time (from its key). */
export function lastDayOf(files: readonly LogFile[]): { from: string; to: string } {
  const delivered = files.map((f) => Date.parse((/_(\d{8}T\d{4})Z_/.exec(f.key)?.[1] ?? '').replace(/(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})/, '$1-$2-$3T$4:$5:00Z')));
  const newest = Math.max(...delivered.filter(Number.isFinite));
  const to = new Date(Math.ceil((newest + 1) / HOUR) * HOUR).toISOString();
  return { from: new Date(Date.parse(to) - 24 * HOUR).toISOString(), to };
}

/** A JSON POST to the local API server. */
export function jsonPoster(baseUrl: string): <T>(path: string, body: object) => Promise<T> {
  return async <T>(path: string, body: object): Promise<T> => (await (await fetch(`${baseUrl}${path}`, { method: 'POST', body: JSON.stringify(body) })).json()) as T;
}
