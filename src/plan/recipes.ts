/**
 * Recipe versions: bump one when a step's implementation changes what it produces, so every
 * cached output of that kind (and everything downstream, through the keys) is rebuilt.
 */
import type { StepKind } from './types.js';

export const RECIPE_VERSIONS: Readonly<Record<StepKind, number>> = {
  rootfs: 2,
  kernel: 1,
  initramfs: 3,
  package: 2,
};
