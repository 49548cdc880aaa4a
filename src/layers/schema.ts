/**
 * Layered image configs (after OpenCHAMI's image-builder, rebased on Debian): what users write
 * in `layers/<name>.yaml`. A layer starts from `scratch`, an `oci://` image or another layer,
 * adds apt repos (with their keys) and packages, removes packages, copies files in and runs
 * commands inside its root.
 */
import { z } from 'zod';

const packageName = z.string().regex(/^[a-z0-9][a-z0-9.+-]+$/, 'a Debian package name');

export const layerFileSchema = z.strictObject({
  /** Format version of this file. */
  format: z.literal(1),
  /** Must equal the file name without `.yaml`; the published image's name. */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  /** Tags to publish under (OCI tag, and the S3 object name suffix). */
  publish_tags: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).default('latest'),
  /** `scratch`, `oci://registry/repo[:tag][@sha256:...]`, or the name of another layer file. */
  parent: z.string().min(1),
  repos: z.array(z.strictObject({
    alias: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    url: z.url(),
    suite: z.string().min(1),
    components: z.array(z.string().min(1)).min(1).default(['main']),
    /** OpenPGP key file (armored or binary), relative to the layer file. */
    key: z.string().min(1),
  })).default([]),
  packages: z.array(packageName).default([]),
  remove_packages: z.array(packageName).default([]),
  copyfiles: z.array(z.strictObject({
    /** Relative to the layer file. */
    src: z.string().min(1),
    /** Absolute path inside the image. */
    dst: z.string().regex(/^\//, 'an absolute path inside the image'),
    mode: z.string().regex(/^0?[0-7]{3,4}$/).optional(),
  })).default([]),
  cmds: z.array(z.strictObject({ cmd: z.string().min(1) })).default([]),
});
export type LayerFileInput = z.input<typeof layerFileSchema>;
export type LayerFile = z.output<typeof layerFileSchema>;
