/**
 * manifests/toolbox.yaml: the pinned tools root filesystem steps run in (`--executor toolbox|podman`).
 * parse -> validate -> resolve the mirror; the key over the pins names the cached toolbox.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { fromZod } from '../config/issues.js';
import { resolveMirror } from '../config/resolve.js';
import type { ConfigIssue } from '../config/types.js';
import { keyOf, type StepKey } from '../util/hash.js';
import { err, ok, type Result } from '../util/result.js';

export const TOOLBOX_FILE = 'manifests/toolbox.yaml';
/** Bumped when the recipe (toolboxArgv) changes, so old toolboxes are not reused. */
export const TOOLBOX_RECIPE = 1;

export const toolboxFileSchema = z.object({
  format: z.literal(1),
  suite: z.string().min(1),
  mirror: z.string().min(1).default('auto'),
  snapshot: z.string().regex(/^\d{8}T\d{6}Z$/).nullable().default(null),
  components: z.array(z.string().min(1)).min(1).default(['main']),
  /** Architecture of the machine the toolbox runs on (not of the images it builds). */
  architecture: z.enum(['amd64', 'arm64']),
  source_date_epoch: z.number().int().nonnegative(),
  /** Package -> exact Debian version; dependencies are resolved by apt and recorded. */
  packages: z.record(z.string().regex(/^[a-z0-9][a-z0-9+.-]+$/), z.string().min(1)),
}).strict();

export type ToolboxFile = z.output<typeof toolboxFileSchema>;

/** The resolved toolbox pins. */
export interface ToolboxPins extends ToolboxFile {
  /** The mirror actually used (`auto` and `snapshot` resolved); not part of the key. */
  resolved_mirror: string;
  /** sha256 over the pins and the recipe: names the cached toolbox. */
  key: StepKey;
}

/** The key depends on what ends up in the tree, not on which mirror served the exact versions. */
export function toolboxKey(file: ToolboxFile): StepKey {
  const { format, suite, components, architecture, source_date_epoch, packages } = file;
  return keyOf({ recipe: TOOLBOX_RECIPE, format, suite, components, architecture, source_date_epoch, packages });
}

export async function loadToolboxPins(root: string, aptDir?: string): Promise<Result<ToolboxPins, ConfigIssue[]>> {
  let text: string;
  try { text = await readFile(join(root, TOOLBOX_FILE), 'utf8'); } catch (cause) {
    return err([{ file: TOOLBOX_FILE, path: '', message: `cannot read: ${(cause as Error).message}` }]);
  }
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) return err(doc.errors.map((e) => ({ file: TOOLBOX_FILE, path: '', message: `invalid YAML: ${e.message.split('\n')[0] ?? ''}` })));
  const parsed = toolboxFileSchema.safeParse(doc.toJS());
  if (!parsed.success) return err(fromZod(TOOLBOX_FILE, parsed.error));
  const mirror = await resolveMirror({ mirror: parsed.data.mirror, snapshot: parsed.data.snapshot } as Parameters<typeof resolveMirror>[0], aptDir);
  if (!mirror.ok) return err([{ ...mirror.error, file: TOOLBOX_FILE }]);
  return ok({ ...parsed.data, resolved_mirror: mirror.value, key: toolboxKey(parsed.data) });
}
