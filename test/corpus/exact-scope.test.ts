import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStack } from '../../local/local-stack';
import { listLogFiles } from '../../local/log-files';
import { CORPUS_DIR, rawRecords } from './raw-corpus';

/**
 * Storage v2 on the real corpus: scopes are exact, at minute resolution and below, and the same logs under a
 * second key (the flat copy a user keeps next to AWSLogs/) count once. Ground truth is a plain count of the
 * raw records.
 */
const BERT_JAN = 'arn:aws:iam::123837392027:user/bert-jan';
const raw = rawRecords();
/**
 * bert-jan's own calls: his ARN, or (sign-in events such as CheckMfa log an IAMUser with no ARN) his user name
 * in his account.
 */
const isBertJan = (r: (typeof raw)[number]) =>
  r.userIdentity?.arn === BERT_JAN || (r.userIdentity?.type === 'IAMUser' && !r.userIdentity.arn && r.userIdentity.userName === 'bert-jan' && (r.userIdentity as { accountId?: string }).accountId === '123837392027');
const rawCalls = (from: string, to: string) => raw.filter((r) => isBertJan(r) && r.eventTime >= from && r.eventTime < to).length;

let dir: string;
let stack: LocalStack;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trailhound-exact-'));
  stack = await LocalStack.start({ dataDir: dir, inMemory: true });
  const files = listLogFiles(CORPUS_DIR);
  // The same files twice: under AWSLogs/ and under a second prefix (a copied bucket).
  await stack.upload([...files, ...files.map((f) => ({ ...f, key: f.key.replace(/^AWSLogs\//, 'AWSLogs/copy/AWSLogs/') }))]);
  await stack.drain();
});

afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('exact scopes on the real corpus', () => {
  it.each([
    ['2023-07-10T12:00:00Z', '2023-07-10T12:05:00Z'],
    ['2023-07-10T11:58:30Z', '2023-07-10T12:01:15Z'],
    ['2023-07-10T11:00:00Z', '2023-07-10T13:00:00Z'],
  ])('counts bert-jan\'s calls in [%s, %s) as the raw records do, once though each file arrived twice', async (from, to) => {
    const expected = rawCalls(from, to);
    const items = await stack.queries.activityItems(`iam-user#${BERT_JAN}`, from, to);
    expect(items.reduce((n, item) => n + item.total, 0)).toBe(expected);
    expect(expected).toBeGreaterThan(0);
  });

  it('gives the same per-minute volumes as the raw records', async () => {
    const [hour] = await stack.queries.hourItems(`iam-user#${BERT_JAN}`, '2023-07-10T12:00:00Z', '2023-07-10T13:00:00Z');
    const rawMinutes: Record<string, number> = {};
    for (const r of raw) if (isBertJan(r) && r.eventTime.startsWith('2023-07-10T12')) rawMinutes[r.eventTime.slice(14, 16)] = (rawMinutes[r.eventTime.slice(14, 16)] ?? 0) + 1;
    expect(Object.fromEntries(Object.entries(hour.minutes).map(([minute, [calls]]) => [minute, calls]))).toEqual(rawMinutes);
  });
});
