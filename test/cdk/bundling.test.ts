import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ASSET_RESOURCE_METADATA_ENABLED_CONTEXT, ASSET_RESOURCE_METADATA_PATH_KEY } from 'aws-cdk-lib/cx-api';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { geoLookupFromEnv } from '../../lambdas/adapters/geo';
import { INVESTIGATION_STAGES } from '../../lambdas/investigation-stages/stages';
import { GEO_BUNDLE_DIR, GEO_DATABASES, STAGE_ACCESS } from '../../lib/investigation-state-machine';
import { LAMBDA_TASK_ROOT, PROJECT_ROOT } from '../../lib/node-function';
import { TrailhoundStack } from '../../lib/trailhound-stack';
import { CDK_JSON_CONTEXT, functionResource, type Synthesized } from './synth';

/**
 * The one synth with real bundling: the local esbuild from devDependencies (no Docker) must turn every handler
 * into a loadable CommonJS bundle that leaves the AWS SDK to the Lambda runtime, and the geolocating stages
 * must find the databases at the paths their environment names.
 */
describe('function bundles', () => {
  // Inside the (git-ignored) cdk.out so that a bundle's `require('@aws-sdk/…')` resolves from node_modules.
  let outdir: string;
  let synthesized: Synthesized;
  let assemblyDir: string;
  beforeAll(() => {
    fs.mkdirSync(path.join(PROJECT_ROOT, 'cdk.out'), { recursive: true });
    outdir = fs.mkdtempSync(path.join(PROJECT_ROOT, 'cdk.out', 'jest-bundle-'));
    // Asset metadata (as the CLI enables it) maps each function to its bundle directory.
    const app = new App({ outdir, context: { ...CDK_JSON_CONTEXT, [ASSET_RESOURCE_METADATA_ENABLED_CONTEXT]: true } });
    const stack = new TrailhoundStack(app, 'Trailhound');
    assemblyDir = app.synth().directory;
    synthesized = { stack, template: Template.fromStack(stack) };
  });
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  function bundleOf(fn: NodejsFunction): string {
    const assetPath = functionResource(synthesized, fn).Metadata?.[ASSET_RESOURCE_METADATA_PATH_KEY];
    if (typeof assetPath !== 'string') throw new Error(`no asset path for ${fn.node.path}`);
    return path.join(assemblyDir, assetPath);
  }

  function allFunctions(): NodejsFunction[] {
    const { stack } = synthesized;
    return [stack.ingest.function, stack.investigationApi.function, ...(stack.guardDutyTrigger ? [stack.guardDutyTrigger.function] : []), ...Object.values(stack.investigation.stageFunctions)];
  }

  /** A deployed path under /var/task, as a path in the bundle directory. */
  function inBundle(bundle: string, deployedPath: string): string {
    expect(deployedPath.startsWith(`${LAMBDA_TASK_ROOT}/`)).toBe(true);
    return path.join(bundle, deployedPath.slice(LAMBDA_TASK_ROOT.length + 1));
  }

  it('builds the ingest function with local esbuild, minified, with a source map, leaving the SDK to the runtime', () => {
    const bundle = bundleOf(synthesized.stack.ingest.function);
    expect(fs.existsSync(path.join(bundle, 'index.js.map'))).toBe(true);
    const code = fs.readFileSync(path.join(bundle, 'index.js'), 'utf8');
    expect(code).toMatch(/require\("@aws-sdk\/client-s3"\)/);
    // Minified: no line of source-like length, and far smaller than the sources with @middy and our modules.
    expect(code.split('\n').length).toBeLessThan(50);
  });

  it('gives every function a bundle of its own that exports `handler`', () => {
    const bundles = allFunctions().map(bundleOf);
    expect(new Set(bundles).size).toBe(bundles.length);
    // One Node.js process loads them all: a child process, so that module state stays out of jest.
    const script = `for (const b of ${JSON.stringify(bundles)}) { const t = typeof require(require('path').join(b, 'index.js')).handler; if (t !== 'function') throw new Error(b + ': handler is ' + t); }`;
    expect(() => execFileSync(process.execPath, ['-e', script], { cwd: PROJECT_ROOT, encoding: 'utf8', env: { ...process.env, AWS_REGION: 'eu-west-1' } })).not.toThrow();
  });

  it('copies the geolocation databases and their licences into the geolocating stages only', () => {
    for (const stage of INVESTIGATION_STAGES) {
      const geoDir = path.join(bundleOf(synthesized.stack.investigation.stageFunctions[stage]), GEO_BUNDLE_DIR);
      if (STAGE_ACCESS[stage].geolocates !== true) {
        expect(fs.existsSync(geoDir)).toBe(false);
        continue;
      }
      for (const database of Object.values(GEO_DATABASES)) {
        const source = path.dirname(require.resolve(`${database.package}/package.json`));
        for (const file of [...database.files, ...database.licences]) {
          expect(fs.statSync(path.join(geoDir, file)).size).toBe(fs.statSync(path.join(source, file)).size);
        }
      }
    }
  });

  it('names, in GEOIP_CITY_DB and GEOIP_ASN_DB, files of the bundle that the geo adapter can read', () => {
    const fn = synthesized.stack.investigation.stageFunctions.ImpossibleTravel;
    const bundle = bundleOf(fn);
    const variables = functionResource(synthesized, fn).Properties.Environment.Variables as Record<string, string>;
    const local = (value: string) =>
      value
        .split(',')
        .map((deployed) => inBundle(bundle, deployed))
        .join(',');
    const geo = geoLookupFromEnv({ GEOIP_CITY_DB: local(variables.GEOIP_CITY_DB), GEOIP_ASN_DB: local(variables.GEOIP_ASN_DB) });
    expect(geo.location('8.8.8.8')?.countryCode).toBe('US');
    expect(geo.autonomousSystem('8.8.8.8')?.number).toBe(15169);
    // The IPv6 files too.
    expect(geo.autonomousSystem('2001:4860:4860::8888')?.number).toBe(15169);
    expect(geo.location('2001:4860:4860::8888')?.countryCode).toEqual(expect.any(String));
  });
});
