/** Command-line parsing: subcommand, options, ARCH/VARIANT from env or flags. */
import { parseArgs } from 'node:util';
import { err, ok, type Result } from '../util/result.js';
import { parseList } from '../plan/select.js';
import type { Selection } from '../plan/types.js';

export const COMMANDS = ['build', 'plan', 'digest', 'smoke', 'cache', 'verify', 'publish', 'verify-signature', 'ci', 'initramfs', 'step', 'help'] as const;
export type Command = (typeof COMMANDS)[number];

interface OptionSpec { type: 'string' | 'boolean'; short?: string; multiple?: boolean }

const PUBLISH_OPTIONS = {
  publish: { type: 'boolean' },
  'sign-key': { type: 'string' },
  keyless: { type: 'boolean' },
  'fulcio-url': { type: 'string' },
  'rekor-url': { type: 'string' },
  registry: { type: 'string' },
  'registry-insecure': { type: 'boolean' },
  s3: { type: 'string' },
  's3-endpoint': { type: 'string' },
  release: { type: 'string' },
  'release-tag': { type: 'string' },
  webhook: { type: 'string' },
  'publish-config': { type: 'string' },
  'oci-layout': { type: 'string' },
  'oci-tag': { type: 'string' },
  'oci-mount-from': { type: 'string' },
} as const satisfies Record<string, OptionSpec>;

/** Options each command accepts on top of the common ones. */
const COMMAND_OPTIONS = {
  build: {
    ...PUBLISH_OPTIONS,
    // Where commands run (src/exec/factory.ts); SSH builders (src/ssh/).
    executor: { type: 'string' }, builder: { type: 'string', multiple: true }, 'ssh-key': { type: 'string' }, builders: { type: 'string' },
    'known-hosts': { type: 'string' },
  },
  // Internal: what an SSH builder runs for one step (src/ssh/remote-step.ts).
  step: { step: { type: 'string' }, key: { type: 'string' }, executor: { type: 'string' } },
  plan: {},
  digest: {},
  smoke: { identity: { type: 'string' }, accel: { type: 'string' }, timeout: { type: 'string' } },
  cache: {},
  verify: { work: { type: 'string' } },
  publish: PUBLISH_OPTIONS,
  'verify-signature': { identity: { type: 'string' }, issuer: { type: 'string' }, key: { type: 'string' }, 'trusted-root': { type: 'string' } },
  ci: { check: { type: 'boolean' } },
  initramfs: {
    from: { type: 'string' }, inject: { type: 'string', multiple: true }, init: { type: 'string' },
    compress: { type: 'string' }, output: { type: 'string' },
  },
  help: {},
} as const satisfies Record<Command, Record<string, OptionSpec>>;

export interface CommonOptions {
  project: string | undefined;
  out: string;
  cacheDir: string;
  jobs: number;
  keepGoing: boolean;
  json: boolean;
  verbose: boolean;
  selection: Selection;
}

export interface ParsedArgs {
  command: Command;
  positionals: string[];
  common: CommonOptions;
  values: Record<string, string | boolean | string[] | undefined>;
}

const COMMON_OPTIONS = {
  arch: { type: 'string' },
  variant: { type: 'string' },
  out: { type: 'string', short: 'o' },
  'cache-dir': { type: 'string' },
  project: { type: 'string' },
  jobs: { type: 'string', short: 'j' },
  'keep-going': { type: 'boolean', short: 'k' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Record<string, OptionSpec>;

const ALL_OPTIONS = Object.assign({}, COMMON_OPTIONS, ...Object.values(COMMAND_OPTIONS)) as Record<string, OptionSpec>;

/** The command is the first positional that names one (option values are not positionals); `build` when none does. */
function findCommand(argv: readonly string[]): Command {
  const { positionals } = parseArgs({ args: [...argv], options: ALL_OPTIONS, allowPositionals: true, strict: false });
  const first = positionals[0];
  return first && (COMMANDS as readonly string[]).includes(first) ? (first as Command) : 'build';
}

export function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME ?? `${env.HOME ?? '/root'}/.cache`;
  return `${base}/powernode-image-builder`;
}

export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv): Result<ParsedArgs, string> {
  const named = findCommand(argv);
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { ...COMMON_OPTIONS, ...COMMAND_OPTIONS[named] }, allowPositionals: true, strict: true });
  } catch (cause) {
    return err(`${named}: ${(cause as Error).message}`);
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined> & { help?: boolean; jobs?: string; arch?: string; variant?: string; out?: string; project?: string; 'cache-dir'?: string; 'keep-going'?: boolean; json?: boolean; verbose?: boolean };
  const { positionals } = parsed;
  const first = positionals[0];
  const command: Command = values.help ? 'help' : named;
  const rest = command === 'build' && first !== 'build' ? positionals : positionals.slice(1);
  if (command === 'build' && rest.length > 0) return err(`unknown command "${rest[0] ?? ''}": expected one of ${COMMANDS.join(', ')}`);
  const jobs = values.jobs === undefined ? 2 : Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) return err(`--jobs: expected a positive integer, got "${values.jobs ?? ''}"`);
  return ok({
    command,
    positionals: rest,
    values,
    common: {
      project: values.project ?? env.POWERNODE_PROJECT,
      out: values.out ?? 'images',
      cacheDir: values['cache-dir'] ?? env.POWERNODE_CACHE_DIR ?? defaultCacheDir(env),
      jobs,
      keepGoing: values['keep-going'] ?? false,
      json: values.json ?? false,
      verbose: values.verbose ?? false,
      selection: { arches: parseList(values.arch ?? env.ARCH), variants: parseList(values.variant ?? env.VARIANT) },
    },
  });
}

export const USAGE = `usage: build [command] [options]

commands:
  build                 build the selected cells (default)
  plan [--json]         print the step graph of the selection
  digest [--json] FILE  print SHA-256 and fs-verity digests
  smoke                 boot built cells in QEMU and wait for the marker
  cache ls|prune        list or prune the step cache
  verify [--work DIR]   build twice in different environments and compare everything
  publish               sign, push (OCI), upload (S3, release assets), notify (webhook)
  verify-signature      check the Sigstore bundles of artifacts or cells
  ci [--check]          write (or check) the CI workflows in pipelines/
  initramfs --from DIR|oci://REF [--inject SRC:DST]... [--init FILE] [--compress gzip|zstd|none] --output FILE
                        pack a tree as a reproducible newc initramfs (-o FILE also names the output)

selection (env or flags; comma lists; default: everything):
  ARCH=amd64,arm64      --arch
  VARIANT=raw,iso       --variant

options:
  --out DIR             output root (default images/)
  --cache-dir DIR       step cache (default ~/.cache/powernode-image-builder)
  --project DIR         where variants/ and manifests/ live (default: . or the install dir)
  -j, --jobs N          steps run at once (default 2)
  -k, --keep-going      on failure, still build what does not depend on it
  -v, --verbose         stream command output
  build: --executor host|toolbox|podman   run steps on the host, in the pinned toolbox
         (manifests/toolbox.yaml) with bubblewrap, or in it as a podman container
  build: --builder ssh://user@host[:port] --ssh-key FILE [--known-hosts FILE] | --builders FILE
         run the steps on SSH builders (host keys pinned; see src/ssh/builders.ts)
  smoke: --identity ID  --accel tcg|kvm  --timeout SECONDS
  publish (also build --publish): --sign-key PEM | --keyless, --registry HOST/REPO, --s3 s3://B/P,
         --s3-endpoint URL, --release URL --release-tag TAG, --webhook URL, --publish-config FILE

exit codes: 0 ok, 1 a build step failed, 2 usage or config error, 3 preflight failed`;
