import type { ParsedArgs } from '../args.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { loadProject } from '../project.js';
import { buildPlan, planToJson } from '../../plan/graph.js';
import { stableStringify } from '../../util/stable-json.js';
import type { Plan } from '../../plan/types.js';

export function formatPlan(plan: Plan): string {
  const lines = [`${plan.cells.length} cell(s): ${plan.cells.map((c) => `${c.variant}/${c.arch}`).join(' ')}`, `${plan.steps.length} step(s):`];
  for (const s of plan.steps) {
    lines.push(`  ${s.id.padEnd(24)} ${s.kind.padEnd(9)} ${s.key.slice(0, 12)}${s.deps.length ? `  <- ${s.deps.join(', ')}` : ''}`);
  }
  return lines.join('\n');
}

export async function planCommand(args: ParsedArgs): Promise<ExitCode> {
  const config = await loadProject(args.common.project);
  if (!config.ok) { process.stderr.write(config.error + '\n'); return EXIT.usage; }
  const plan = buildPlan(config.value, args.common.selection);
  if (!plan.ok) { process.stderr.write(plan.error + '\n'); return EXIT.usage; }
  process.stdout.write((args.common.json ? stableStringify(planToJson(plan.value)) : formatPlan(plan.value)) + '\n');
  return EXIT.ok;
}
