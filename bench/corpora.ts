import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { listLogFiles, type LogFile } from '../local/log-files';
import { HOUR_START, writeOrgCorpus, type Corpus, type CorpusOptions } from './org-corpus';

/**
 * The corpora the benchmark runs on: generated organizations (cached under the OS temp folder, since
 * generating 60,000 records takes a while and the same options always give the same bytes) and the real
 * corpus, read where it lies.
 */
export interface NamedCorpus extends Corpus {
  name: string;
  /** Human description of its shape. */
  shape: string;
  /** Its oldest eventTime: the run's retention must reach back to it, or ingestion would drop the events. */
  oldestEvent: string;
}

const CACHE_VERSION = 1;

export function generatedCorpus(name: string, options: CorpusOptions): NamedCorpus {
  const id = `v${CACHE_VERSION}-s${options.seed ?? 1}-f${options.recordsPerFile}-a${options.firstAccount ?? 0}+${options.accounts}-r${options.regions}`;
  const dir = join(tmpdir(), 'trailhound-bench-corpus', id);
  const manifest = join(dir, 'manifest.json');
  const shape = `${options.accounts} account(s) × ${options.regions} region(s), 12 files/hour of ~${options.recordsPerFile} records`;
  const oldestEvent = new Date(HOUR_START - 86_400_000).toISOString();
  if (existsSync(manifest)) return { name, shape, oldestEvent, ...(JSON.parse(readFileSync(manifest, 'utf8')) as Corpus) };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const corpus = writeOrgCorpus(dir, options);
  writeFileSync(manifest, JSON.stringify(corpus));
  return { name, shape, oldestEvent, ...corpus };
}

/** The default location of the Invictus Stratus dataset: the test fixture if present, else the shared copy. */
export function defaultRealCorpusDir(repoRoot: string): string | undefined {
  const candidates = [
    join(repoRoot, 'test', 'fixtures', 'corpus', 'invictus-aws-dataset'),
    resolve(repoRoot, '..', 'shared', 'corpus', 'public', 'invictus-aws-dataset'),
    resolve(repoRoot, '..', '..', 'shared', 'corpus', 'public', 'invictus-aws-dataset'),
  ];
  return candidates.find((dir) => existsSync(dir));
}

export function realCorpus(dir: string): NamedCorpus {
  const files: LogFile[] = listLogFiles(dir).filter((file) => /\.json(\.gz)?$/.test(file.key) && !file.key.includes('CloudTrail-Digest'));
  let records = 0;
  let rawBytes = 0;
  let gzipBytes = 0;
  let oldestEvent = new Date().toISOString();
  for (const file of files) {
    const body = readFileSync(file.path);
    const raw = body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : body;
    gzipBytes += body.length;
    rawBytes += raw.length;
    const parsed = JSON.parse(raw.toString('utf8')) as { Records?: { eventTime?: unknown }[] };
    for (const record of parsed.Records ?? []) {
      records++;
      if (typeof record.eventTime === 'string' && record.eventTime < oldestEvent) oldestEvent = record.eventTime;
    }
  }
  return { name: 'real', shape: `${dir} (${files.length} files)`, oldestEvent, files, records, rawBytes, gzipBytes };
}
