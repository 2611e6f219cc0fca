import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { LOCK_FILE } from '../../local/data-folder';
import { LocalStack } from '../../local/local-stack';
import { REPO_ROOT, runCli, type CliRun } from '../helpers/run-cli';

/**
 * `npm start` as a user runs it, in a child process: output free of terminal controls from crafted logs,
 * one-line errors, no API port with --no-serve, a clear refusal when another process holds the data
 * folder, and a GuardDuty events file with a bad line delivered all the same.
 */
const ROOT = REPO_ROOT;
const INCIDENT_EVENTS = join(ROOT, 'test', 'fixtures', 'guardduty', 'incident-events.jsonl');
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const CRAFTED_NAME = 'mallory\x1b[2J\x1b]0;pwned\x07\u202etxt.exe\u0085';

/** A CloudTrail log whose IAM user name tries to clear the screen, retitle the window and reverse text. */
function writeCraftedLog(dir: string): void {
  const records = [0, 1, 2].map((i) => ({
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLEMALLORY', arn: `arn:aws:iam::111122223333:user/${CRAFTED_NAME}`, accountId: '111122223333', accessKeyId: 'AKIAEXAMPLEMALLORY', userName: CRAFTED_NAME },
    eventTime: `2026-10-22T10:0${i}:00Z`,
    eventSource: 's3.amazonaws.com',
    eventName: 'ListBuckets',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'curl\x1b[31m',
    requestParameters: null,
    responseElements: null,
    requestID: `request-${i}`,
    eventID: `00000000-0000-4000-8000-00000000000${i}`,
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '111122223333',
    eventCategory: 'Management',
  }));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, '111122223333_CloudTrail_us-east-1_20261022T1000Z_crafted000000.json.gz'), gzipSync(JSON.stringify({ Records: records })));
}

function occupyPort(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'trailhound-cli-'));
  writeCraftedLog(join(root, 'logs'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('npm start', () => {
  it('with --no-serve binds no API port, prints crafted names escaped, and delivers a GuardDuty file past its bad line', async () => {
    const events = readFileSync(INCIDENT_EVENTS, 'utf8').trim().split('\n');
    const eventsFile = join(root, 'events.jsonl');
    writeFileSync(eventsFile, [events[0], '{"detail-type": "GuardDuty Finding", truncated', ...events.slice(1)].join('\n'));
    // The API port is taken: a run that binds it fails with "port … is in use".
    const blocker = await occupyPort();
    const port = (blocker.address() as { port: number }).port;
    const dataDir = join(root, 'no-serve');
    let run: CliRun;
    try {
      run = await runCli(['--no-serve', '--port', String(port), '--logs', join(root, 'logs'), '--data', dataDir, '--guardduty-events', eventsFile]);
    } finally {
      blocker.close();
    }
    expect({ code: run.code, stderr: run.stderr.includes('in use') ? run.stderr : '' }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).not.toContain('Investigations API');

    const unsafeLines = run.stdout.split('\n').filter((line) => UNSAFE.test(line));
    expect(unsafeLines).toEqual([]);
    expect(run.stdout).toContain('mallory\\x1b[2J\\x1b]0;pwned\\x07\\u202etxt.exe\\x85');

    expect(run.stdout).toMatch(/GuardDuty findings from .*events\.jsonl: .*1 unreadable/);
    expect(run.stdout).toMatch(/✗ line 2: not JSON .*\(skipped\)/);
    const delivered = /GuardDuty findings from [^:]+: ([^\n]*)/.exec(run.stdout)?.[1] ?? '';
    const total = [...delivered.matchAll(/(\d+) (started|already-started|skipped|stale|rejected|failed)/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(total).toBe(events.length);
    // The lock is released on exit.
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  });

  it('refuses a data folder another process holds, in one line; the stack only with DEBUG=1', async () => {
    const dataDir = join(root, 'busy');
    const holder = await LocalStack.start({ dataDir, inMemory: true });
    try {
      const args = ['investigate', '--data', dataDir, '--logs', join(root, 'logs'), '--entity', 'arn:aws:iam::111122223333:role/Admin', '--from', '2026-10-22T00:00:00Z', '--to', '2026-10-22T12:00:00Z'];
      const run = await runCli(args);
      expect(run.code).toBe(1);
      expect(run.stderr.trim().split('\n')).toEqual([`trailhound: data folder ${dataDir} is in use by process ${process.pid} (since ${JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8')).startedAt}); stop it or choose another --data`]);
      const debug = await runCli(args, { DEBUG: '1' });
      expect(debug.code).toBe(1);
      expect(debug.stderr).toMatch(/\n\s+at openDataFolder /);
    } finally {
      await holder.stop();
    }
  });

  it('refuses --fresh on a folder it did not create, in one line, deleting nothing', async () => {
    const precious = join(root, 'precious');
    mkdirSync(precious);
    writeFileSync(join(precious, 'thesis.tex'), 'years of work');
    const run = await runCli(['--fresh', '--no-serve', '--data', precious, '--logs', join(root, 'logs')]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(`refusing --fresh: ${precious} was not created by Trailhound`);
    expect(readdirSync(precious)).toEqual(['thesis.tex']);
  });

  it('prints an unexpected error in one line, without a stack trace', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    const run = await runCli(['--no-serve', '--data', join(file, 'below'), '--logs', join(root, 'logs')]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^trailhound: .*ENOTDIR.*\(--debug for details\)$/)]);
  });
});
