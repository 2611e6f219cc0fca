import { useState } from 'preact/hooks';
import type { FlowEvidence } from '../../../lambdas/core/flowlogs/network-types';
import { call, callAll, GRAPH_ARN } from '../api';
import { errorText, Panel, Show, useLoad } from '../components/async';
import { display, Table } from '../components/table';
import { profileHref, utc, type EntityType } from '../entities';
import { href, type Params } from '../route';
import { scoreSeverity, recommendedMitigation } from '../../../lambdas/core/analysis/severity';
import type { Indicator } from '../../../lambdas/core/analysis/detective-types';
import type { InvestigationDetail } from './investigations';
import { PermissionEvidence, type PermissionFact } from '../components/permission-evidence';
import { NetworkPanel } from '../components/network-panel';
import { EvidenceCsvButtons } from '../components/evidence-csv';

/**
 * The investigation report: severity and the rules behind it, the ATT&CK matrix of the TTPs observed,
 * indicators by type (each opening its raw CloudTrail events, listIndicatorEvidence), the network section of
 * the entity's EC2 instances (getNetworkReport), mitigations, and
 * archive/unarchive (updateInvestigationState). The rules are the analysis's own (lambdas/core/analysis/
 * severity.ts, bundled), applied to the indicators the API lists.
 */
const TACTICS = ['Reconnaissance', 'Resource Development', 'Initial Access', 'Execution', 'Persistence', 'Privilege Escalation', 'Defense Evasion', 'Credential Access', 'Discovery', 'Lateral Movement', 'Collection', 'Command and Control', 'Exfiltration', 'Impact'];

interface Investigation extends InvestigationDetail {
  ScopeStartTime: string;
  ScopeEndTime: string;
}

interface Ttp {
  Tactic?: string;
  Technique?: string;
  Procedure?: string;
  APIName?: string;
  IpAddress?: string;
  APISuccessCount?: number;
  APIFailureCount?: number;
}

export function ReportPage({ params }: { params: Params }) {
  const id = params.id ?? '';
  const [version, setVersion] = useState(0);
  const loaded = useLoad(async () => {
    const [investigation, indicators] = await Promise.all([
      call<Investigation>('/investigations/getInvestigation', { GraphArn: GRAPH_ARN, InvestigationId: id }),
      callAll<Indicator, 'Indicators'>('/investigations/listIndicators', { GraphArn: GRAPH_ARN, InvestigationId: id, MaxResults: 100 }, 'Indicators'),
    ]);
    return { investigation, indicators };
  }, [id, version]);
  return (
    <>
      <h1>Investigation {id}</h1>
      <Show loaded={loaded}>
        {({ investigation, indicators }) => (
          <>
            <Header investigation={investigation} indicators={indicators} onChanged={() => setVersion(version + 1)} />
            {investigation.Status === 'RUNNING' ? (
              <p class="state">
                The analysis is still running. <button onClick={() => setVersion(version + 1)}>Refresh</button>
              </p>
            ) : null}
            <Matrix indicators={indicators} />
            <IndicatorGroups id={id} indicators={indicators} />
            <PermissionEvidence id={id} />
            <NetworkPanel investigationId={id} scope={{ from: investigation.ScopeStartTime, to: investigation.ScopeEndTime }} />
            <Mitigations indicators={indicators} />
          </>
        )}
      </Show>
    </>
  );
}

function entityTypeOf(arn: string | undefined): EntityType {
  return /:user\//.test(arn ?? '') ? 'IAM_USER' : 'IAM_ROLE';
}

function Header({ investigation, indicators, onChanged }: { investigation: Investigation; indicators: Indicator[]; onChanged: () => void }) {
  const [problem, setProblem] = useState('');
  const rules = scoreSeverity(indicators).matchedRules;
  const archived = investigation.State === 'ARCHIVED';
  const toggle = async () => {
    try {
      await call('/investigations/updateInvestigationState', { GraphArn: GRAPH_ARN, InvestigationId: investigation.InvestigationId, State: archived ? 'ACTIVE' : 'ARCHIVED' });
      onChanged();
    } catch (error) {
      setProblem(errorText(error));
    }
  };
  const scope = { from: investigation.ScopeStartTime, to: investigation.ScopeEndTime };
  return (
    <Panel title="Severity">
      <p>
        <span class={`badge sev-${investigation.Severity ?? ''}`} data-testid="severity">
          {investigation.Severity}
        </span>{' '}
        {investigation.EntityArn ? <a href={profileHref(entityTypeOf(investigation.EntityArn), investigation.EntityArn, scope)}>{investigation.EntityArn}</a> : null} from {utc(scope.from)} to {utc(scope.to)}; {investigation.Status}, {investigation.State}, created {utc(investigation.CreatedTime)}.
      </p>
      <div class="bar">
        <button type="button" onClick={() => void toggle()}>
          {archived ? 'Unarchive' : 'Archive'}
        </button>
        {problem ? <span class="state error">{problem}</span> : null}
      </div>
      <h3>Rules that matched</h3>
      {rules.length ? (
        <ul aria-label="Matched rules">
          {rules.map((r) => (
            <li key={r.id}>
              <span class={`badge sev-${r.severity}`}>{r.id}</span> {r.description}
            </li>
          ))}
        </ul>
      ) : (
        <p class="state empty">No rule matched: nothing suspicious in the scope.</p>
      )}
    </Panel>
  );
}

function ttpsOf(indicators: Indicator[]): Ttp[] {
  return indicators.map((i) => i.IndicatorDetail?.TTPsObservedDetail as Ttp | undefined).filter((t): t is Ttp => !!t);
}

function Matrix({ indicators }: { indicators: Indicator[] }) {
  const ttps = ttpsOf(indicators);
  const byTactic = new Map<string, Map<string, { success: number; failure: number }>>();
  for (const t of ttps) {
    const tactic = t.Tactic ?? 'Unknown';
    const techniques = byTactic.get(tactic) ?? new Map();
    const counts = techniques.get(t.Technique ?? 'Unknown') ?? { success: 0, failure: 0 };
    counts.success += t.APISuccessCount ?? 0;
    counts.failure += t.APIFailureCount ?? 0;
    techniques.set(t.Technique ?? 'Unknown', counts);
    byTactic.set(tactic, techniques);
  }
  const tactics = [...TACTICS.filter((t) => byTactic.has(t)), ...[...byTactic.keys()].filter((t) => !TACTICS.includes(t))];
  return (
    <Panel title="MITRE ATT&CK tactics and techniques observed">
      {tactics.length === 0 ? (
        <p class="state empty">No tactic or technique observed.</p>
      ) : (
        <div class="matrix" role="table" aria-label="ATT&CK matrix">
          {tactics.map((tactic) => (
            <div key={tactic} role="rowgroup">
              <div class="tactic" role="columnheader">
                {tactic}
              </div>
              {[...(byTactic.get(tactic) as Map<string, { success: number; failure: number }>)].map(([technique, counts]) => (
                <div key={technique} role="cell" class={`technique ${counts.success > 0 ? 'success' : 'failed'}`} title={`${counts.success} successful, ${counts.failure} failed calls`}>
                  {technique}
                  <div class="muted">
                    {counts.success} ok, {counts.failure} failed
                  </div>
                </div>
              ))}
            </div>
          ))}
        </div>
      )}
      <p class="muted">Highlighted: at least one successful call.</p>
    </Panel>
  );
}

/** One line of an indicator's detail, whatever its type. */
function summaryOf(indicator: Indicator): string {
  const detail = Object.values(indicator.IndicatorDetail ?? {})[0] as Record<string, unknown> | undefined;
  if (!detail) return '';
  return Object.entries(detail)
    .filter(([, v]) => typeof v !== 'object')
    .map(([k, v]) => `${k}: ${display(v)}`)
    .join(' · ');
}

function IndicatorGroups({ id, indicators }: { id: string; indicators: Indicator[] }) {
  const groups = new Map<string, Indicator[]>();
  for (const i of indicators) groups.set(i.IndicatorType ?? 'UNKNOWN', [...(groups.get(i.IndicatorType ?? 'UNKNOWN') ?? []), i]);
  return (
    <Panel title="Indicators">
      {groups.size === 0 ? <p class="state empty">No indicator.</p> : null}
      {[...groups].map(([type, list]) => (
        <details key={type} class="indicator-group">
          <summary>
            {type} ({list.length})
          </summary>
          <ol>
            {list.map((indicator, index) => (
              <li key={index}>
                <IndicatorRow id={id} type={type} index={index} indicator={indicator} />
              </li>
            ))}
          </ol>
        </details>
      ))}
    </Panel>
  );
}

interface EvidenceEvent {
  EventId: string;
  EventTime: string;
  Api: string;
  SourceIpAddress?: string;
  UserAgent?: string;
  Principal?: string;
  ErrorCode?: string;
  RecordStatus: string;
  Record?: unknown;
  PermissionFacts?: PermissionFact[];
}

/** Names no calls, so listIndicatorEvidence answers 400 for them. */
const WITHOUT_EVIDENCE = new Set(['NEW_ASO', 'RELATED_FINDING_GROUP']);

function IndicatorRow({ id, type, index, indicator }: { id: string; type: string; index: number; indicator: Indicator }) {
  const [open, setOpen] = useState(false);
  return (
    <div>
      <span>{summaryOf(indicator)}</span>{' '}
      {WITHOUT_EVIDENCE.has(type) ? null : (
        <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? 'Hide events' : 'Raw events'}
        </button>
      )}
      {open ? <Evidence id={id} type={type} index={index} /> : null}
    </div>
  );
}

interface EvidencePage {
  TotalCount: number;
  Events: EvidenceEvent[];
  FlowEvidence?: FlowEvidenceRow[];
  FlowEvidenceCount?: number;
  /** The next page of both lists (events and flows are paged together). */
  NextToken?: string;
}

function Evidence({ id, type, index }: { id: string; type: string; index: number }) {
  const request = { GraphArn: GRAPH_ARN, InvestigationId: id, IndicatorType: type, IndicatorIndex: index, MaxResults: 20 };
  const loaded = useLoad(() => call<EvidencePage>('/investigations/listIndicatorEvidence', request), [id, type, index]);
  return (
    <div class="evidence" data-testid="evidence">
      <Show loaded={loaded} empty={(d) => (d.Events.length || d.FlowEvidence?.length ? false : 'No CloudTrail event or VPC flow stands behind this indicator.')}>
        {(first) => <EvidencePages key={`${id}#${type}#${index}`} first={first} request={request} fileStem={`trailhound-${id}-${type.toLowerCase()}-${index}`} />}
      </Show>
    </div>
  );
}

/**
 * An indicator's evidence, page after page: the first page, and "More evidence" for the next (the API's
 * NextToken, one for both lists), appended to the tables already shown.
 */
function EvidencePages({ first, request, fileStem }: { first: EvidencePage; request: object; fileStem: string }) {
  const [d, setPages] = useState(first);
  const [status, setStatus] = useState('');
  const more = async () => {
    setStatus('Loading more evidence…');
    try {
      const next = await call<EvidencePage>('/investigations/listIndicatorEvidence', { ...request, NextToken: d.NextToken });
      setPages({
        ...next,
        Events: [...d.Events, ...next.Events],
        ...(d.FlowEvidence || next.FlowEvidence ? { FlowEvidence: [...(d.FlowEvidence ?? []), ...(next.FlowEvidence ?? [])] } : {}),
      });
      setStatus('');
    } catch (error) {
      setStatus(`More evidence failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  return (
    <>
      <EvidenceCsvButtons request={request} fileStem={fileStem} events={first.TotalCount > 0} flows={(first.FlowEvidenceCount ?? 0) > 0} />
      {d.FlowEvidence?.length ? <FlowEvidenceTable rows={d.FlowEvidence} total={d.FlowEvidenceCount ?? d.FlowEvidence.length} /> : null}
      {/* An address flagged from flow logs only has no call: no empty events table under its flows. */}
      {d.Events.length || !d.FlowEvidence?.length ? (
        <>
          <p class="muted">
            {d.Events.length} of {d.TotalCount} events
          </p>
          <Table
            label="Evidence events"
            rows={d.Events}
            columns={[
              { key: 'time', title: 'Time', value: (e) => e.EventTime, cell: (e) => utc(e.EventTime) },
              { key: 'api', title: 'API', value: (e) => e.Api },
              { key: 'ip', title: 'Source', value: (e) => e.SourceIpAddress },
              { key: 'principal', title: 'Principal', value: (e) => e.Principal },
              { key: 'error', title: 'Error', value: (e) => e.ErrorCode },
              { key: 'id', title: 'Event id', value: (e) => e.EventId },
              { key: 'facts', title: 'Permission change', value: (e) => e.PermissionFacts?.map((f) => f.Says).join('; ') },
              {
                key: 'record',
                title: 'Record',
                value: (e) => e.RecordStatus,
                cell: (e) =>
                  e.Record ? (
                    <details>
                      <summary>{e.RecordStatus}</summary>
                      <pre>{JSON.stringify(e.Record, null, 2)}</pre>
                    </details>
                  ) : (
                    e.RecordStatus
                  ),
              },
            ]}
          />
        </>
      ) : null}
      {d.NextToken ? (
        <div class="bar">
          <button type="button" onClick={() => void more()}>
            More evidence
          </button>
          {status ? <span class="muted">{status}</span> : null}
        </div>
      ) : null}
    </>
  );
}

/** The VPC flows between a flagged address and the entity's instances (listIndicatorEvidence's FlowEvidence). */
type FlowEvidenceRow = FlowEvidence;

function FlowEvidenceTable({ rows, total }: { rows: FlowEvidenceRow[]; total: number }) {
  return (
    <>
      <p class="muted">
        {rows.length} of {total} instance-hours of VPC flows with this address
      </p>
      <Table
        label="Flow evidence"
        rows={rows}
        columns={[
          { key: 'hour', title: 'Hour', value: (f) => f.Hour, cell: (f) => utc(f.Hour) },
          { key: 'instance', title: 'Instance', value: (f) => f.InstanceId },
          { key: 'interface', title: 'Interface', value: (f) => f.InterfaceId },
          { key: 'in', title: 'Bytes in', value: (f) => f.BytesIn, numeric: true },
          { key: 'out', title: 'Bytes out', value: (f) => f.BytesOut + f.BytesUnknownDirection, numeric: true },
          { key: 'flows', title: 'Flows', value: (f) => f.Flows, numeric: true },
          { key: 'rejected', title: 'Rejected', value: (f) => f.RejectedFlows, numeric: true },
          { key: 'ports', title: 'Ports', value: (f) => f.Ports.join(' ') },
        ]}
      />
    </>
  );
}

function Mitigations({ indicators }: { indicators: Indicator[] }) {
  const advice = [...new Set(indicators.map((i) => recommendedMitigation(i)).filter((m): m is string => !!m))];
  return (
    <Panel title="Mitigations">
      {advice.length ? (
        <ul>
          {advice.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : (
        <p class="state empty">Nothing to mitigate.</p>
      )}
      <p>
        <a href={href('investigations')}>All investigations</a>
      </p>
    </Panel>
  );
}
