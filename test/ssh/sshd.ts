/**
 * A private OpenSSH sshd on 127.0.0.1 for tests: its own config, host key and user key in a
 * temp dir, `StrictModes no`, never the system sshd. `kill()` drops every connection at once
 * (sshd forks a session process per connection, in its own session: they are found by ppid).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';

export interface TestSshd {
  port: number;
  dir: string;
  keyFile: string;
  /** `SHA256:...` of the host key, as ssh-keygen prints it. */
  fingerprint: string;
  /** A known_hosts file naming this server. */
  knownHosts: string;
  /** SIGKILL the server and all its session processes (and their commands). */
  kill(): void;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const a = s.address(); s.close(() => { res(typeof a === 'object' && a ? a.port : 0); }); });
    s.on('error', rej);
  });
}

async function waitForBanner(port: number, deadline: number): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((res) => {
      const c = connect(port, '127.0.0.1');
      c.once('data', (d: Buffer) => { c.destroy(); res(d.toString().startsWith('SSH-')); });
      c.once('error', () => { res(false); });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`sshd on ${port} not ready`);
    await new Promise((r) => setTimeout(r, 30));
  }
}

function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch { /* gone */ }
  }
  const out: number[] = [];
  const visit = (p: number): void => { for (const c of children.get(p) ?? []) { out.push(c); visit(c); } };
  visit(pid);
  return out;
}

export async function startSshd(dir: string): Promise<TestSshd> {
  mkdirSync('/run/sshd', { recursive: true });
  mkdirSync(dir, { recursive: true });
  const hostKey = join(dir, 'host_key');
  const keyFile = join(dir, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test-host', '-f', hostKey]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test-user', '-f', keyFile]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${keyFile}.pub`));
  const port = await freePort();
  const config = join(dir, 'sshd_config');
  writeFileSync(config, [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${hostKey}`, `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`, 'StrictModes no', 'PasswordAuthentication no',
    'KbdInteractiveAuthentication no', 'PubkeyAuthentication yes', 'PermitRootLogin yes', 'UsePAM no',
    'Subsystem sftp internal-sftp', 'LogLevel QUIET', 'MaxStartups 50', 'MaxSessions 50', '',
  ].join('\n'));
  const child: ChildProcess = spawn('/usr/sbin/sshd', ['-f', config, '-D', '-e'], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForBanner(port, Date.now() + 10_000);
  const pub = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(' ');
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${pub[0] ?? ''} ${pub[1] ?? ''}\n`);
  const fingerprint = execFileSync('ssh-keygen', ['-lf', `${hostKey}.pub`], { encoding: 'utf8' }).split(' ')[1] ?? '';
  const kill = (): void => {
    if (child.pid === undefined) return;
    for (const p of [child.pid, ...descendants(child.pid)]) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) { kill(); return; }
    const exited = new Promise((r) => child.once('exit', r));
    kill();
    await exited;
  };
  return { port, dir, keyFile, fingerprint, knownHosts, kill, stop };
}
