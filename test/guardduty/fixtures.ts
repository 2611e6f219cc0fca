import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GuardDutyFindingEvent } from '../../lambdas/core/guardduty/event';

/** The GuardDuty fixtures of test/fixtures/guardduty (see its README) and small helpers to vary them. */
export const FIXTURES = join(__dirname, '..', 'fixtures', 'guardduty');
export const INCIDENT_EVENTS_FILE = join(FIXTURES, 'incident-events.jsonl');
export const GET_FINDINGS_FILE = join(FIXTURES, 'get-findings-output.json');

export const FINDING_IDS = {
  webServerExfiltration: 'a2c7e1f04b9d4e6f8c3b5a7d9e1f2c40',
  orgAccessDiscovery: 'b5d1f3e7a9c24b6d8e0f1a3c5b7d9e2f',
  aliceCredentialAccess: 'c8e2a4f6b1d34c5e9f7a0b2d4e6f8a1c',
  portProbe: 'd3f5b7a9c1e24d6f8a0b2c4e6d8f0a3b',
  rootUsage: 'e6a8c0b2d4f34e7a9b1c3d5f7e9a0b4d',
  /** Only in get-findings-output.json: a second finding about OrganizationAccountAccessRole. */
  orgAccessPersistence: 'f7b9d1c3e5a64f8b0c2d4e6a8b0c1d5e',
} as const;

export const WEB_SERVER_ROLE = 'arn:aws:iam::444455556666:role/web-server-role';
export const ORG_ACCESS_ROLE = 'arn:aws:iam::444455556666:role/OrganizationAccountAccessRole';
export const ALICE = 'arn:aws:iam::111122223333:user/alice';

export function incidentEvents(): GuardDutyFindingEvent[] {
  return readFileSync(INCIDENT_EVENTS_FILE, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as GuardDutyFindingEvent);
}

type Json = Record<string, unknown>;

/** The first publication of a fixture finding (the file also holds a re-publication of one of them). */
export function fixtureFinding(id: string): Json {
  const event = incidentEvents().find((e) => (e.detail as Json).id === id);
  if (!event) throw new Error(`no fixture finding ${id}`);
  return structuredClone(event.detail) as Json;
}

/** A deep copy of a finding with `accessKeyDetails` replaced (undefined removes it). */
export function withAccessKey(finding: Json, accessKeyDetails: Json | undefined): Json {
  const copy = structuredClone(finding);
  const resource = copy.resource as Json;
  if (accessKeyDetails === undefined) delete resource.accessKeyDetails;
  else resource.accessKeyDetails = accessKeyDetails;
  return copy;
}

/** Sets members of `service` on a deep copy. */
export function withService(finding: Json, members: Json): Json {
  const copy = structuredClone(finding);
  Object.assign(copy.service as Json, members);
  return copy;
}
