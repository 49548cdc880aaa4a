/** pipelines/ci.yaml: runner labels and publish targets of the generated CI workflows. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { fromZod } from '../config/issues.js';
import type { ConfigIssue } from '../config/types.js';
import { err, ok, type Result } from '../util/result.js';

export const CI_CONFIG_FILE = 'pipelines/ci.yaml';

const labels = z.array(z.string().min(1)).min(1);

export const ciConfigSchema = z.strictObject({
  format: z.literal(1),
  runners: z.strictObject({ amd64: labels, arm64: z.union([labels, z.literal('same-as-amd64')]) }),
  publish: z.strictObject({
    registry: z.string().min(1).optional(),
    s3: z.string().regex(/^s3:\/\/[^/]+/, 's3://bucket/prefix').optional(),
    webhook: z.url().optional(),
  }).default({}),
});
export type CiConfig = z.output<typeof ciConfigSchema>;

export async function loadCiConfig(root: string): Promise<Result<CiConfig, ConfigIssue[]>> {
  let data: unknown;
  try {
    data = parse(await readFile(join(root, CI_CONFIG_FILE), 'utf8'));
  } catch (cause) {
    return err([{ file: CI_CONFIG_FILE, path: '', message: `cannot read: ${(cause as Error).message}` }]);
  }
  const parsed = ciConfigSchema.safeParse(data);
  return parsed.success ? ok(parsed.data) : err(fromZod(CI_CONFIG_FILE, parsed.error));
}
