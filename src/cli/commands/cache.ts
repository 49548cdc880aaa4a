/** `cache ls` and `cache prune [--all]`: the step cache, by key. */
import type { ParsedArgs } from '../args.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { StepCache } from '../../run/cache.js';
import { resolve } from 'node:path';

export async function cacheCommand(args: ParsedArgs): Promise<ExitCode> {
  const cache = new StepCache(resolve(args.common.cacheDir));
  const [sub] = args.positionals;
  const entries = await cache.list();
  if (sub === 'ls' || sub === undefined) {
    for (const e of entries) {
      const bytes = e.record.files.reduce((n, f) => n + f.size, 0);
      process.stdout.write(`${e.key.slice(0, 16)}  ${e.record.id.padEnd(24)} ${(bytes / 1048576).toFixed(1).padStart(9)} MiB\n`);
    }
    return EXIT.ok;
  }
  if (sub === 'prune') {
    for (const e of entries) await cache.remove(e.key);
    await cache.cleanStale();
    process.stdout.write(`removed ${entries.length} cache entries\n`);
    return EXIT.ok;
  }
  process.stderr.write(`cache: unknown subcommand "${sub}": expected ls or prune\n`);
  return EXIT.usage;
}
