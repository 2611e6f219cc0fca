import { ALNUM, BASE32, BASE64, type Prng, UPPER_HEX } from './prng';

/**
 * AWS-shaped identifiers. The prefixes are the documented "unique identifier prefixes" of IAM:
 * AKIA (long-term access key), ASIA (temporary access key), AIDA (IAM user), AROA (IAM role).
 */

/** 20 characters: a 4-letter prefix and 16 base32 characters. */
export function accessKeyId(prng: Prng, prefix: 'AKIA' | 'ASIA'): string {
  return prefix + prng.chars(BASE32, 16);
}

/** 21 characters: a 4-letter prefix and 17 base32 characters. */
export function uniqueId(prng: Prng, prefix: 'AIDA' | 'AROA'): string {
  return prefix + prng.chars(BASE32, 17);
}

/** Current EC2 instance ids: "i-" and 17 hex digits, of which the first is 0. */
export function instanceId(prng: Prng): string {
  return `i-0${prng.hex(16)}`;
}

export function securityGroupId(prng: Prng): string {
  return `sg-0${prng.hex(16)}`;
}

/**
 * Real session tokens are several hundred bytes of base64; every one starts with "IQoJb3JpZ2luX2Vj".
 * A short fake keeps the sample small while looking like the real thing.
 */
export function sessionToken(prng: Prng): string {
  return `IQoJb3JpZ2luX2Vj${prng.chars(BASE64, 56)}`;
}

/** S3 request ids are 16 upper-case hex digits. */
export function s3RequestId(prng: Prng): string {
  return prng.chars(UPPER_HEX, 16);
}

/** The 16-character unique part of a log file name ("it has no meaning", per the docs). */
export function logFileUniqueString(prng: Prng): string {
  return prng.chars(ALNUM, 16);
}

/** S3's extended request id (`x-amz-id-2`), base64 of a random blob. */
export function s3ExtendedRequestId(prng: Prng): string {
  return prng.chars(BASE64, 76);
}

/** An ARN for a Secrets Manager secret: the name plus a dash and six random characters. */
export function secretArn(prng: Prng, region: string, accountId: string, name: string): string {
  return `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${prng.chars(ALNUM, 6)}`;
}
