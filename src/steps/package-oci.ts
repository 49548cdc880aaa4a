/**
 * oci: a bootc-style OCI image layout (oci-layout, index.json, blobs/sha256/) in the cell's
 * output: the root filesystem layer, a boot layer with the kernel and initramfs under
 * /usr/lib/modules/<kver>/, a config labelled `containers.bootc=1`. index.json lists the one
 * manifest of this arch (platform + ref name = the arch), so the cell's directory is itself
 * pushable (publish --oci-layout <out>/oci/<arch>) and readable by skopeo (`oci:DIR:<arch>`) and
 * umoci (`--image DIR:<arch>`). oci/merge-layouts.ts joins the per-arch layouts into one index.
 * `oci_digest` is the manifest's digest.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepImpl } from './types.js';
import { TOOLS } from '../exec/tools.js';
import { MEDIA } from '../publish/oci/types.js';
import { KERNEL_FILE, rootfsTar } from './kernel.js';
import { INITRD_FILE } from './initramfs.js';
import { CONFIG_MEDIA, imageConfig, imageIndex, imageManifest, jsonBlob, OCI_LAYOUT, REF_NAME } from './oci/image.js';
import { bootLayer, rootfsLayer } from './oci/layers.js';
import { ok } from '../util/result.js';

export const BOOTC_LABEL = 'containers.bootc';

const blobName = (digest: string): string => digest.slice('sha256:'.length);

export const ociPackager: StepImpl = {
  tools: () => [TOOLS.tar, TOOLS.gzip],
  async run(ctx) {
    const variant = ctx.config.variants.get(ctx.step.variant ?? '');
    const kernel = ctx.deps.get('kernel');
    const initramfs = ctx.deps.get('initramfs');
    if (variant?.packager.type !== 'oci' || !kernel || !initramfs) throw new Error(`invariant: ${ctx.step.id} misplanned`);
    const { arch } = ctx.step;
    const sde = ctx.config.pins.source_date_epoch;
    const kver = String(kernel.record.facts.kver);
    const blobs = join(ctx.outDir, 'blobs', 'sha256');
    await mkdir(blobs, { recursive: true });
    const root = await rootfsLayer(ctx, rootfsTar(ctx), blobs);
    if (!root.ok) return root;
    const boot = await bootLayer(ctx, { kernel: join(kernel.dir, KERNEL_FILE), initrd: join(initramfs.dir, INITRD_FILE), kver }, blobs);
    if (!boot.ok) return boot;
    const layers = [root.value, boot.value];
    const labels = { ...variant.packager.labels, [BOOTC_LABEL]: '1' };
    const config = jsonBlob(CONFIG_MEDIA, imageConfig({ arch, sourceDateEpoch: sde, labels, layers }));
    const created = new Date(sde * 1000).toISOString();
    const manifest = jsonBlob(MEDIA.manifest, imageManifest(config.descriptor, layers, { 'org.opencontainers.image.created': created }),
      { platform: { architecture: arch, os: 'linux' }, annotations: { [REF_NAME]: arch } });
    for (const b of [config, manifest]) await writeFile(join(blobs, blobName(b.descriptor.digest)), b.bytes);
    await writeFile(join(ctx.outDir, 'index.json'), jsonBlob(MEDIA.index, imageIndex([manifest.descriptor])).bytes);
    await writeFile(join(ctx.outDir, 'oci-layout'), OCI_LAYOUT);
    return ok({
      kver, oci_digest: manifest.descriptor.digest, oci_ref: arch, labels,
      layers: layers.map((l) => ({ digest: l.descriptor.digest, size: l.descriptor.size, diff_id: l.diffId })),
    });
  },
};
