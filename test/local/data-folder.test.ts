import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataFolderError, LOCK_FILE, MARKER_FILE, TRASH_PREFIX, openDataFolder } from '../../local/data-folder';
import { startEmbeddedServices } from '../../local/embedded-services';

/**
 * `--data` may name any folder: `--fresh` must empty only one Trailhound created, and two processes must
 * not share one (the second used to crash with "Database is closed").
 */
let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'trailhound-data-folder-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** The pid of a process that has exited: its lock is stale. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('--fresh', () => {
  it('empties a folder Trailhound created at once, keeping its marker, and deletes what it moved aside in the background', async () => {
    const dir = join(root, 'created');
    openDataFolder(dir).release();
    expect(readdirSync(dir)).toEqual([MARKER_FILE]);
    writeFileSync(join(dir, 'trailhound.log'), 'old');
    mkdirSync(join(dir, 'dynamodb'));
    writeFileSync(join(dir, 'dynamodb', 'CURRENT'), 'MANIFEST-000002\n');
    const folder = openDataFolder(dir, { fresh: true });
    expect(readdirSync(dir).filter((entry) => !entry.startsWith(TRASH_PREFIX)).sort()).toEqual([MARKER_FILE, LOCK_FILE].sort());
    await folder.trashDeleted;
    expect(readdirSync(dir).sort()).toEqual([MARKER_FILE, LOCK_FILE].sort());
    folder.release();
  });

  it('deletes the trash a run that ended early left behind, but only in a folder Trailhound created', async () => {
    const dir = join(root, 'created');
    openDataFolder(dir).release();
    mkdirSync(join(dir, `${TRASH_PREFIX}1-2`, 'dynamodb'), { recursive: true });
    const folder = openDataFolder(dir);
    await folder.trashDeleted;
    expect(readdirSync(dir).sort()).toEqual([MARKER_FILE, LOCK_FILE].sort());
    folder.release();

    const other = join(root, 'other');
    mkdirSync(join(other, `${TRASH_PREFIX}1-2`), { recursive: true });
    writeFileSync(join(other, 'notes.txt'), 'keep me');
    const unmarked = openDataFolder(other);
    await unmarked.trashDeleted;
    expect(readdirSync(other).sort()).toEqual([`${TRASH_PREFIX}1-2`, LOCK_FILE, 'notes.txt'].sort());
    unmarked.release();
  });

  it('refuses a folder Trailhound did not create, in one line, deleting nothing', () => {
    const precious = join(root, 'home');
    mkdirSync(join(precious, 'Documents'), { recursive: true });
    writeFileSync(join(precious, 'notes.txt'), 'keep me');
    let error: unknown;
    try {
      openDataFolder(precious, { fresh: true });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(DataFolderError);
    expect((error as Error).message).toMatch(/^refusing --fresh: .*home was not created by Trailhound/);
    expect((error as Error).message).not.toContain('\n');
    expect(readdirSync(precious).sort()).toEqual(['Documents', 'notes.txt']);
    expect(readFileSync(join(precious, 'notes.txt'), 'utf8')).toBe('keep me');
  });

  it('refuses through the embedded services too', async () => {
    writeFileSync(join(root, 'notes.txt'), 'keep me');
    await expect(startEmbeddedServices({ dataDir: root, fresh: true, inMemory: true })).rejects.toThrow(DataFolderError);
    expect(readdirSync(root)).toEqual(['notes.txt']);
  });

  it('adopts a data folder written before the marker existed, but not a look-alike', async () => {
    const legacy = join(root, 'legacy');
    mkdirSync(join(legacy, 'dynamodb'), { recursive: true });
    mkdirSync(join(legacy, 's3'));
    writeFileSync(join(legacy, 'dynamodb', 'CURRENT'), 'MANIFEST-000002\n');
    writeFileSync(join(legacy, 'trailhound.log'), '');
    const adopted = openDataFolder(legacy, { fresh: true });
    await adopted.trashDeleted;
    adopted.release();
    expect(readdirSync(legacy)).toEqual([MARKER_FILE]);

    const lookAlike = join(root, 'look-alike');
    mkdirSync(join(lookAlike, 'dynamodb'), { recursive: true });
    writeFileSync(join(lookAlike, 'dynamodb', 'CURRENT'), '');
    writeFileSync(join(lookAlike, 'notes.txt'), 'keep me');
    expect(() => openDataFolder(lookAlike, { fresh: true })).toThrow(DataFolderError);
    expect(readdirSync(lookAlike).sort()).toEqual(['dynamodb', 'notes.txt']);
  });

  it('adopts an empty folder, and refuses a file', () => {
    openDataFolder(root).release();
    expect(existsSync(join(root, MARKER_FILE))).toBe(true);
    const file = join(root, 'file');
    writeFileSync(file, '');
    expect(() => openDataFolder(file)).toThrow(/is not a folder/);
  });
});

describe('lock', () => {
  it('refuses a second opener with the owner pid, until the first releases', () => {
    const first = openDataFolder(root);
    expect(JSON.parse(readFileSync(join(root, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    expect(() => openDataFolder(root)).toThrow(new RegExp(`is in use by process ${process.pid} .*choose another --data`));
    expect(() => openDataFolder(root, { fresh: true })).toThrow(DataFolderError);
    first.release();
    expect(existsSync(join(root, LOCK_FILE))).toBe(false);
    openDataFolder(root).release();
  });

  it('takes over a stale lock whose process is gone, or an unreadable one', () => {
    const pid = deadPid();
    writeFileSync(join(root, LOCK_FILE), JSON.stringify({ pid, host: hostname(), startedAt: '2026-01-01T00:00:00Z' }));
    const folder = openDataFolder(root);
    expect(JSON.parse(readFileSync(join(root, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    folder.release();
    writeFileSync(join(root, LOCK_FILE), '{"pid":');
    openDataFolder(root).release();
  });

  it('does not remove a lock another process took over', () => {
    const folder = openDataFolder(root);
    writeFileSync(join(root, LOCK_FILE), JSON.stringify({ pid: 1, host: hostname(), startedAt: 'later' }));
    folder.release();
    expect(existsSync(join(root, LOCK_FILE))).toBe(true);
  });

  it('is held by the embedded services while they run', async () => {
    const services = await startEmbeddedServices({ dataDir: root, inMemory: true });
    await expect(startEmbeddedServices({ dataDir: root, inMemory: true })).rejects.toThrow(/in use by process/);
    await services.stop();
    expect(existsSync(join(root, LOCK_FILE))).toBe(false);
  });
});
