/**
 * The S3 client. Credentials come from the AWS_* environment through the SDK's default chain;
 * they never pass through our code.
 */
import { S3Client } from '@aws-sdk/client-s3';

/**
 * The client. Checksum calculation/validation only WHEN_REQUIRED: with the defaults a streamed
 * PutObject is sent aws-chunked, and servers such as s3rver store that framing as the object.
 */
export function createS3Client(options: { endpoint?: string; region?: string; maxAttempts?: number }): S3Client {
  return new S3Client({
    region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    endpoint: options.endpoint,
    forcePathStyle: options.endpoint !== undefined,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: options.maxAttempts ?? 3,
  });
}
