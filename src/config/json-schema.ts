/**
 * JSON Schemas generated from the zod schemas, committed under manifests/schema/ for editors and
 * other tools. `npm run schemas` rewrites them; a test fails when they drift.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { pinsFileSchema, variantFileSchema } from './schema.js';
import { buildManifestSchema } from '../manifest/schema.js';
import { stableStringify } from '../util/stable-json.js';

export const SCHEMA_DIR = 'manifests/schema';

export function generateSchemas(): Record<string, string> {
  const gen = (schema: z.ZodType, title: string): string =>
    stableStringify({ ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }), title }, 2) + '\n';
  return {
    'variant.schema.json': gen(variantFileSchema, 'powernode variant file (variants/<name>.yaml)'),
    'pins.schema.json': gen(pinsFileSchema, 'powernode pins (manifests/pins.yaml)'),
    'build-manifest.schema.json': gen(buildManifestSchema, 'powernode build-manifest.json'),
  };
}

export async function writeSchemas(root: string): Promise<void> {
  for (const [name, text] of Object.entries(generateSchemas())) await writeFile(join(root, SCHEMA_DIR, name), text);
}
