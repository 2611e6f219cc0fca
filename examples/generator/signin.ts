import type { Prng } from './prng';
import { buildRecord } from './record';
import type { CloudTrailEvent, JsonObject, UserIdentity } from './types';

/**
 * AWS Management Console sign-in events (eventType AwsConsoleSignIn). A console sign-in creates session
 * credentials without any STS event: the ConsoleLogin record is all CloudTrail shows of their creation.
 */
export interface ConsoleLoginInput {
  time: number;
  /** IAMUser (without access key) or Root. */
  identity: UserIdentity;
  accountId: string;
  sourceIPAddress: string;
  userAgent: string;
  /** The MFA device an IAM user signed in with; root sign-ins only say that MFA was used. */
  mfaSerial?: string;
}

export function consoleLogin(prng: Prng, input: ConsoleLoginInput): CloudTrailEvent {
  const additionalEventData: JsonObject = {
    LoginTo: 'https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1',
    MobileVersion: 'No',
  };
  if (input.mfaSerial) additionalEventData.MFAIdentifier = input.mfaSerial;
  additionalEventData.MFAUsed = 'Yes';
  return buildRecord(prng, {
    time: input.time,
    region: 'us-east-1',
    recipientAccountId: input.accountId,
    identity: input.identity,
    sourceIPAddress: input.sourceIPAddress,
    userAgent: input.userAgent,
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    readOnly: false,
    requestParameters: null,
    responseElements: { ConsoleLogin: 'Success' },
    additionalEventData,
    eventType: 'AwsConsoleSignIn',
    host: 'us-east-1.signin.aws.amazon.com',
  });
}
