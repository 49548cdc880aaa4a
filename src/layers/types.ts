/** Resolved layers: what the builder works from. Type-only. */
import type { LayerFile } from './schema.js';

export type LayerParent =
  | { kind: 'scratch' }
  | { kind: 'oci'; reference: string }
  | { kind: 'layer'; layer: ResolvedLayer };

export interface ResolvedLayer {
  file: LayerFile;
  /** The layer file's path; copyfiles and keys are relative to its directory. */
  path: string;
  parent: LayerParent;
  /** Publish tags as a list. */
  tags: string[];
}

/** A built layer: its tree and its content key. */
export interface BuiltLayer {
  name: string;
  /** sha256 hex over the layer's inputs and its parent's key (or image digest). */
  key: string;
  /** The layer's full root tree (parent plus this layer's changes). */
  root: string;
  /** Whether the tree came from the layer cache. */
  cached: boolean;
  /** Where the chain started: the pulled base image, if any. */
  base?: Record<string, unknown>;
}

export type LayerFailureCode = 'config' | 'parent' | 'exec' | 'io';

export interface LayerFailure {
  code: LayerFailureCode;
  message: string;
  cause?: unknown;
}
