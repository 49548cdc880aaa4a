/** Domain types of the initramfs writer. Type-only. */

/** One filesystem object to put in the archive, before sorting and inode renumbering. */
export interface TreeEntry {
  /** Archive path without a leading slash: "." for the root, "bin/sh". */
  name: string;
  /** Full st_mode: type and permission bits. */
  mode: number;
  /** Modification time in seconds, before clamping. */
  mtime: number;
  /** Regular files: bytes of data. */
  size: number;
  /** Regular files: where the data is read from. */
  source?: string;
  /** Symlinks: the target, stored as the entry's data. */
  linkTarget?: string;
  /** Device nodes: the device number. */
  rdevmajor: number;
  rdevminor: number;
  /** Regular files with several names in the source tree: "dev:ino" of the source inode. */
  linkKey?: string;
}

/** A file added on top of the tree (`--inject SRC:DST`, `--init FILE`). */
export interface Injection {
  /** Host file (symlinks followed). */
  src: string;
  /** Path inside the initramfs ("/usr/bin/agent" or "usr/bin/agent"). */
  dst: string;
}

export type Compression = 'gzip' | 'zstd' | 'none';

export interface InitramfsSpec {
  /** Directory tree to pack. */
  root: string;
  inject: readonly Injection[];
  /** Replaces /init (mode 0755). */
  init?: string;
  compress: Compression;
  /** mtimes are clamped to this (seconds). */
  sourceDateEpoch: number;
  output: string;
}

export interface InitramfsResult {
  output: string;
  /** sha256 hex of the written file. */
  sha256: string;
  size: number;
  /** Archive entries (without the trailer). */
  entries: number;
  /** Bytes of the uncompressed cpio. */
  cpioBytes: number;
}

export type InitramfsFailureCode =
  /** An input (tree, injected file) is missing or of the wrong kind. */
  | 'input'
  /** A file does not fit the newc format (over 4 GiB). */
  | 'too-large'
  /** Reading the tree or writing the output failed. */
  | 'io'
  /** The compressor failed. */
  | 'compress';

export interface InitramfsFailure {
  code: InitramfsFailureCode;
  message: string;
  cause?: unknown;
}
