import fc from 'fast-check';
import { flowEvidencePage, isEvidencePagePosition, pagePosition } from '../../lambdas/core/graph/evidence-page';
import type { FlowEvidence } from '../../lambdas/core/flowlogs/flow-evidence';

/**
 * The listIndicatorEvidence token's position (evidence-page.ts) comes back from the client: any JSON must be
 * either a position or refused (a 400 upstream), never a throw; and paging a sorted list after each page's
 * position gives every row once, whatever the page size.
 */
describe('evidence page positions', () => {
  it('never throws on any JSON value, and accepts only the documented shapes', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const accepted = isEvidencePagePosition(value);
        if (accepted) {
          const position = pagePosition(value);
          expect(position.e === 'done' || typeof position.e.t === 'number').toBe(true);
          expect(position.f === 'done' || typeof position.f.h === 'string').toBe(true);
        }
      }),
    );
  });

  it('refuses a position whose lists are both done, or with extra members', () => {
    expect(isEvidencePagePosition({ e: 'done', f: 'done' })).toBe(false);
    expect(isEvidencePagePosition({ e: 'done', f: { h: 'x', i: 'y', n: 'z' }, x: 1 })).toBe(false);
    expect(isEvidencePagePosition({ e: 'done', f: { h: 'x', i: 'y', n: '' } })).toBe(false);
    expect(isEvidencePagePosition({ e: { t: 1, id: 'a' }, f: 'done' })).toBe(true);
    // A token issued before FlowEvidence was paged: the events' position alone.
    expect(pagePosition({ t: 1, id: 'a' })).toEqual({ e: { t: 1, id: 'a' }, f: 'done' });
  });

  it('pages a sorted list so that every row comes once, in order, for any page size', () => {
    const row = fc.record({ h: fc.integer({ min: 0, max: 5 }), i: fc.constantFrom('i-a', 'i-b'), n: fc.constantFrom('eni-1', 'eni-2', 'eni-3') });
    fc.assert(
      fc.property(fc.uniqueArray(row, { selector: (r) => `${r.h}|${r.i}|${r.n}`, maxLength: 40 }), fc.integer({ min: 1, max: 7 }), (generated, size) => {
        const key = (r: { h: number; i: string; n: string }) => `${String(r.h).padStart(2, '0')}|${r.i}|${r.n}`;
        const sorted = [...generated].sort((a, b) => (key(a) < key(b) ? -1 : 1)).map((r) => ({ Hour: `2026-01-01T${String(r.h).padStart(2, '0')}:00:00.000Z`, InstanceId: r.i, InterfaceId: r.n }) as FlowEvidence);
        const seen: FlowEvidence[] = [];
        let position: Parameters<typeof flowEvidencePage>[1];
        for (let pages = 0; pages <= sorted.length + 1; pages++) {
          const page = flowEvidencePage(sorted, position, size);
          expect(page.rows.length).toBeLessThanOrEqual(size);
          seen.push(...page.rows);
          if (page.next === 'done') break;
          position = page.next;
        }
        expect(seen).toEqual(sorted);
      }),
    );
  });
});
