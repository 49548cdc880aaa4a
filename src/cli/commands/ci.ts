/** `build ci [--check]`: writes (or checks) the generated CI workflows under pipelines/. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ParsedArgs } from '../args.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { loadProject } from '../project.js';
import { selectCells } from '../../plan/select.js';
import { loadCiConfig } from '../../ci/config.js';
import { generateWorkflow, WORKFLOW_FILE, type Flavor } from '../../ci/workflow.js';
import { formatIssues } from '../../config/issues.js';

const FLAVORS: readonly Flavor[] = ['github', 'gitea'];

export async function ciCommand(args: ParsedArgs): Promise<ExitCode> {
  const config = await loadProject(args.common.project);
  if (!config.ok) { process.stderr.write(config.error + '\n'); return EXIT.usage; }
  const ci = await loadCiConfig(config.value.root);
  if (!ci.ok) { process.stderr.write(formatIssues(ci.error) + '\n'); return EXIT.usage; }
  // The whole matrix, whatever ARCH/VARIANT say: the workflow is the matrix.
  const cells = selectCells(config.value, { arches: [], variants: [] });
  if (!cells.ok) { process.stderr.write(cells.error + '\n'); return EXIT.usage; }
  const drifted: string[] = [];
  for (const flavor of FLAVORS) {
    const file = join(config.value.root, 'pipelines', flavor, WORKFLOW_FILE);
    const text = generateWorkflow(cells.value, ci.value, flavor);
    if (args.values.check === true) {
      const current = await readFile(file, 'utf8').catch(() => '');
      if (current !== text) drifted.push(`pipelines/${flavor}/${WORKFLOW_FILE}`);
      continue;
    }
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, text);
    process.stdout.write(`wrote pipelines/${flavor}/${WORKFLOW_FILE} (${cells.value.length} cells)\n`);
  }
  if (drifted.length > 0) {
    process.stderr.write(`out of date with variants/ and pipelines/ci.yaml: ${drifted.join(', ')}\nrun: build ci\n`);
    return EXIT.stepFailed;
  }
  if (args.values.check === true) process.stdout.write('pipelines are up to date\n');
  return EXIT.ok;
}
