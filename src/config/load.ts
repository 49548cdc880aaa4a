/**
 * parse -> validate -> cross-field rules -> resolve. Reads files; writes nothing.
 * Every problem in every file is collected before returning.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { pinsFileSchema, variantFileSchema, SHARED_STAGES } from './schema.js';
import { checkRules, type ParsedConfig, type ParsedVariant } from './rules.js';
import { fromZod } from './issues.js';
import { resolveMirror, resolveSourceDateEpoch } from './resolve.js';
import { collectInputs } from './inputs.js';
import type { Config, ConfigIssue, Pins, Variant } from './types.js';
import { err, ok, type Result } from '../util/result.js';

export const PINS_FILE = 'manifests/pins.yaml';
export const VARIANTS_DIR = 'variants';

async function parseYamlFile<S extends z.ZodType>(root: string, file: string, schema: S): Promise<Result<z.output<S>, ConfigIssue[]>> {
  let text: string;
  try {
    text = await readFile(join(root, file), 'utf8');
  } catch (cause) {
    return err([{ file, path: '', message: `cannot read: ${(cause as Error).message}` }]);
  }
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    return err(doc.errors.map((e) => ({ file, path: '', message: `invalid YAML at line ${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0] ?? ''}` })));
  }
  const parsed = schema.safeParse(doc.toJS());
  return parsed.success ? ok(parsed.data) : err(fromZod(file, parsed.error));
}

async function parseAll(root: string): Promise<Result<ParsedConfig, ConfigIssue[]>> {
  const issues: ConfigIssue[] = [];
  let names: string[] = [];
  try {
    names = (await readdir(join(root, VARIANTS_DIR))).filter((n) => n.endsWith('.yaml')).sort();
  } catch (cause) {
    issues.push({ file: VARIANTS_DIR, path: '', message: `cannot list variant files: ${(cause as Error).message}` });
  }
  if (names.length === 0 && issues.length === 0) issues.push({ file: VARIANTS_DIR, path: '', message: 'expected at least one <name>.yaml' });
  const variants: ParsedVariant[] = [];
  for (const name of names) {
    const file = `${VARIANTS_DIR}/${name}`;
    const r = await parseYamlFile(root, file, variantFileSchema);
    if (r.ok) variants.push({ file, stem: name.slice(0, -'.yaml'.length), data: r.value });
    else issues.push(...r.error);
  }
  const pins = await parseYamlFile(root, PINS_FILE, pinsFileSchema);
  if (!pins.ok) issues.push(...pins.error);
  if (!pins.ok || issues.length > 0) return err(issues);
  const parsed = { variants, pins: { file: PINS_FILE, data: pins.value } };
  const ruleIssues = checkRules(parsed);
  return ruleIssues.length > 0 ? err(ruleIssues) : ok(parsed);
}

function normalizeVariant(v: ParsedVariant): Variant {
  const needs = SHARED_STAGES.filter((s) => v.data.needs.includes(s));
  return { ...v.data, needs, file: v.file };
}

export interface LoadOptions {
  /** Environment used to resolve `auto` and `git` (apt sources, git). Defaults to the real one. */
  aptSourcesDir?: string;
}

/** Loads and validates the whole configuration rooted at `root`. */
export async function loadConfig(root: string, options: LoadOptions = {}): Promise<Result<Config, ConfigIssue[]>> {
  const parsed = await parseAll(root);
  if (!parsed.ok) return parsed;
  const { variants, pins: { data: pinsFile } } = parsed.value;
  const mirror = await resolveMirror(pinsFile.debian, options.aptSourcesDir);
  const sde = await resolveSourceDateEpoch(root, pinsFile.source_date_epoch);
  const issues = [...(mirror.ok ? [] : [mirror.error]), ...(sde.ok ? [] : [sde.error])];
  if (!mirror.ok || !sde.ok) return err(issues);
  const pins: Pins = {
    ...pinsFile,
    debian: { ...pinsFile.debian, resolved_mirror: mirror.value },
    source_date_epoch: sde.value,
    source_date_epoch_from: pinsFile.source_date_epoch === 'git' ? 'git' : 'pins',
  };
  const byName = new Map(variants.map((v) => [v.data.name, normalizeVariant(v)] as const));
  return ok({ root, variants: byName, pins, inputs: await collectInputs(root, pins.rootfs.source === 'dir' ? [pins.rootfs.path] : []) });
}
