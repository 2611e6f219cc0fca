import type { APIGatewayProxyResult } from 'aws-lambda';
import type { createRouter } from '../../lambdas/api/router';
import type { ListIndicatorEvidenceResponse } from '../../lambdas/api/graph-operations';
import type { Indicator, Investigation } from '../../lambdas/core/investigation/model';
import { toProxyEvent } from '../../local/http/proxy-event';
import { sampleEvidenceRouter } from './sample-evidence-router';
import { expectSchema } from '../helpers/openapi-schemas';
import { parseCsv } from '../helpers/csv';
import { ATTACKER, C2, SAMPLE_ACCOUNT, hourOf, loadSampleFlows, ownAddresses, portOf, rawFlowEvidence, type Raw, type SampleFlows } from './sample-flows';

/**
 * listIndicatorEvidence for a FLAGGED_IP_ADDRESS found in the flow logs only (issue 10 §2): the C&C address
 * 139.180.133.61 as a peer of web-1, whose role is investigated. The role made no call from it here, so the
 * evidence is the flows: per instance, interface and hour, counted from the raw lines.
 */
jest.setTimeout(120_000);

const SCOPE = { from: '2026-10-22T00:00:00.000Z', to: '2026-10-23T00:00:00.000Z' };
const ROLE = `arn:aws:iam::${SAMPLE_ACCOUNT}:role/web-server-role`;
const INVESTIGATION: Investigation = {
  investigationId: '000000000000000000007',
  entityArn: ROLE,
  entityType: 'IAM_ROLE',
  status: 'SUCCESSFUL',
  state: 'ACTIVE',
  severity: 'HIGH',
  createdTime: '2026-10-23T01:00:00.000Z',
  scopeStartTime: SCOPE.from,
  scopeEndTime: SCOPE.to,
};
const flagged = (ip: string): Indicator => ({ IndicatorType: 'FLAGGED_IP_ADDRESS', IndicatorDetail: { FlaggedIpAddressDetail: { IpAddress: ip, Reason: 'AWS_THREAT_INTELLIGENCE' } } });

let sample: SampleFlows;
let route: ReturnType<typeof createRouter>;

beforeAll(async () => {
  sample = await loadSampleFlows();
  route = sampleEvidenceRouter(sample, INVESTIGATION, [flagged(C2), flagged(ATTACKER), flagged('192.0.2.250')]);
});

async function evidence(body: object, accept?: string): Promise<APIGatewayProxyResult> {
  return route(toProxyEvent({ method: 'POST', url: '/investigations/listIndicatorEvidence', headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}) }, body: Buffer.from(JSON.stringify(body)), sourceIp: '127.0.0.1' }));
}

describe('listIndicatorEvidence: the flow evidence of an address flagged from flow logs', () => {
  it("gives web-1's flows with the C&C address per interface and hour, as the raw lines count them", async () => {
    const result = await evidence({ InvestigationId: INVESTIGATION.investigationId, IndicatorType: 'FLAGGED_IP_ADDRESS', IndicatorIndex: 0 });
    expect(result.statusCode).toBe(200);
    const body = JSON.parse(result.body) as ListIndicatorEvidenceResponse;
    expectSchema('ListIndicatorEvidenceResponse', body);
    expect(body.Events).toEqual([]);
    expect(body.TotalCount).toBe(0);
    const own = ownAddresses(sample.rows);
    const rows = sample.rows.filter((r) => sample.owners.get(r['interface-id']) === sample.web1 && (r.srcaddr === C2 || r.dstaddr === C2) && hourOf(r) >= SCOPE.from && hourOf(r) < SCOPE.to);
    expect(rows.length).toBeGreaterThan(0);
    const expected = rawFlowEvidence(rows, own, (r) => `${r['interface-id']}|${hourOf(r)}`);
    expect(body.FlowEvidence!.map((f) => [`${f.InterfaceId}|${f.Hour}`, f.InstanceId, f.BytesIn, f.BytesOut, f.BytesUnknownDirection, f.Packets, f.Flows, f.RejectedFlows, f.Ports])).toEqual(
      [...expected].sort((a, b) => (a[0].split('|')[1] < b[0].split('|')[1] ? -1 : a[0].split('|')[1] > b[0].split('|')[1] ? 1 : a[0] < b[0] ? -1 : 1)).map(([key, e]) => [key, sample.web1, e.bytesIn, e.bytesOut, 0, e.packets, e.flows, e.rejected, [...e.ports].sort()]),
    );
  });

  it("gives the attacker's rejected then accepted SSH flows with web-1", async () => {
    const result = await evidence({ InvestigationId: INVESTIGATION.investigationId, IndicatorType: 'FLAGGED_IP_ADDRESS', Match: { IpAddress: ATTACKER } });
    expect(result.statusCode).toBe(200);
    const body = JSON.parse(result.body) as ListIndicatorEvidenceResponse;
    expect(body.IndicatorIndex).toBe(1);
    const rows: Raw[] = sample.rows.filter((r) => sample.owners.get(r['interface-id']) === sample.web1 && (r.srcaddr === ATTACKER || r.dstaddr === ATTACKER) && hourOf(r) >= SCOPE.from && hourOf(r) < SCOPE.to);
    const sum = (pick: (f: NonNullable<ListIndicatorEvidenceResponse['FlowEvidence']>[number]) => number) => body.FlowEvidence!.reduce((t, f) => t + pick(f), 0);
    expect(sum((f) => f.Flows)).toBe(rows.length);
    expect(sum((f) => f.RejectedFlows)).toBe(rows.filter((r) => r.action === 'REJECT').length);
    expect(sum((f) => f.BytesIn + f.BytesOut)).toBe(rows.reduce((t, r) => t + Number(r.bytes), 0));
    expect(new Set(body.FlowEvidence!.flatMap((f) => f.Ports))).toEqual(new Set(rows.map(portOf)));
  });

  it('gives an empty flow evidence for an address no instance of the entity talked to, and none on CSV', async () => {
    const body = JSON.parse((await evidence({ InvestigationId: INVESTIGATION.investigationId, IndicatorType: 'FLAGGED_IP_ADDRESS', IndicatorIndex: 2 })).body) as ListIndicatorEvidenceResponse;
    expect(body.FlowEvidence).toEqual([]);
    const csv = await evidence({ InvestigationId: INVESTIGATION.investigationId, IndicatorType: 'FLAGGED_IP_ADDRESS', IndicatorIndex: 0 }, 'text/csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.body).not.toContain(C2);
  });
});

describe('listIndicatorEvidence: FlowEvidence is paged with the events', () => {
  const request = { InvestigationId: INVESTIGATION.investigationId, IndicatorType: 'FLAGGED_IP_ADDRESS', Match: { IpAddress: ATTACKER } };
  const parse = (result: APIGatewayProxyResult) => JSON.parse(result.body) as ListIndicatorEvidenceResponse;

  async function allPages(maxResults: number): Promise<ListIndicatorEvidenceResponse[]> {
    const pages: ListIndicatorEvidenceResponse[] = [];
    let NextToken: string | undefined;
    do {
      const result = await evidence({ ...request, MaxResults: maxResults, ...(NextToken ? { NextToken } : {}) });
      expect(result.statusCode).toBe(200);
      const page = parse(result);
      expectSchema('ListIndicatorEvidenceResponse', page);
      pages.push(page);
      NextToken = page.NextToken;
    } while (NextToken && pages.length < 1000);
    return pages;
  }

  it('gives every instance-hour once over pages of MaxResults rows, in hour order, as the raw lines count them', async () => {
    const rows = sample.rows.filter((r) => sample.owners.get(r['interface-id']) === sample.web1 && (r.srcaddr === ATTACKER || r.dstaddr === ATTACKER) && hourOf(r) >= SCOPE.from && hourOf(r) < SCOPE.to);
    const instanceHours = [...new Set(rows.map((r) => `${hourOf(r)}|${r['interface-id']}`))].sort();
    // Enough rows that pages of 1 take several requests.
    expect(instanceHours.length).toBeGreaterThan(1);
    const pages = await allPages(1);
    expect(pages.length).toBe(instanceHours.length);
    for (const page of pages) {
      expect(page.FlowEvidence!.length).toBe(1);
      expect(page.FlowEvidenceCount).toBe(instanceHours.length);
    }
    const paged = pages.flatMap((page) => page.FlowEvidence!);
    expect(paged.map((f) => `${f.Hour}|${f.InterfaceId}`)).toEqual(instanceHours);
    expect(paged.reduce((t, f) => t + f.Flows, 0)).toBe(rows.length);
    expect(paged.reduce((t, f) => t + f.BytesIn + f.BytesOut + f.BytesUnknownDirection, 0)).toBe(rows.reduce((t, r) => t + Number(r.bytes), 0));
    // One page of 50 holds the same rows.
    const [whole] = await allPages(50);
    expect(whole.NextToken).toBeUndefined();
    expect(whole.FlowEvidence).toEqual(paged);
  });

  it('answers 400, never a 5xx, for a bad, tampered or foreign NextToken', async () => {
    const first = parse(await evidence({ ...request, MaxResults: 1 }));
    expect(first.NextToken).toBeDefined();
    const token = first.NextToken!;
    const tampered = `${token.slice(0, 5)}${token[5] === 'A' ? 'B' : 'A'}${token.slice(6)}`;
    for (const NextToken of ['garbage', tampered, `${token}x`, 'a'.repeat(5000)]) {
      const result = await evidence({ ...request, MaxResults: 1, NextToken });
      expect(result.statusCode).toBe(400);
      expect(JSON.parse(result.body).Message).toMatch(/NextToken/);
    }
    // A token of another request (another indicator) is refused too.
    const foreign = await evidence({ InvestigationId: INVESTIGATION.investigationId, IndicatorType: 'FLAGGED_IP_ADDRESS', IndicatorIndex: 0, MaxResults: 1, NextToken: token });
    expect(foreign.statusCode).toBe(400);
    expect(JSON.parse(foreign.body).Message).toMatch(/other parameters/);
  });
});

describe('listIndicatorEvidence with EvidenceKind FLOWS: the flow evidence alone, as JSON or CSV', () => {
  const request = { InvestigationId: INVESTIGATION.investigationId, IndicatorType: 'FLAGGED_IP_ADDRESS', Match: { IpAddress: ATTACKER } };
  const HEADER = ['Hour', 'InstanceId', 'InterfaceId', 'BytesIn', 'BytesOut', 'BytesUnknownDirection', 'Packets', 'Flows', 'RejectedFlows', 'Ports'];

  /** Every CSV page, following x-next-token: the data rows (each page's header checked and dropped) and the page count. */
  async function csvPages(maxResults: number): Promise<{ rows: string[][]; pages: number }> {
    const rows: string[][] = [];
    let pages = 0;
    let NextToken: string | undefined;
    do {
      const result = await evidence({ ...request, EvidenceKind: 'FLOWS', MaxResults: maxResults, ...(NextToken ? { NextToken } : {}) }, 'text/csv');
      expect(result.statusCode).toBe(200);
      expect(result.headers?.['Content-Type']).toMatch(/^text\/csv/);
      const [header, ...data] = parseCsv(result.body);
      expect(header).toEqual(HEADER);
      rows.push(...data);
      pages++;
      NextToken = result.headers?.['x-next-token'] as string | undefined;
    } while (NextToken && pages < 1000);
    return { rows, pages };
  }

  it('gives every instance-hour once over CSV pages, equal to the JSON rows and to the raw lines', async () => {
    const raw = sample.rows.filter((r) => sample.owners.get(r['interface-id']) === sample.web1 && (r.srcaddr === ATTACKER || r.dstaddr === ATTACKER) && hourOf(r) >= SCOPE.from && hourOf(r) < SCOPE.to);
    const own = ownAddresses(sample.rows);
    const expected = rawFlowEvidence(raw, own, (r) => `${hourOf(r)}|${r['interface-id']}`);
    // Several rows, so pages of 1 take several requests.
    expect(expected.size).toBeGreaterThan(1);
    const fromRaw = [...expected].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, e]) => {
      const [hour, eni] = key.split('|');
      return [hour, sample.web1, eni, e.bytesIn, e.bytesOut, 0, e.packets, e.flows, e.rejected, [...e.ports].sort().join(' ')].map(String);
    });
    const paged = await csvPages(1);
    expect(paged.pages).toBe(expected.size);
    expect(paged.rows).toEqual(fromRaw);
    const whole = await csvPages(50);
    expect(whole.pages).toBe(1);
    expect(whole.rows).toEqual(fromRaw);
    // The JSON answer of the same kind holds the same rows, and no events.
    expectSchema('ListIndicatorEvidenceRequest', { ...request, EvidenceKind: 'FLOWS', MaxResults: 50 });
    const json = await evidence({ ...request, EvidenceKind: 'FLOWS', MaxResults: 50 });
    expect(json.statusCode).toBe(200);
    const body = JSON.parse(json.body) as ListIndicatorEvidenceResponse;
    expectSchema('ListIndicatorEvidenceResponse', body);
    expect(body.Events).toEqual([]);
    expect(body.NextToken).toBeUndefined();
    expect(body.FlowEvidence!.map((f) => [f.Hour, f.InstanceId, f.InterfaceId, f.BytesIn, f.BytesOut, f.BytesUnknownDirection, f.Packets, f.Flows, f.RejectedFlows, f.Ports.join(' ')].map(String))).toEqual(fromRaw);
  });

  it('gives a header alone for an address no instance of the entity talked to', async () => {
    const result = await evidence({ InvestigationId: INVESTIGATION.investigationId, IndicatorType: 'FLAGGED_IP_ADDRESS', IndicatorIndex: 2, EvidenceKind: 'FLOWS' }, 'text/csv');
    expect(result.statusCode).toBe(200);
    expect(parseCsv(result.body)).toEqual([HEADER]);
    expect(result.headers?.['x-next-token']).toBeUndefined();
  });

  it('answers 400 for an unknown EvidenceKind and for FLOWS on an indicator that is not a flagged address', async () => {
    // (JSON null is absent, as AWS services read it: the default, EVENTS.)
    for (const EvidenceKind of ['flows', 'BOTH', '', 1, ['FLOWS'], { FLOWS: true }]) {
      const result = await evidence({ ...request, EvidenceKind }, 'text/csv');
      expect(result.statusCode).toBe(400);
      expect(JSON.parse(result.body).Message).toMatch(/EvidenceKind/);
    }
    const other = await evidence({ InvestigationId: INVESTIGATION.investigationId, IndicatorType: 'TTP_OBSERVED', EvidenceKind: 'FLOWS' }, 'text/csv');
    expect(other.statusCode).toBe(400);
    expect(JSON.parse(other.body).Message).toMatch(/FLAGGED_IP_ADDRESS indicators only/);
  });

  it('refuses a token of one kind for the other', async () => {
    const events = JSON.parse((await evidence({ ...request, MaxResults: 1 })).body) as ListIndicatorEvidenceResponse;
    expect(events.NextToken).toBeDefined();
    const flows = JSON.parse((await evidence({ ...request, EvidenceKind: 'FLOWS', MaxResults: 1 })).body) as ListIndicatorEvidenceResponse;
    expect(flows.NextToken).toBeDefined();
    const csvFlows = await evidence({ ...request, EvidenceKind: 'FLOWS', MaxResults: 1 }, 'text/csv');
    const csvToken = csvFlows.headers?.['x-next-token'] as string;
    expect(csvToken).toBeDefined();
    for (const [kind, token, accept] of [
      ['FLOWS', events.NextToken!, undefined],
      ['EVENTS', flows.NextToken!, undefined],
      [undefined, flows.NextToken!, undefined],
      ['EVENTS', csvToken, 'text/csv'],
    ] as const) {
      const result = await evidence({ ...request, ...(kind ? { EvidenceKind: kind } : {}), MaxResults: 1, NextToken: token }, accept);
      expect(result.statusCode).toBe(400);
      expect(JSON.parse(result.body).Message).toMatch(/other parameters/);
    }
    // Each token still serves its own kind.
    expect((await evidence({ ...request, EvidenceKind: 'FLOWS', MaxResults: 1, NextToken: flows.NextToken }, undefined)).statusCode).toBe(200);
    expect((await evidence({ ...request, EvidenceKind: 'FLOWS', MaxResults: 1, NextToken: csvToken }, 'text/csv')).statusCode).toBe(200);
  });
});
