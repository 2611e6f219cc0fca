/**
 * Every source IP address and user agent the sample data uses, in one place.
 *
 * The addresses are public IPv4 addresses (no private ranges, no RFC 5737 documentation ranges) so that
 * geolocation and "is this an AWS address" enrichments have something realistic to chew on. The comments
 * say what kind of network and country each one is MEANT to represent in the story; they are picked from
 * plausible ranges for illustration only, and nothing here claims that any real owner of these addresses
 * was involved in anything.
 *
 * AWS services calling on a customer's behalf appear with the service's DNS name as sourceIPAddress
 * (e.g. "ec2.amazonaws.com"), as CloudTrail records them.
 */

export const IP = {
  /** Head-office internet egress, a US business fibre provider (Virginia, US). Alice works from here. */
  officeUs: '208.184.77.34',
  /** Alice's home broadband, a US cable provider (California, US). */
  aliceHome: '73.189.24.117',
  /** Bob's home broadband, a UK residential provider (London, GB). */
  bobHome: '86.14.201.56',
  /** Dave's connection, a UK mobile network (Manchester, GB). */
  daveMobile: '90.213.14.88',
  /** Hosted CI runners, a large public cloud's US East region (Virginia, US). */
  ciRunners: ['20.42.11.199', '20.42.11.207', '20.121.40.86'],
  /** The finance reporting server, in the same US business fibre range as the office. */
  reportingServer: '208.184.77.41',
  /** Public IPs of the two web servers, Amazon EC2 us-east-1 (Virginia, US). */
  webServer1: '3.91.102.44',
  webServer2: '54.166.20.138',
  /** NAT gateway elastic IP of the EKS cluster's VPC, Amazon EC2 us-east-1 (Virginia, US). */
  eksNatGateway: '44.206.15.72',
  /** Egress addresses of AWS Lambda in eu-west-1 (Dublin, IE). */
  lambdaEuWest1: ['34.245.87.19', '52.51.200.3', '54.171.62.140'],
  /** Mobile app users (Cognito identities): consumer broadband and mobile networks in IE, ES and FR. */
  appUsers: ['37.228.201.14', '89.101.63.77', '83.45.118.240', '90.84.236.19', '176.61.52.8'],
  /** The attacker's rented server, a VPS hosting provider (Amsterdam, NL). Never seen before 2026-10-22. */
  attackerVps: '45.137.21.9',
  /** Where the stolen EC2 instance credentials are replayed from, a cloud VPS provider (Singapore, SG). */
  credentialReplayVps: '139.180.133.61',
} as const;

export const USER_AGENT = {
  cliAlice:
    'aws-cli/2.17.42 md/awscrt#0.21.2 ua/2.0 os/macos#23.6.0 md/arch#arm64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#',
  cliBob:
    'aws-cli/2.18.5 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-45-generic md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#',
  browserMac:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36',
  browserWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:131.0) Gecko/20100101 Firefox/131.0',
  saml2aws: 'aws-sdk-go/1.55.5 (go1.22.6; linux; amd64) saml2aws/2.36.17',
  terraform:
    'APN/1.0 HashiCorp/1.0 Terraform/1.9.7 (+https://www.terraform.io) terraform-provider-aws/5.70.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.31.0 ua/2.1 os/linux lang/go#1.23.1 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.179.0',
  ciDeployer:
    'aws-cli/2.18.0 md/awscrt#0.22.0 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython exec-env/CI cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#',
  reportingTool: 'Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#5.15.0-122-generic md/arch#x86_64 lang/python#3.10.12 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.36',
  ssmAgent: 'aws-sdk-go/1.54.20 (go1.22.5; linux; amd64) amazon-ssm-agent/3.3.859.0',
  webApp: 'Boto3/1.35.20 md/Botocore#1.35.20 ua/2.0 os/linux#6.1.109-118.189.amzn2023.x86_64 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.20',
  cognitoApp: 'aws-sdk-android/2.77.0 Linux/5.10.198-android13 Dalvik/2.1.0/0 en_IE',
  /** The attacker signs requests by hand with a Python HTTP library: never seen in the baseline. */
  attacker: 'python-requests/2.32.3',
  /** The stolen instance credentials are replayed with curl's built-in SigV4 signing. */
  credentialReplay: 'curl/8.5.0',
} as const;

/**
 * Current AWS SDKs name the service client in the user agent ("api/<service>#<version>"), so one program
 * shows a different user agent per service it calls.
 */
export function eksWorkloadUserAgent(eventSource: string): string {
  const service = eventSource.replace(/\.amazonaws\.com$/, '');
  return `aws-sdk-go-v2/1.30.4 ua/2.1 os/linux lang/go#1.22.6 md/GOOS#linux md/GOARCH#amd64 api/${service}#1.30.5`;
}

export function lambdaNodeUserAgent(eventSource: string): string {
  const service = eventSource.replace(/\.amazonaws\.com$/, '').replace('secretsmanager', 'secrets-manager');
  return `aws-sdk-js/3.658.1 ua/2.1 os/linux#5.10.226-236.885.amzn2.x86_64 lang/js md/nodejs#20.17.0 api/${service}#3.658.1 exec-env/AWS_Lambda_nodejs20.x`;
}

/** sourceIPAddress and userAgent of calls AWS services make themselves. */
export function awsServicePrincipal(service: string): string {
  return `${service}.amazonaws.com`;
}
