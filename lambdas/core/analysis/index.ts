/** The investigation stages' pure analysis: one import for the Step Functions stage handlers. */
export * from './detective-types';
export * from './geo';
export { isIpAddress, ipAddressCounts } from './ip-address';
export * from './config';
export * from './threat-intel';
export * from './ttp-catalog';
export { analyzeTtps, consoleLoginsWithoutMfa, CONSOLE_LOGIN_WITHOUT_MFA_PROCEDURE, techniqueLabel, procedureText, type TtpActivity, type TtpInput } from './ttp';
export * from './instance-credentials';
export * from './newness';
export * from './impossible-travel';
export * from './flagged-ips';
export * from './related-findings';
export * from './severity';
