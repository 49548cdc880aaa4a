/**
 * Progress: listr2 on a terminal, plain timestamped lines otherwise (CI logs). Both consume the
 * scheduler's events; neither affects what is built.
 */
import { Listr, type ListrTaskWrapper, type DefaultRenderer, type SimpleRenderer } from 'listr2';
import type { Plan, StepId } from '../plan/types.js';
import type { RunEvent, StepFailure } from './types.js';
import { formatExecFailure } from '../exec/format.js';
import { assertNever } from '../util/result.js';

export interface Renderer {
  onEvent(event: RunEvent): void;
  finish(): Promise<void>;
}

export function formatStepFailure(f: StepFailure): string {
  switch (f.code) {
    case 'exec': return formatExecFailure(f.failure);
    case 'check': return f.message;
    case 'internal': return `internal error: ${f.message}`;
    default: return assertNever(f, 'step failure');
  }
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

export class PlainRenderer implements Renderer {
  constructor(private readonly write: (line: string) => void = (l) => { process.stderr.write(l + '\n'); }, private readonly verbose = false) {}
  onEvent(e: RunEvent): void {
    switch (e.type) {
      case 'step-start': this.write(`[${e.id}] started`); break;
      case 'step-cached': this.write(`[${e.id}] cached`); break;
      case 'step-log': if (this.verbose) this.write(`[${e.id}] ${e.line}`); break;
      case 'step-done': this.write(`[${e.id}] done in ${seconds(e.durationMs)}`); break;
      case 'step-failed': this.write(`[${e.id}] FAILED\n${formatStepFailure(e.failure)}`); break;
      case 'step-skipped': this.write(`[${e.id}] skipped: ${e.reason}`); break;
      case 'cell-written': this.write(`[${e.id}] ${e.written ? 'wrote' : 'up to date:'} ${e.dir}`); break;
      default: assertNever(e, 'event');
    }
  }
  finish(): Promise<void> { return Promise.resolve(); }
}

type Task = ListrTaskWrapper<unknown, typeof DefaultRenderer, typeof SimpleRenderer>;
interface Slot { resolve: () => void; reject: (e: Error) => void; task?: Task; started: number }

/** One listr2 task per step; each task waits for its step's terminal event. */
export class ListrRenderer implements Renderer {
  private readonly slots = new Map<StepId, Slot>();
  private readonly done: Promise<unknown>;

  constructor(plan: Plan) {
    const tasks = plan.steps.map((s) => ({
      title: s.id,
      task: (_: unknown, task: Task) => new Promise<void>((resolve, reject) => {
        const slot = this.slots.get(s.id);
        if (slot) Object.assign(slot, { resolve, reject, task });
      }),
    }));
    for (const s of plan.steps) this.slots.set(s.id, { resolve: () => undefined, reject: () => undefined, started: Date.now() });
    const list = new Listr(tasks, { concurrent: true, exitOnError: false, rendererOptions: { collapseErrors: false } });
    this.done = list.run().catch(() => undefined);
  }

  onEvent(e: RunEvent): void {
    const slot = this.slots.get(e.id);
    if (!slot) return;
    const task = slot.task;
    switch (e.type) {
      case 'step-start': slot.started = Date.now(); if (task) task.title = `${e.id} (building)`; break;
      case 'step-cached': if (task) task.title = `${e.id} (cached)`; slot.resolve(); break;
      case 'step-log': if (task) task.output = e.line; break;
      case 'step-done': if (task) task.title = `${e.id} (${seconds(e.durationMs)})`; slot.resolve(); break;
      case 'step-failed': slot.reject(new Error(formatStepFailure(e.failure))); break;
      case 'step-skipped': task?.skip(`${e.id}: ${e.reason}`); slot.resolve(); break;
      case 'cell-written': if (task) task.title = `${e.id} -> ${e.dir}`; break;
      default: assertNever(e, 'event');
    }
  }

  async finish(): Promise<void> {
    for (const slot of this.slots.values()) slot.resolve();
    await this.done;
  }
}
