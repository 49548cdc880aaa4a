import { stat } from 'node:fs/promises';
import type { ParsedArgs } from '../args.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { digestFiles } from '../../digest/file-digest.js';

export async function digestCommand(args: ParsedArgs, signal: AbortSignal): Promise<ExitCode> {
  if (args.positionals.length === 0) { process.stderr.write('digest: expected at least one FILE\n'); return EXIT.usage; }
  const bad: string[] = [];
  for (const p of args.positionals) {
    try { if (!(await stat(p)).isFile()) bad.push(`${p}: not a regular file`); } catch { bad.push(`${p}: no such file`); }
  }
  if (bad.length > 0) { process.stderr.write(bad.join('\n') + '\n'); return EXIT.usage; }
  const digests = await digestFiles(args.positionals, { signal });
  if (args.common.json) {
    process.stdout.write(JSON.stringify(digests.map(({ path, size, sha256, fsverity_root_hash }) => ({ path, size, sha256, fsverity_root_hash }))) + '\n');
  } else {
    for (const d of digests) process.stdout.write(`sha256:${d.sha256}  fsverity:${d.fsverity_root_hash}  ${d.size}  ${d.path}\n`);
  }
  return EXIT.ok;
}
