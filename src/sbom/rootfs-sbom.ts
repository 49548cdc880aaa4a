/** Writes the rootfs step's SPDX SBOM from the root's dpkg status, apt lists and copyright files. */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepContext } from '../steps/types.js';
import { parseCopyrightLicenses, parsePackagesIndex, parseStatusDetails } from './deb-metadata.js';
import { buildSpdx, SBOM_FILE } from './spdx.js';
import { BUILDER_VERSION } from '../cli/version.js';

async function packagesIndexes(listsDir: string | undefined): Promise<string[]> {
  if (!listsDir) return [];
  const names = (await readdir(listsDir).catch(() => [] as string[])).filter((n) => n.endsWith('_Packages')).sort();
  return Promise.all(names.map((n) => readFile(join(listsDir, n), 'utf8')));
}

/** Licenses per package from /usr/share/doc/<pkg>/copyright (absent in non-Debian roots). */
async function licenses(ctx: StepContext, tar: string, names: readonly string[]): Promise<Map<string, string[]>> {
  const dir = join(ctx.workDir, 'copyright');
  const x = await ctx.exec({ argv: ['tar', '-xf', tar, '-C', ctx.workDir, '--wildcards', '--no-same-owner', './usr/share/doc/*/copyright', '--transform', 's,^\\./usr/share/doc,copyright,'], purpose: 'read the copyright files' });
  const out = new Map<string, string[]>();
  if (!x.ok) return out;
  for (const name of names) {
    const text = await readFile(join(dir, name, 'copyright'), 'utf8').catch(() => '');
    out.set(name, parseCopyrightLicenses(text));
  }
  return out;
}

export async function writeRootfsSbom(ctx: StepContext, tar: string, status: string, listsDir: string | undefined): Promise<void> {
  const packages = parseStatusDetails(status);
  const text = buildSpdx({
    name: ctx.step.id,
    packages,
    debSha256: parsePackagesIndex(await packagesIndexes(listsDir)),
    licenses: packages.length > 0 ? await licenses(ctx, tar, packages.map((p) => p.name)) : new Map(),
    sourceDateEpoch: ctx.config.pins.source_date_epoch,
    builder: `powernode-image-builder-${BUILDER_VERSION}`,
  });
  await writeFile(join(ctx.outDir, SBOM_FILE), text);
}
