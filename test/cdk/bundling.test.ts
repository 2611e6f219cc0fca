import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { PROJECT_ROOT } from '../../lib/ingest-function';
import { TrailhoundStack } from '../../lib/trailhound-stack';
import { CDK_JSON_CONTEXT } from './synth';

/**
 * The one synth with real bundling: the local esbuild from devDependencies (no Docker) must turn the handler
 * into a loadable CommonJS bundle that leaves the AWS SDK to the Lambda runtime.
 */
describe('ingest function bundle', () => {
  // Inside the (git-ignored) cdk.out so that the bundle's `require('@aws-sdk/…')` resolves from node_modules.
  let outdir: string;
  beforeAll(() => {
    fs.mkdirSync(path.join(PROJECT_ROOT, 'cdk.out'), { recursive: true });
    outdir = fs.mkdtempSync(path.join(PROJECT_ROOT, 'cdk.out', 'jest-bundle-'));
  });
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  it('is built with local esbuild, minified, with a source map, and exports the handler', () => {
    const app = new App({ outdir, context: CDK_JSON_CONTEXT });
    const stack = new TrailhoundStack(app, 'Trailhound');
    const assembly = app.synth();

    const assets = JSON.parse(fs.readFileSync(path.join(assembly.directory, `${stack.artifactId}.assets.json`), 'utf8')) as {
      files: Record<string, { source: { path: string; packaging?: string } }>;
    };
    const bundles = Object.values(assets.files)
      .filter((file) => file.source.packaging === 'zip')
      .map((file) => path.join(assembly.directory, file.source.path))
      .filter((dir) => fs.existsSync(path.join(dir, 'index.js.map')));
    expect(bundles).toHaveLength(1);

    const code = fs.readFileSync(path.join(bundles[0], 'index.js'), 'utf8');
    expect(code).toMatch(/require\("@aws-sdk\/client-s3"\)/);
    // Minified: no line of source-like length, and far smaller than the sources with @middy and our modules.
    expect(code.split('\n').length).toBeLessThan(50);

    const exported = execFileSync(process.execPath, ['-e', `process.stdout.write(typeof require(${JSON.stringify(path.join(bundles[0], 'index.js'))}).handler)`], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    });
    expect(exported).toBe('function');
  });
});
