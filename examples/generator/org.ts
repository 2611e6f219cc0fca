import type { AccountEnv } from './apis';
import type { TrailLayout } from './delivery';
import { type IamRole, type IamUser, makeRole, makeUser, samlNameQualifier } from './identities';
import { accessKeyId, instanceId, secretArn, securityGroupId } from './ids';
import { IP } from './network';
import type { Prng } from './prng';
import type { SamlProvider } from './sts';

/**
 * The sample organisation: a management account and one workload account, their principals and the
 * resources API calls refer to. Every id is drawn from the seeded PRNG, so a seed fixes the whole cast.
 */

export const MANAGEMENT_ACCOUNT = '111122223333';
export const WORKLOAD_ACCOUNT = '444455556666';
export const ORGANIZATION_ID = 'o-exampleorg1';
export const REGIONS = ['us-east-1', 'eu-west-1'] as const;
export const LOG_BUCKET = 'example-org-cloudtrail-logs';
/** The bucket the attacker reads from: the trail logs S3 data events for it. */
export const SENSITIVE_BUCKET = `acme-customer-exports-${WORKLOAD_ACCOUNT}`;
/** An account outside the organisation that the attacker grants access to. */
export const EXTERNAL_ACCOUNT = '999988887777';

export interface Instance {
  id: string;
  region: string;
  publicIp: string;
  /** Last two octets of the private address, for the SSM agent's computer name. */
  privateTail: string;
}

export interface Org {
  mgmt: AccountEnv;
  workload: AccountEnv;
  layouts: TrailLayout[];
  users: { alice: IamUser; reportingProxy: IamUser; ciDeployer: IamUser };
  /** Long-term AKIA keys of the IAM users. */
  keys: { alice: string; reportingProxy: string; ciDeployer: string };
  aliceMfaSerial: string;
  roles: {
    admin: IamRole;
    orgAccess: IamRole;
    dataAccess: IamRole;
    ssoReadOnlyMgmt: IamRole;
    ssoReadOnlyWorkload: IamRole;
    oktaDevelopers: IamRole;
    ordersApi: IamRole;
    webServer: IamRole;
    invoiceLambda: IamRole;
    cognitoAuth: IamRole;
  };
  saml: { ssoMgmt: SamlProvider; ssoWorkload: SamlProvider; okta: SamlProvider };
  eks: { providerArn: string; audience: string; subject: string };
  cognito: { identityPoolId: string; identityIds: string[] };
  instances: { web1: Instance; web2: Instance };
  webSecurityGroup: string;
}

function ssoProvider(prng: Prng, accountId: string, instanceTag: string): SamlProvider {
  const name = `AWSSSO_${prng.hex(16)}_DO_NOT_DELETE`;
  // IAM Identity Center's issuer is the portal's assertion URL with a base64 id of the instance.
  const issuer = `https://portal.sso.us-east-1.amazonaws.com/saml/assertion/${Buffer.from(`${MANAGEMENT_ACCOUNT}_${instanceTag}`).toString('base64')}`;
  return { arn: `arn:aws:iam::${accountId}:saml-provider/${name}`, issuer, nameQualifier: samlNameQualifier(issuer, accountId, name) };
}

export function buildOrg(seed: Prng): Org {
  const prng = seed.fork('org');
  const mgmt = MANAGEMENT_ACCOUNT;
  const work = WORKLOAD_ACCOUNT;

  const users = {
    alice: makeUser(prng, mgmt, 'alice'),
    reportingProxy: makeUser(prng, mgmt, 'reporting-proxy'),
    ciDeployer: makeUser(prng, work, 'ci-deployer'),
  };
  const keys = { alice: accessKeyId(prng, 'AKIA'), reportingProxy: accessKeyId(prng, 'AKIA'), ciDeployer: accessKeyId(prng, 'AKIA') };
  const ssoPath = '/aws-reserved/sso.amazonaws.com/';
  const roles = {
    admin: makeRole(prng, mgmt, 'Admin'),
    orgAccess: makeRole(prng, work, 'OrganizationAccountAccessRole'),
    dataAccess: makeRole(prng, work, 'DataAccess'),
    ssoReadOnlyMgmt: makeRole(prng, mgmt, `AWSReservedSSO_ReadOnly_${prng.hex(16)}`, ssoPath),
    ssoReadOnlyWorkload: makeRole(prng, work, `AWSReservedSSO_ReadOnly_${prng.hex(16)}`, ssoPath),
    oktaDevelopers: makeRole(prng, work, 'OktaDevelopers'),
    ordersApi: makeRole(prng, work, 'orders-api-irsa'),
    webServer: makeRole(prng, work, 'web-server-role'),
    invoiceLambda: makeRole(prng, work, 'invoice-processor-role', '/service-role/'),
    cognitoAuth: makeRole(prng, work, 'Cognito_PhotoAppAuth_Role'),
  };
  const instanceTag = `ins-${prng.hex(16)}`;
  const oktaIssuer = `http://www.okta.com/exk${prng.hex(17)}`;
  const saml = {
    ssoMgmt: ssoProvider(prng, mgmt, instanceTag),
    ssoWorkload: ssoProvider(prng, work, instanceTag),
    okta: { arn: `arn:aws:iam::${work}:saml-provider/Okta`, issuer: oktaIssuer, nameQualifier: samlNameQualifier(oktaIssuer, work, 'Okta') },
  };
  const oidcId = prng.chars('0123456789ABCDEF', 32);
  const eks = {
    providerArn: `arn:aws:iam::${work}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/${oidcId}`,
    audience: 'sts.amazonaws.com',
    subject: 'system:serviceaccount:orders:orders-api',
  };
  const cognito = {
    identityPoolId: `eu-west-1:${prng.uuid()}`,
    identityIds: Array.from({ length: 6 }, () => `eu-west-1:${prng.uuid()}`),
  };
  const instances = {
    web1: { id: instanceId(prng), region: 'us-east-1', publicIp: IP.webServer1, privateTail: '1-37' },
    web2: { id: instanceId(prng), region: 'us-east-1', publicIp: IP.webServer2, privateTail: '2-114' },
  };
  const webSecurityGroup = securityGroupId(prng);

  const mgmtEnv: AccountEnv = {
    accountId: mgmt,
    buckets: [LOG_BUCKET, `acme-billing-reports-${mgmt}`, `acme-terraform-state-${mgmt}`],
    instances: [],
    securityGroups: [],
    secrets: [{ name: 'finance/reporting-db', arn: secretArn(prng, 'us-east-1', mgmt, 'finance/reporting-db'), region: 'us-east-1' }],
    roleNames: ['Admin', roles.ssoReadOnlyMgmt.roleName, 'AWSServiceRoleForOrganizations', 'AWSServiceRoleForSSO'],
    userNames: ['alice', 'reporting-proxy'],
    trail: { name: 'management-trail', arn: `arn:aws:cloudtrail:us-east-1:${mgmt}:trail/management-trail` },
    functions: [],
    clusters: [],
    parameters: ['/org/config/account-map'],
    kmsKeys: [{ arn: `arn:aws:kms:us-east-1:${mgmt}:key/${prng.uuid()}`, region: 'us-east-1' }],
    logGroups: ['/aws/cloudtrail/management-trail'],
    stacks: [{ name: 'org-baseline', region: 'us-east-1' }],
  };
  const workEnv: AccountEnv = {
    accountId: work,
    buckets: [SENSITIVE_BUCKET, `acme-web-assets-${work}`, `acme-deploy-artifacts-${work}`, `photo-app-uploads-${work}`],
    instances: [instances.web1, instances.web2],
    securityGroups: [{ id: webSecurityGroup, region: 'us-east-1', name: 'web-server-sg' }],
    secrets: [
      { name: 'prod/db/credentials', arn: secretArn(prng, 'us-east-1', work, 'prod/db/credentials'), region: 'us-east-1' },
      { name: 'prod/stripe/api-key', arn: secretArn(prng, 'us-east-1', work, 'prod/stripe/api-key'), region: 'us-east-1' },
      { name: 'orders-api/db', arn: secretArn(prng, 'us-east-1', work, 'orders-api/db'), region: 'us-east-1' },
      { name: 'invoice-processor/smtp', arn: secretArn(prng, 'eu-west-1', work, 'invoice-processor/smtp'), region: 'eu-west-1' },
    ],
    roleNames: Object.values(roles).filter((r) => r.accountId === work).map((r) => r.roleName),
    userNames: ['ci-deployer'],
    // The workload account's events come from the organisation trail, which lives in the management account.
    trail: { name: 'org-trail', arn: `arn:aws:cloudtrail:us-east-1:${mgmt}:trail/org-trail` },
    functions: [{ name: 'invoice-processor', region: 'eu-west-1' }],
    clusters: [{ name: 'orders-prod', region: 'us-east-1' }],
    parameters: ['/web/prod/feature-flags', '/web/prod/db-endpoint', '/invoice/prod/queue-url'],
    kmsKeys: [
      { arn: `arn:aws:kms:us-east-1:${work}:key/${prng.uuid()}`, region: 'us-east-1' },
      { arn: `arn:aws:kms:eu-west-1:${work}:key/${prng.uuid()}`, region: 'eu-west-1' },
    ],
    logGroups: ['/aws/lambda/invoice-processor', '/aws/eks/orders-prod/cluster', '/web/prod/access'],
    stacks: [
      { name: 'web-prod', region: 'us-east-1' },
      { name: 'invoice-processor', region: 'eu-west-1' },
    ],
  };

  // The management account's own trail uses the account layout; the workload account's events come from
  // the organisation trail, whose keys carry the organisation id.
  const layouts: TrailLayout[] = [
    { accountId: mgmt, prefix: `AWSLogs/${mgmt}`, trailName: 'management-trail', homeRegion: 'us-east-1', bucket: LOG_BUCKET },
    { accountId: work, prefix: `AWSLogs/${ORGANIZATION_ID}/${work}`, trailName: 'org-trail', homeRegion: 'us-east-1', bucket: LOG_BUCKET },
  ];

  return {
    mgmt: mgmtEnv,
    workload: workEnv,
    layouts,
    users,
    keys,
    aliceMfaSerial: `arn:aws:iam::${mgmt}:mfa/alice`,
    roles,
    saml,
    eks,
    cognito,
    instances,
    webSecurityGroup,
  };
}
