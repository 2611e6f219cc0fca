import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flowLogFile } from '../../test/helpers/flow-logs';
const ACCOUNT = '111122223333';
const HOUR_START = Date.parse('2026-03-01T10:00:00Z') / 1000;
for (const shape of ['heavy-tail', 'uniform'] as const) {
  const dir = join(__dirname, 'data', shape);
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < 24; i++) {
    const windowStart = HOUR_START + i * 300;
    writeFileSync(join(dir, `f${String(i).padStart(3, '0')}.log.gz`), flowLogFile({ accountId: ACCOUNT, windowStart, records: 42_000, interfaces: 120, peers: 5_000, seed: i + 1, shape }));
  }
}
