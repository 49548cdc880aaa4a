/**
 * Reads a layer file and its chain of parent layer files (siblings in the same directory),
 * validating each and refusing cycles. All problems of one file are reported at once.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { layerFileSchema } from './schema.js';
import type { LayerFailure, ResolvedLayer } from './types.js';
import { err, ok, type Result } from '../util/result.js';

async function readLayerFile(path: string): Promise<Result<ResolvedLayer['file'], LayerFailure>> {
  let doc: unknown;
  try { doc = parse(await readFile(path, 'utf8')); } catch (cause) { return err({ code: 'config', message: `${path}: cannot read or parse it`, cause }); }
  const r = layerFileSchema.safeParse(doc);
  if (!r.success) return err({ code: 'config', message: r.error.issues.map((i) => `${path}: ${i.path.join('.') || '(top)'}: ${i.message}`).join('\n') });
  const expected = path.replace(/^.*\//, '').replace(/\.ya?ml$/, '');
  if (r.data.name !== expected) return err({ code: 'config', message: `${path}: name: "${r.data.name}" must equal the file name "${expected}"` });
  return ok(r.data);
}

export async function loadLayer(path: string, seen: readonly string[] = []): Promise<Result<ResolvedLayer, LayerFailure>> {
  if (seen.includes(path)) return err({ code: 'config', message: `layer parents form a cycle: ${[...seen, path].join(' -> ')}` });
  const file = await readLayerFile(path);
  if (!file.ok) return file;
  const tags = typeof file.value.publish_tags === 'string' ? [file.value.publish_tags] : file.value.publish_tags;
  const { parent } = file.value;
  if (parent === 'scratch') return ok({ file: file.value, path, parent: { kind: 'scratch' }, tags });
  if (parent.startsWith('oci://')) return ok({ file: file.value, path, parent: { kind: 'oci', reference: parent }, tags });
  const up = await loadLayer(join(dirname(path), `${parent}.yaml`), [...seen, path]);
  return up.ok ? ok({ file: file.value, path, parent: { kind: 'layer', layer: up.value }, tags }) : up;
}
