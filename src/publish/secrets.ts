/**
 * Secrets (tokens, keys, the webhook secret) come from the environment, or from a file named by
 * `<NAME>_FILE`. Every value read is registered with a Redactor so that no log line or error
 * message the CLI prints can carry it.
 */
import { readFileSync } from 'node:fs';
import { PublishError } from './errors.js';

/** Masks registered secret values in text. One per run, shared by everything that prints. */
export class Redactor {
  private readonly values = new Set<string>();

  add(value: string | undefined): void {
    // Very short values would mask ordinary words; nobody uses a 3-character token.
    if (value && value.length >= 4) this.values.add(value);
  }

  redact(text: string): string {
    let out = text;
    for (const v of [...this.values].sort((a, b) => b.length - a.length)) out = out.split(v).join('***');
    return out;
  }
}

/**
 * Reads `name` from env, or the file named by `<name>_FILE` (trailing newline dropped).
 * Returns undefined when neither is set.
 */
export function readSecret(env: NodeJS.ProcessEnv, name: string, redactor: Redactor): string | undefined {
  const direct = env[name];
  const file = env[`${name}_FILE`];
  let value = direct;
  if (!value && file) {
    try {
      value = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (cause) {
      throw new PublishError('config', `${name}_FILE: cannot read ${file}`, { cause });
    }
  }
  redactor.add(value);
  return value || undefined;
}
