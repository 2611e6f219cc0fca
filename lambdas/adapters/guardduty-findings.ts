import { GetFindingsCommand, GuardDutyClient, ListDetectorsCommand, ListFindingsCommand } from '@aws-sdk/client-guardduty';
import { arnName, parseArn } from '../core/cloudtrail/arn';
import { summarizeGuardDutyFinding, type GuardDutyFindingSummary } from '../core/analysis';
import { camelCaseKeys } from '../core/guardduty/json';

/**
 * Related findings straight from the GuardDuty API (the deployed stack's source; the local mode has no
 * GuardDuty and uses the findings that arrived through the trigger). GuardDuty filters on the access key's
 * user name (the role name for AssumedRole, the user name for IAMUser) and on the update time; the
 * summaries are then matched to the entity by the pure analysis.
 */
const PAGE = 50;
const MAX_FINDINGS = 500;

export class GuardDutyFindingsReader {
  private detectorIds: Promise<string[]> | undefined;

  constructor(private readonly client: GuardDutyClient = new GuardDutyClient({ maxAttempts: 5 })) {}

  private detectors(): Promise<string[]> {
    this.detectorIds ??= (async () => {
      const ids: string[] = [];
      let NextToken: string | undefined;
      do {
        const page = await this.client.send(new ListDetectorsCommand({ NextToken }));
        ids.push(...(page.DetectorIds ?? []));
        NextToken = page.NextToken;
      } while (NextToken);
      return ids;
    })();
    return this.detectorIds;
  }

  async findingsFor(entityArn: string, from: string, to: string): Promise<GuardDutyFindingSummary[]> {
    const name = arnName(entityArn);
    const account = parseArn(entityArn)?.accountId;
    if (!name || !account) return [];
    const summaries: GuardDutyFindingSummary[] = [];
    for (const DetectorId of await this.detectors()) {
      const ids: string[] = [];
      let NextToken: string | undefined;
      do {
        const page = await this.client.send(
          new ListFindingsCommand({
            DetectorId,
            MaxResults: PAGE,
            NextToken,
            FindingCriteria: {
              Criterion: {
                'resource.accessKeyDetails.userName': { Eq: [name] },
                accountId: { Eq: [account] },
                updatedAt: { GreaterThanOrEqual: Date.parse(from) },
              },
            },
          }),
        );
        ids.push(...(page.FindingIds ?? []));
        NextToken = page.NextToken;
      } while (NextToken && ids.length < MAX_FINDINGS);
      for (let i = 0; i < ids.length; i += PAGE) {
        const page = await this.client.send(new GetFindingsCommand({ DetectorId, FindingIds: ids.slice(i, i + PAGE) }));
        for (const finding of page.Findings ?? []) {
          // The API's PascalCase members become the camelCase of the finding JSON that the summary reads.
          const summary = summarizeGuardDutyFinding(camelCaseKeys(finding));
          if (summary && (summary.firstSeen ?? summary.updatedAt) <= to) summaries.push(summary);
        }
      }
    }
    return summaries;
  }
}
