// Test-only: temporary folders and a stack of cleanup steps, so that every server and folder a test file starts
// is stopped and removed at its end (and, as a last resort, when the process exits).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Step = () => Promise<void> | void;

const exitSteps = new Set<() => void>();
process.once('exit', () => {
  for (const step of exitSteps) {
    try {
      step();
    } catch {
      // best effort at exit
    }
  }
});

/** Registers a synchronous step run at process exit unless removed first; returns the remover. */
export function onExit(step: () => void): () => void {
  exitSteps.add(step);
  return () => exitSteps.delete(step);
}

/** A fresh temporary folder, removed at process exit if nobody removed it earlier. */
export function makeTempDir(prefix = 'modelfile-registry-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  const remove = (): void => rmSync(path, { recursive: true, force: true });
  const unregister = onExit(remove);
  return {
    path,
    remove: () => {
      unregister();
      remove();
    },
  };
}

/** Collects cleanup steps; `run()` executes them in reverse order, once. */
export class Cleanup {
  private steps: Step[] = [];

  add(step: Step): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    const steps = this.steps.reverse();
    this.steps = [];
    for (const step of steps) {
      try {
        await step();
      } catch {
        // keep going: the other servers must still stop
      }
    }
  }
}
