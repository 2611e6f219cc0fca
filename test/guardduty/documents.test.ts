import { readFileSync } from 'node:fs';
import { findingEventsFromText, GuardDutyDocumentError, readFindingEvents } from '../../lambdas/core/guardduty/documents';
import { findingOfEvent, toFindingEvent } from '../../lambdas/core/guardduty/event';
import { parseFinding } from '../../lambdas/core/guardduty/finding';
import { describeDeliveryReport } from '../../lambdas/guardduty-trigger/local-delivery';
import { FINDING_IDS, GET_FINDINGS_FILE, incidentEvents, INCIDENT_EVENTS_FILE } from './fixtures';

describe('findingEventsFromText', () => {
  const events = incidentEvents();

  it('reads JSON lines, an array of events and a single event alike', () => {
    const lines = readFileSync(INCIDENT_EVENTS_FILE, 'utf8');
    expect(findingEventsFromText(lines)).toEqual(events);
    expect(findingEventsFromText(JSON.stringify(events, null, 2))).toEqual(events);
    expect(findingEventsFromText(JSON.stringify(events[1]))).toEqual([events[1]]);
    // Blank lines, CRLF and a byte-order mark are tolerated; an empty file holds no events.
    expect(findingEventsFromText(`\uFEFF${lines.split('\n').join('\r\n\r\n')}`)).toEqual(events);
    expect(findingEventsFromText('  \n')).toEqual([]);
  });

  it('wraps GetFindings output as the EventBridge events GuardDuty would publish', () => {
    const wrapped = findingEventsFromText(readFileSync(GET_FINDINGS_FILE, 'utf8'));
    expect(wrapped).toHaveLength(2);
    const [alice] = wrapped;
    expect(alice).toMatchObject({ version: '0', source: 'aws.guardduty', 'detail-type': 'GuardDuty Finding', account: '111122223333', region: 'us-east-1', time: '2026-10-22T18:12:05Z', resources: [] });
    // The same finding as the one in the EventBridge fixture, member for member (camelCase).
    const fromEventBridge = events.find((e) => (e.detail as { id: string }).id === FINDING_IDS.aliceCredentialAccess);
    expect((alice as { detail: unknown }).detail).toEqual(fromEventBridge?.detail);
    // Deterministic event ids: replaying the same file yields the same events.
    expect(findingEventsFromText(readFileSync(GET_FINDINGS_FILE, 'utf8'))).toEqual(wrapped);
    expect((alice as { id: string }).id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('wraps bare findings, and the REST API form {findings: [...]}', () => {
    const finding = events[0].detail;
    expect(findingEventsFromText(JSON.stringify(finding))).toEqual([toFindingEvent(finding)]);
    expect(findingEventsFromText(JSON.stringify({ findings: [finding] }))).toEqual([toFindingEvent(finding)]);
    expect(findingEventsFromText(`${JSON.stringify(finding)}\n${JSON.stringify(events[1])}`)).toEqual([toFindingEvent(finding), events[1]]);
  });

  it('names the place of what it cannot read', () => {
    expect(() => findingEventsFromText('{"a":1}', 'f.json')).toThrow(new GuardDutyDocumentError('f.json: an object that is neither an EventBridge event, a finding nor GetFindings output (keys: a)'));
    expect(() => findingEventsFromText(`${JSON.stringify(events[0])}\n{broken`, 'f.jsonl')).toThrow(/^f\.jsonl:2: not JSON/);
    expect(() => findingEventsFromText('[1]', 'f.json')).toThrow('f.json[0]: expected an event, a finding or GetFindings output, found number');
  });
});

describe('readFindingEvents', () => {
  const events = incidentEvents();

  it('skips and lists bad JSON lines by line number, keeping every other event', () => {
    const text = ['', JSON.stringify(events[0]), '{broken', '', '42', JSON.stringify(events[1]), '{"a":1}', JSON.stringify(events[2])].join('\n');
    const { events: read, unreadable } = readFindingEvents(text, 'f.jsonl');
    expect(read).toEqual([events[0], events[1], events[2]]);
    expect(unreadable.map((u) => [u.line, u.where])).toEqual([
      [3, 'f.jsonl:3'],
      [5, 'f.jsonl:5'],
      [7, 'f.jsonl:7'],
    ]);
    expect(unreadable[0].reason).toMatch(/^not JSON/);
    expect(unreadable[1].reason).toBe('expected an event, a finding or GetFindings output, found number');
  });

  it('skips bad elements of an array, and refuses a single document that holds no event', () => {
    const { events: read, unreadable } = readFindingEvents(JSON.stringify([events[0], 'x', events[1]]), 'f.json');
    expect(read).toEqual([events[0], events[1]]);
    expect(unreadable).toEqual([{ where: 'f.json[1]', reason: 'expected an event, a finding or GetFindings output, found string' }]);
    expect(() => readFindingEvents('{"a":1}', 'f.json')).toThrow(GuardDutyDocumentError);
  });
});

describe('findingOfEvent', () => {
  it('accepts GuardDuty Finding events only', () => {
    const [event] = incidentEvents();
    expect(findingOfEvent(event)).toEqual({ finding: event.detail });
    expect(findingOfEvent({ ...event, 'detail-type': 'GuardDuty Runtime Protection Healthy' })).toEqual({ rejected: expect.stringContaining('not a GuardDuty finding event') });
    expect(findingOfEvent({ ...event, detail: 'text' })).toEqual({ rejected: 'the event has no detail object' });
    expect(findingOfEvent(null)).toEqual({ rejected: 'the event is not a JSON object' });
  });

  it('keeps a wrapped finding parseable', () => {
    const wrapped = toFindingEvent(incidentEvents()[0].detail);
    const unwrapped = findingOfEvent(wrapped);
    expect('finding' in unwrapped && parseFinding(unwrapped.finding).id).toBe(FINDING_IDS.rootUsage);
  });
});

describe('describeDeliveryReport', () => {
  it('summarizes a delivery in one line', () => {
    const counts = { started: 3, 'already-started': 1, skipped: 2, stale: 0, rejected: 0, failed: 1 };
    expect(describeDeliveryReport({ results: new Array(7).fill({ eventId: 'x', delivered: false, error: 'e' }), counts, unreadable: [] })).toBe(
      '7 GuardDuty event(s): 3 investigation(s) started, 1 finding(s) already investigated, 2 recorded without investigation, 1 failed',
    );
    const unreadable = [{ where: 'f:2', line: 2, reason: 'not JSON' }, { where: 'f[3]', reason: 'found number' }];
    expect(describeDeliveryReport({ results: [], counts, unreadable })).toMatch(/; 2 unreadable \(line 2, f\[3\]\)$/);
  });
});
