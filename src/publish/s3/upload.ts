/**
 * One object, idempotently: HEAD first (same size and recorded sha256 -> nothing to do), else a
 * streamed multipart upload (aborted on failure, so no orphaned parts where the server supports it), then a re-read that must
 * hash to the expected sha256. The whole cycle is retried on transient failures.
 */
import { createReadStream } from 'node:fs';
import { AbortMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { PublishError, isRetryableStatus, toPublishError } from '../errors.js';
import { sha256OfStream } from '../hash-file.js';
import { withRetry, type OnRetry, type RetryPolicy } from '../retry.js';

export interface ObjectUpload {
  bucket: string;
  key: string;
  file: string;
  sha256: string;
  size: number;
}

export type UploadStatus = 'uploaded' | 'exists';

/** 8 MiB parts, two in flight: at most 16 MiB buffered whatever the image size. */
const PART_SIZE = 8 << 20;
const QUEUE_SIZE = 2;

function s3Error(cause: unknown, what: string): PublishError {
  if (cause instanceof PublishError) return cause;
  const status = (cause as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined) {
    const name = (cause as Error).name;
    return new PublishError('http', `${what}: HTTP ${status} ${name}`, { cause, status, retryable: isRetryableStatus(status) });
  }
  return toPublishError(cause, what);
}

async function headMatches(client: S3Client, o: ObjectUpload, signal?: AbortSignal): Promise<boolean> {
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: o.bucket, Key: o.key }), { abortSignal: signal });
    return head.ContentLength === o.size && head.Metadata?.sha256 === o.sha256;
  } catch (cause) {
    const status = (cause as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) return false;
    throw cause;
  }
}

async function readBack(client: S3Client, o: ObjectUpload, signal?: AbortSignal): Promise<void> {
  const got = await client.send(new GetObjectCommand({ Bucket: o.bucket, Key: o.key }), { abortSignal: signal });
  const body = got.Body as AsyncIterable<Uint8Array> | undefined;
  if (!body) throw new PublishError('integrity', `s3://${o.bucket}/${o.key}: empty response on read-back`, { retryable: true });
  const { sha256, size } = await sha256OfStream(body);
  if (sha256 !== o.sha256 || size !== o.size) {
    throw new PublishError('integrity', `s3://${o.bucket}/${o.key}: read back ${size} bytes with sha256 ${sha256}, expected ${o.size} bytes with ${o.sha256}`, { retryable: true });
  }
}

async function uploadOnce(client: S3Client, o: ObjectUpload, signal?: AbortSignal): Promise<void> {
  const upload = new Upload({
    client,
    params: { Bucket: o.bucket, Key: o.key, Body: createReadStream(o.file, { highWaterMark: 1 << 20 }), Metadata: { sha256: o.sha256 }, ContentLength: o.size },
    partSize: PART_SIZE,
    queueSize: QUEUE_SIZE,
    // We abort the multipart upload ourselves: lib-storage would throw the abort's error (405 on
    // s3rver, which has no AbortMultipartUpload) in place of the failure that matters.
    leavePartsOnError: true,
  });
  const onAbort = (): void => { void upload.abort(); };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await upload.done();
  } catch (cause) {
    if (upload.uploadId) {
      await client.send(new AbortMultipartUploadCommand({ Bucket: o.bucket, Key: o.key, UploadId: upload.uploadId })).catch(() => undefined);
    }
    throw cause;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

export async function putObject(
  client: S3Client, o: ObjectUpload, options: { policy: RetryPolicy; signal?: AbortSignal; onRetry?: OnRetry },
): Promise<UploadStatus> {
  const what = `upload s3://${o.bucket}/${o.key}`;
  return withRetry(async () => {
    if (await headMatches(client, o, options.signal)) return 'exists';
    await uploadOnce(client, o, options.signal);
    await readBack(client, o, options.signal);
    return 'uploaded';
  }, { ...options, toError: (e) => s3Error(e, what) });
}
