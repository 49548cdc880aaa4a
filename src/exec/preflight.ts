/**
 * Checks, before any step runs, that every tool the plan needs is installed where commands run,
 * and records the versions found. A missing tool names the package that provides it.
 */
import type { Executor } from './types.js';
import type { ToolSpec } from './tools.js';
import { err, ok, type Result } from '../util/result.js';

export interface MissingTool { program: string; package: string; neededBy: string[] }

export interface PreflightReport {
  /** Program -> first version line it printed (or "unknown"). */
  versions: Record<string, string>;
}

export async function preflight(
  executor: Executor,
  needs: ReadonlyMap<ToolSpec, readonly string[]>,
  signal: AbortSignal,
): Promise<Result<PreflightReport, MissingTool[]>> {
  const missing: MissingTool[] = [];
  const versions: Record<string, string> = {};
  for (const [tool, neededBy] of [...needs].sort(([a], [b]) => (a.program < b.program ? -1 : 1))) {
    if (!(await executor.which(tool.program))) {
      missing.push({ program: tool.program, package: tool.package, neededBy: [...neededBy].sort() });
      continue;
    }
    const r = await executor.run({ argv: tool.version, captureStdout: true }, { signal });
    const text = r.ok ? r.value.stdout : r.error.tail.join('\n');
    versions[tool.program] = text.split('\n').map((l) => l.trim()).find((l) => /\d+\.\d+/.test(l)) ?? 'unknown';
  }
  return missing.length > 0 ? err(missing) : ok({ versions });
}

export function formatMissing(missing: readonly MissingTool[]): string {
  const lines = missing.map((m) => `  ${m.program}: not installed (needed by ${m.neededBy.join(', ')}); install the Debian package "${m.package}"`);
  const pkgs = [...new Set(missing.map((m) => m.package))].sort().join(' ');
  return ['missing tools:', ...lines, `  fix: apt-get install ${pkgs}   (or run ./setup.sh)`].join('\n');
}
