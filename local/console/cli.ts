import { parseArgs } from 'node:util';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { printLines } from '../terminal-text';
import { ensureConsoleBuilt } from './build';
import { ProxyConfigError, startSigningProxy } from './signing-proxy';
import { consoleSite } from './static-site';

/**
 * `npm run console -- --endpoint <InvestigationApiEndpoint> [--region R] [--port N] [--profile P]`: the
 * console against a deployment, on 127.0.0.1, signing its API calls with your AWS credentials (the SDK's
 * default chain: environment, shared config and SSO, container or instance roles).
 */
const USAGE = `Usage: npm run console -- --endpoint URL [--region REGION] [--port N] [--profile NAME]
  --endpoint URL   the stack output InvestigationApiEndpoint (https://….execute-api.<region>.amazonaws.com/prod)
  --region REGION  when the endpoint is a custom domain (default: from the endpoint, else AWS_REGION)
  --port N         local port (default 4568; 0 picks a free one)
  --profile NAME   AWS profile of the shared config (default: AWS_PROFILE, then the default chain)`;

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { values } = parseArgs({ options: { endpoint: { type: 'string' }, region: { type: 'string' }, port: { type: 'string', default: '4568' }, profile: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help || !values.endpoint) {
    printLines(USAGE.split('\n'), values.help ? process.stdout : process.stderr);
    process.exit(values.help ? 0 : 2);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ProxyConfigError(`--port ${values.port} is not a port number`);
  const built = await ensureConsoleBuilt();
  if (built) printLines([built]);
  const proxy = await startSigningProxy({
    endpoint: values.endpoint,
    ...(values.region ? { region: values.region } : {}),
    port,
    credentials: defaultProvider(values.profile ? { profile: values.profile } : {}),
    site: consoleSite(),
  });
  printLines([`Console on ${proxy.url}/  (API calls signed for execute-api and sent to ${values.endpoint}; Ctrl-C to stop)`]);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await proxy.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    printLines([`trailhound console: ${error instanceof Error ? error.message : String(error)}`], process.stderr);
    process.exit(error instanceof ProxyConfigError ? 2 : 1);
  },
);
