/**
 * The one place that picks where commands run: `--executor host|toolbox|podman`.
 * toolbox and podman first make sure the pinned toolbox (manifests/toolbox.yaml) is built.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Executor } from './types.js';
import { HostExecutor } from './host.js';
import { SandboxExecutor, type Binds } from './sandbox.js';
import { PodmanExecutor } from './podman.js';
import { formatExecFailure } from './format.js';
import { formatIssues } from '../config/issues.js';
import { loadToolboxPins } from '../toolbox/config.js';
import { ensureToolbox, type Toolbox } from '../toolbox/build.js';
import type { StepRegistry } from '../steps/types.js';
import { buildersFromFlags, loadBuildersFile, type Builder } from '../ssh/builders.js';
import { BuilderPool } from '../ssh/pool.js';
import { remoteSteps } from '../ssh/remote-step.js';
import { assertNever, err, ok, type Result } from '../util/result.js';

export const EXECUTOR_KINDS = ['host', 'toolbox', 'podman'] as const;
export type ExecutorKind = (typeof EXECUTOR_KINDS)[number];

export interface ExecutorRequest {
  /** The --executor value as typed (undefined: host). */
  kind: string | undefined;
  projectRoot: string;
  cacheRoot: string;
  outRoot: string;
  signal: AbortSignal;
  log: (line: string) => void;
  /** `--builder` URLs with `--ssh-key`/`--known-hosts`, or `--builders FILE`. */
  ssh?: { urls: readonly string[]; keyFile?: string; knownHosts?: string; file?: string };
}

export interface ChosenExecutor {
  executor: Executor;
  /** The toolbox commands run in; null on the host. Recorded in the manifest's core. */
  toolbox: Toolbox | null;
  /** Set for SSH builders: every step runs remotely (the builders check their own tools and report their versions). */
  remote?: { steps: StepRegistry; toolVersions: Record<string, string>; close(): void };
}

export type ExecutorSetupFailure = { code: 'usage' | 'toolbox'; message: string };

/**
 * Where the step cache of a run lives. Step keys name the inputs, not the tools: a toolbox's
 * zstd (1.5.7) frames the same initramfs differently from the host's (1.5.4). So toolbox runs
 * keep their entries apart, per toolbox digest, and never pick up (or hand out) a host-built
 * entry under a manifest that names the toolbox.
 */
export function stepCacheRoot(cacheRoot: string, toolbox: Toolbox | null): string {
  return toolbox ? join(cacheRoot, 'by-toolbox', toolbox.digest.replace(/^sha256:/, '').slice(0, 16)) : cacheRoot;
}

export function parseExecutorKind(value: string | undefined): Result<ExecutorKind, ExecutorSetupFailure> {
  const kind = value ?? 'host';
  return (EXECUTOR_KINDS as readonly string[]).includes(kind) ? ok(kind as ExecutorKind)
    : err({ code: 'usage', message: `--executor: expected one of ${EXECUTOR_KINDS.join(', ')}, got "${kind}"` });
}

export async function createExecutor(req: ExecutorRequest): Promise<Result<ChosenExecutor, ExecutorSetupFailure>> {
  const kind = parseExecutorKind(req.kind);
  if (!kind.ok) return kind;
  const host = new HostExecutor();
  if (req.ssh && (req.ssh.urls.length > 0 || req.ssh.file)) return sshBuilders(req.ssh, host);
  if (kind.value === 'host') return ok({ executor: host, toolbox: null });
  const toolbox = await loadToolbox(req, host);
  if (!toolbox.ok) return toolbox;
  // Steps pass absolute paths under these directories in argv: bind them at the same paths.
  await mkdir(req.cacheRoot, { recursive: true });
  await mkdir(req.outRoot, { recursive: true });
  const binds: Binds = { ro: [req.projectRoot], rw: [req.cacheRoot, req.outRoot] };
  switch (kind.value) {
    case 'toolbox': return ok({ executor: new SandboxExecutor(toolbox.value, binds, host), toolbox: toolbox.value });
    case 'podman': {
      const storage = { root: join(req.cacheRoot, 'podman', 'root'), runroot: join(req.cacheRoot, 'podman', 'run') };
      return ok({ executor: new PodmanExecutor(toolbox.value, binds, storage, host), toolbox: toolbox.value });
    }
    default: return assertNever(kind.value, 'executor kind');
  }
}

async function loadToolbox(req: ExecutorRequest, host: Executor): Promise<Result<Toolbox, ExecutorSetupFailure>> {
  const pins = await loadToolboxPins(req.projectRoot);
  if (!pins.ok) return err({ code: 'usage', message: formatIssues(pins.error) });
  const built = await ensureToolbox({ cacheRoot: req.cacheRoot, pins: pins.value, host, signal: req.signal, log: req.log });
  if (built.ok) return built;
  const e = built.error;
  return err({ code: 'toolbox', message: e.code === 'toolbox-exec' ? formatExecFailure(e.failure) : e.message });
}

async function sshBuilders(ssh: NonNullable<ExecutorRequest['ssh']>, host: Executor): Promise<Result<ChosenExecutor, ExecutorSetupFailure>> {
  const home = process.env.HOME ?? '/root';
  const builders: Result<Builder[], string> = ssh.file ? await loadBuildersFile(ssh.file)
    : await buildersFromFlags({ urls: ssh.urls, keyFile: ssh.keyFile, knownHosts: ssh.knownHosts ?? join(home, '.ssh', 'known_hosts'), command: ['build'], workdir: '/var/tmp/powernode-builder' });
  if (!builders.ok) return err({ code: 'usage', message: builders.error });
  const pool = new BuilderPool(builders.value);
  // Commands of the run itself (none today) stay local; the name records the builders.
  const executor: Executor = { name: pool.names.join(','), run: (i, o) => host.run(i, o), which: (p) => host.which(p) };
  const toolVersions: Record<string, string> = {};
  return ok({ executor, toolbox: null, remote: { steps: remoteSteps(pool, toolVersions), toolVersions, close: () => { pool.close(); } } });
}
