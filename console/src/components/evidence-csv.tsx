import { useState } from 'preact/hooks';
import { callCsvPages } from '../api';
import { saveCsvText } from '../csv-download';

/**
 * An indicator's evidence as CSV files: its CloudTrail events, and, for a flagged address with flows, its VPC
 * flow rows (listIndicatorEvidence with `Accept: text/csv` and EvidenceKind EVENTS or FLOWS). Every page is
 * read, not only those shown; the file is the server's CSV as it came (log text stays text: cells a spreadsheet
 * would run are defused there, and nothing of it is put into the page).
 */
const CSV_PAGE_SIZE = 50;
/** 10,000 rows: a larger export is the API's to page (`npm start -- evidence` locally). */
const MAX_CSV_PAGES = 200;

type Kind = 'EVENTS' | 'FLOWS';

export function EvidenceCsvButtons({ request, fileStem, events, flows }: { request: object; fileStem: string; events: boolean; flows: boolean }) {
  const [status, setStatus] = useState('');
  const download = async (kind: Kind) => {
    setStatus('Preparing CSV…');
    try {
      const { text, complete } = await callCsvPages('/investigations/listIndicatorEvidence', { ...request, EvidenceKind: kind, MaxResults: CSV_PAGE_SIZE }, MAX_CSV_PAGES);
      saveCsvText(`${fileStem}-${kind === 'FLOWS' ? 'flows' : 'events'}.csv`, text);
      setStatus(complete ? '' : `The CSV holds the first ${MAX_CSV_PAGES * CSV_PAGE_SIZE} rows only.`);
    } catch (error) {
      setStatus(`CSV failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  if (!events && !flows) return null;
  return (
    <div class="bar">
      {events ? (
        <button type="button" onClick={() => void download('EVENTS')}>
          Download events CSV
        </button>
      ) : null}
      {flows ? (
        <button type="button" onClick={() => void download('FLOWS')}>
          Download flows CSV
        </button>
      ) : null}
      {status ? <span class="muted">{status}</span> : null}
    </div>
  );
}
