/** The resolved configuration the planner works from. Type-only module. */
import type { Packager, VariantFile, PinsFile } from './schema.js';

export type Arch = 'amd64' | 'arm64';
export type SharedStage = 'rootfs' | 'kernel' | 'initramfs';

/** One problem found in a config file. All of them are reported at once. */
export interface ConfigIssue {
  /** Path of the file, relative to the project root. */
  file: string;
  /** Dotted path inside the document (`packager.size_mib`), empty for the whole file. */
  path: string;
  /** What was expected, in plain words. */
  message: string;
}

export interface Variant {
  /** Variant name; equals the file name. */
  name: string;
  description: string;
  arches: readonly Arch[];
  boot: VariantFile['boot'];
  /** Shared stages consumed, in canonical order. */
  needs: readonly SharedStage[];
  packager: Packager;
  /** The file it came from, relative to the project root. */
  file: string;
}

export interface Pins extends Omit<PinsFile, 'source_date_epoch' | 'debian'> {
  debian: PinsFile['debian'] & {
    /** Mirror URL actually used (`auto` resolved, or the snapshot URL). */
    resolved_mirror: string;
  };
  /** SOURCE_DATE_EPOCH, resolved to Unix seconds. */
  source_date_epoch: number;
  /** Where the epoch came from: the pins file or the git commit time of the inputs. */
  source_date_epoch_from: 'pins' | 'git';
}

/** A tracked input file (under dracut/ or modules.d/) and its content digest. */
export interface InputFile {
  /** Path relative to the project root, with forward slashes. */
  path: string;
  sha256: string;
  /** Whether the executable bit is set (it changes what dracut installs). */
  executable: boolean;
}

export interface Config {
  /** Absolute path of the project root (holds variants/, manifests/, dracut/, modules.d/). */
  root: string;
  /** Variants by name, in name order. */
  variants: ReadonlyMap<string, Variant>;
  pins: Pins;
  /** Input files by path, in path order. */
  inputs: readonly InputFile[];
}
