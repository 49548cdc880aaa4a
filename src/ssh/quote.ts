/** argv -> one command line for the remote POSIX shell. Every word is single-quoted. Pure. */
import type { Invocation } from '../exec/types.js';

export const shQuote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

/** `cd DIR && exec env -- K=V... PROG ARGS...`: the remote shell only ever sees quoted words. */
export function remoteCommand(inv: Pick<Invocation, 'argv' | 'env' | 'cwd'>): string {
  if (inv.argv.length === 0) throw new Error('invariant: empty argv');
  const env = Object.entries(inv.env ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`invariant: bad environment name ${JSON.stringify(k)}`);
    return shQuote(`${k}=${v}`);
  });
  const run = ['exec', 'env', '--', ...env, ...inv.argv.map(shQuote)].join(' ');
  return inv.cwd ? `cd ${shQuote(inv.cwd)} && ${run}` : run;
}
