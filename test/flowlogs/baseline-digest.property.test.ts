import fc from 'fast-check';
import { DIGEST_SETTLE_MS, digestPlan, readDigest, staleDigestMarkers, STALE_AFTER_MS } from '../../lambdas/core/flowlogs/baseline-digest';

/**
 * The digest plan splits a baseline window into whole settled UTC days (digests) and the rest (hour items):
 * together they must cover the window exactly once, or the baseline would miss or repeat hours.
 */
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const BASE = Date.parse('2026-09-01T00:00:00Z');

describe('digestPlan', () => {
  it('covers [from, to) exactly once with settled whole days and ranges, whatever the window and the time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 * 24 }), fc.integer({ min: 1, max: 50 * 24 }), fc.integer({ min: -5 * 24, max: 60 * 24 }), (fromHours, lengthHours, nowHours) => {
        const fromMs = BASE + fromHours * HOUR_MS;
        const toMs = fromMs + lengthHours * HOUR_MS;
        const nowMs = toMs + nowHours * HOUR_MS;
        const plan = digestPlan(fromMs, toMs, nowMs);
        const pieces = [...plan.days.map((day) => ({ fromMs: Date.parse(`${day}T00:00:00Z`), toMs: Date.parse(`${day}T00:00:00Z`) + DAY_MS })), ...plan.ranges].sort((a, b) => a.fromMs - b.fromMs);
        let cursor = fromMs;
        for (const piece of pieces) {
          expect(piece.fromMs).toBe(cursor);
          expect(piece.toMs).toBeGreaterThan(piece.fromMs);
          cursor = piece.toMs;
        }
        expect(cursor).toBe(toMs);
        for (const day of plan.days) expect(Date.parse(`${day}T00:00:00Z`) + DAY_MS + DIGEST_SETTLE_MS).toBeLessThanOrEqual(nowMs);
      }),
    );
  });

  it('marks stale only the days that may have a digest, and never reads a marker as a digest', () => {
    expect(staleDigestMarkers(['eni-1'], '2026-10-20T05', Date.parse('2026-10-21T00:00:00Z') + STALE_AFTER_MS - 1, 'g', 0)).toEqual([]);
    const [marker] = staleDigestMarkers(['eni-1'], '2026-10-20T05', Date.parse('2026-10-21T00:00:00Z') + STALE_AFTER_MS, 'g', 0);
    expect(marker).toMatchObject({ subject: 'flow-eni-day#eni-1', slot: '2026-10-20' });
    expect(readDigest(marker as unknown as Record<string, unknown>)).toBeUndefined();
    expect(STALE_AFTER_MS).toBeLessThan(DIGEST_SETTLE_MS);
    fc.assert(fc.property(fc.uint8Array(), (bytes) => expect(readDigest({ body: bytes })).toBeUndefined()));
  });
});
