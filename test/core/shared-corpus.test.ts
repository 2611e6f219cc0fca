import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { readCloudTrailLog } from '../../lambdas/core/cloudtrail/read-log';

/**
 * The real, public CloudTrail samples of the workplace's shared corpus (`../shared/corpus/public`, beside
 * the project), when it is there: every CloudTrail log in it must be read completely by the streamed core,
 * with counts equal to those of a plain gunzip + JSON.parse of the same file. Without the corpus the suite
 * is skipped and says so.
 */
// TRAILHOUND_CORPUS points the same checks at any folder of logs (e.g. your own trail's).
const CORPUS = process.env.TRAILHOUND_CORPUS ?? join(__dirname, '..', '..', '..', 'shared', 'corpus', 'public');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

interface Plain {
  Records: { eventID?: string; errorCode?: string; eventSource?: string; responseElements?: { credentials?: { accessKeyId?: string } } | null }[];
}

function plainLog(path: string): Plain | undefined {
  if (!/\.json(\.gz)?$/.test(path)) return undefined;
  try {
    const bytes = readFileSync(path);
    const text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
    const parsed = JSON.parse(text) as Partial<Plain>;
    return Array.isArray(parsed.Records) ? (parsed as Plain) : undefined;
  } catch {
    return undefined;
  }
}

const logs = existsSync(CORPUS) ? files(CORPUS).map((path) => ({ path, plain: plainLog(path) })).filter((l) => l.plain !== undefined) : [];
const suite = logs.length > 0 ? describe : describe.skip;

suite(`CloudTrail logs of the shared corpus (${logs.length > 0 ? `${logs.length} files` : `none found at ${CORPUS}`})`, () => {
  it.each(logs.map((l) => [l.path.slice(CORPUS.length + 1), l] as const))('%s is read completely by the streamed core', async (_name, log) => {
    const plain = log.plain as Plain;
    const { digest, formatError } = await readCloudTrailLog(Readable.from([readFileSync(log.path)]));
    expect(formatError).toBeUndefined();
    expect(digest.counts.records).toBe(plain.Records.length);
    const distinct = new Set(plain.Records.map((r, i) => r.eventID ?? `#${i}`)).size;
    expect(digest.counts.accepted + digest.counts.rejected).toBe(distinct);
    const created = new Set(plain.Records.filter((r) => r.eventSource === 'sts.amazonaws.com' && !r.errorCode && r.responseElements?.credentials?.accessKeyId?.startsWith('ASIA')).map((r) => r.responseElements?.credentials?.accessKeyId));
    expect(new Set([...digest.sessionsCreated.values()].map((s) => s.sessionId))).toEqual(created);
  });
});
