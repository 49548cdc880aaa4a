/** Finds the project root (variants/ + manifests/pins.yaml) and loads its config. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, PINS_FILE } from '../config/load.js';
import { formatIssues } from '../config/issues.js';
import type { Config } from '../config/types.js';
import { err, ok, type Result } from '../util/result.js';

/** The directory the package is installed in (holds the default variants/ and manifests/). */
export const PACKAGE_ROOT = resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..');

export function projectRoot(explicit: string | undefined): string {
  if (explicit) return resolve(explicit);
  return existsSync(join(process.cwd(), PINS_FILE)) ? process.cwd() : PACKAGE_ROOT;
}

export async function loadProject(explicit: string | undefined): Promise<Result<Config, string>> {
  const root = projectRoot(explicit);
  const config = await loadConfig(root);
  if (!config.ok) return err(`configuration errors in ${root}:\n${formatIssues(config.error)}`);
  return ok(config.value);
}
