import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateSchemas, SCHEMA_DIR } from '../../src/config/json-schema.js';
import { REPO_ROOT } from '../helpers.js';

test('manifests/schema/ matches the zod schemas (run `npm run schemas` after changing them)', async () => {
  for (const [name, text] of Object.entries(generateSchemas())) {
    const committed = await readFile(join(REPO_ROOT, SCHEMA_DIR, name), 'utf8');
    assert.equal(committed, text, `${SCHEMA_DIR}/${name} drifted from the zod schema`);
  }
});
