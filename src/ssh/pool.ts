/**
 * The builders of a run and their free slots. The scheduler's limiter bounds the whole run;
 * the pool bounds each builder (its `concurrency`) and picks the least busy one for an arch.
 */
import type { Arch } from '../config/types.js';
import type { Builder } from './builders.js';
import { SshExecutor } from './executor.js';

interface Slot { executor: SshExecutor; active: number }

export class BuilderPool {
  private readonly slots: Slot[];
  private waiters: (() => void)[] = [];
  constructor(builders: readonly Builder[]) {
    this.slots = builders.map((b) => ({ executor: new SshExecutor(b), active: 0 }));
  }

  get names(): string[] { return this.slots.map((s) => s.executor.name); }

  /** Builders that can build `arch`, minus those already tried for this step. */
  eligible(arch: Arch, exclude: ReadonlySet<string>): SshExecutor[] {
    return this.slots.filter((s) => (s.executor.builder.arches?.includes(arch) ?? true) && !exclude.has(s.executor.name)).map((s) => s.executor);
  }

  /** Waits for a slot on the least busy eligible builder; undefined when none is eligible. */
  async acquire(arch: Arch, exclude: ReadonlySet<string>, signal: AbortSignal): Promise<SshExecutor | undefined> {
    for (;;) {
      const candidates = this.slots.filter((s) => (s.executor.builder.arches?.includes(arch) ?? true) && !exclude.has(s.executor.name));
      if (candidates.length === 0 || signal.aborted) return undefined;
      const free = candidates.filter((s) => s.active < s.executor.builder.concurrency)
        .sort((a, b) => a.active / a.executor.builder.concurrency - b.active / b.executor.builder.concurrency)[0];
      if (free) { free.active += 1; return free.executor; }
      await new Promise<void>((res) => { this.waiters.push(res); });
    }
  }

  release(executor: SshExecutor): void {
    const slot = this.slots.find((s) => s.executor === executor);
    if (slot) slot.active -= 1;
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => { w(); });
  }

  close(): void { this.slots.forEach((s) => { s.executor.close(); }); }
}
