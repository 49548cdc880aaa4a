/**
 * `build verify-signature [PATH...]`: checks `<file>.sigstore.json` bundles. A PATH is a file
 * (its bundle beside it) or a cell directory (every artifact and the manifest); none means every
 * selected cell under --out. Key mode: --key PEM. Keyless: --identity, --issuer, --trusted-root.
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ParsedArgs } from '../args.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { BUNDLE_SUFFIX, findCells, signedFiles, MANIFEST_FILE } from '../../publish/cells.js';
import { PublishError } from '../../publish/errors.js';
import type { TrustPolicy } from '../../publish/sign/verify.js';
import { stableStringify } from '../../util/stable-json.js';

async function trustPolicy(values: ParsedArgs['values']): Promise<TrustPolicy> {
  const { loadPublicKey, loadTrustedRoot } = await import('../../publish/sign/trust.js');
  const key = values.key;
  const identity = values.identity;
  const issuer = values.issuer;
  const root = values['trusted-root'];
  if (typeof key === 'string') {
    if (typeof identity === 'string' || typeof root === 'string') throw new PublishError('config', '--key verifies key-mode bundles; --identity/--trusted-root are for keyless ones');
    return { kind: 'key', publicKey: await loadPublicKey(key) };
  }
  if (typeof identity !== 'string' || typeof root !== 'string') throw new PublishError('config', 'pass --key PEM, or --identity SAN --trusted-root FILE [--issuer URL] for keyless bundles');
  return { kind: 'keyless', trust: await loadTrustedRoot(root), identity: { subjectAlternativeName: identity, ...(typeof issuer === 'string' ? { extensions: { issuer } } : {}) } };
}

async function filesToCheck(args: ParsedArgs): Promise<string[]> {
  if (args.positionals.length === 0) {
    const cells = await findCells(resolve(args.common.out), args.common.selection);
    if (cells.length === 0) throw new PublishError('config', `no built cells under ${resolve(args.common.out)}`);
    return cells.flatMap((c) => signedFiles(c).map((f) => join(c.dir, f)));
  }
  const files: string[] = [];
  for (const p of args.positionals) {
    const s = await stat(p).catch(() => undefined);
    if (!s) throw new PublishError('config', `${p}: no such file or directory`);
    if (!s.isDirectory()) { files.push(resolve(p)); continue; }
    const [cell] = await findCells(resolve(p, '..', '..'), { arches: [resolve(p).split('/').pop() ?? ''], variants: [resolve(p, '..').split('/').pop() ?? ''] });
    if (!cell) throw new PublishError('config', `${p}: no ${MANIFEST_FILE} (not a cell directory)`);
    files.push(...signedFiles(cell).map((f) => join(cell.dir, f)));
  }
  return files;
}

export async function verifySignatureCommand(args: ParsedArgs, signal: AbortSignal): Promise<ExitCode> {
  let policy: TrustPolicy;
  let files: string[];
  try {
    policy = await trustPolicy(args.values);
    files = await filesToCheck(args);
  } catch (e) {
    if (!(e instanceof PublishError)) throw e;
    process.stderr.write(`verify-signature: ${e.message}\n`);
    return EXIT.usage;
  }
  // Loaded on use: @sigstore/verify is not needed by any other command.
  const { verifyFileSignature } = await import('../../publish/sign/verify.js');
  const results = [];
  let failed = 0;
  for (const file of files) {
    const r = await verifyFileSignature(file, file + BUNDLE_SUFFIX, policy, signal);
    if (r.ok) process.stderr.write(`OK    ${file} (${r.value.signer})\n`);
    else { failed++; process.stderr.write(`FAIL  ${r.error.message}\n`); }
    results.push({ file, ok: r.ok, ...(r.ok ? { sha256: r.value.sha256, signer: r.value.signer } : { error: r.error.message, code: r.error.code }) });
  }
  if (args.common.json) process.stdout.write(stableStringify(results) + '\n');
  return failed > 0 ? EXIT.stepFailed : EXIT.ok;
}
