/**
 * A layer's content key: sha256 over stable JSON of everything that shapes its tree — the
 * parent's key (or the base image's digest), the layer's settings, and the bytes of every file
 * it copies in or trusts (repo keys). Same key, same tree: the layer cache's address.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { LayerFile } from './schema.js';
import { sha256Hex } from '../util/hash.js';
import { stableStringify } from '../util/stable-json.js';

/** Format of the key's document: bump when the builder changes what it does with the same inputs. */
export const LAYER_KEY_FORMAT = 1;

export async function layerKey(file: LayerFile, layerPath: string, parentKey: string, sourceDateEpoch: number): Promise<string> {
  const base = dirname(layerPath);
  const digestOf = async (rel: string): Promise<string> => sha256Hex(await readFile(resolve(base, rel)));
  const doc = {
    format: LAYER_KEY_FORMAT,
    parent: parentKey,
    source_date_epoch: sourceDateEpoch,
    repos: await Promise.all(file.repos.map(async (r) => ({ ...r, key: await digestOf(r.key) }))),
    packages: [...file.packages].sort(),
    remove_packages: [...file.remove_packages].sort(),
    copyfiles: await Promise.all(file.copyfiles.map(async (c) => ({ ...c, src: await digestOf(c.src) }))),
    cmds: file.cmds.map((c) => c.cmd),
  };
  return sha256Hex(stableStringify(doc));
}
