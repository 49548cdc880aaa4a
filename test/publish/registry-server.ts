/**
 * Debian's docker-registry on 127.0.0.1:<free port> with filesystem storage, for the tests;
 * with `auth`, behind HTTP basic auth from an htpasswd file (bcrypt, made by apache2-utils).
 */
import { execFileSync, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './helpers.js';

export async function startRegistry(dir: string, auth?: { username: string; password: string }): Promise<{ host: string; close(): Promise<void> }> {
  const port = await freePort();
  const config = join(dir, 'registry.yml');
  const htpasswd = join(dir, 'htpasswd');
  if (auth) await writeFile(htpasswd, execFileSync('htpasswd', ['-Bbn', auth.username, auth.password]));
  await writeFile(config, [
    'version: 0.1', 'log:', '  level: error', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'registry-data')}`,
    '  delete:', '    enabled: true', 'http:', `  addr: 127.0.0.1:${port}`,
    ...(auth ? ['auth:', '  htpasswd:', '    realm: pnib-test', `    path: ${htpasswd}`] : []), '',
  ].join('\n'));
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const host = `127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try { if ([200, 401].includes((await fetch(`http://${host}/v2/`)).status)) break; } catch { /* not yet */ }
    if (i > 100 || child.exitCode !== null) throw new Error(`docker-registry did not start: ${stderr}`);
    await sleep(20);
  }
  return {
    host,
    close: () => new Promise<void>((res) => { if (child.exitCode !== null) { res(); return; } child.once('exit', () => { res(); }); child.kill('SIGTERM'); }),
  };
}
