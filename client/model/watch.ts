// Tells the Models view that the models directory changed: watches `<models>/manifests` recursively (fs.watch)
// and calls back once per burst of changes (debounced). While the folder does not exist (a fresh machine, a
// setting pointing at a new place) it checks every few seconds whether it has appeared. No vscode import.
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';

export interface Watching {
  dispose(): void;
}

export interface WatchOptions {
  readonly debounceMs?: number;
  /** How often to look for a missing manifests/ folder; default 3 s. */
  readonly pollMs?: number;
}

export function watchModelsDirectory(modelsDir: string, onChange: () => void, options: WatchOptions = {}): Watching {
  const debounceMs = options.debounceMs ?? 300;
  const pollMs = options.pollMs ?? 3000;
  const target = join(modelsDir, 'manifests');
  let watcher: FSWatcher | undefined;
  let poll: NodeJS.Timeout | undefined;
  let timer: NodeJS.Timeout | undefined;
  let disposed = false;

  const fire = (): void => {
    if (disposed) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (!disposed) onChange();
    }, debounceMs);
  };

  const waitForFolder = (): void => {
    if (disposed || poll !== undefined) return;
    poll = setInterval(() => {
      if (!existsSync(target)) return;
      clearInterval(poll);
      poll = undefined;
      arm();
      fire();
    }, pollMs);
    poll.unref();
  };

  const arm = (): void => {
    if (disposed) return;
    watcher?.close();
    watcher = undefined;
    if (!existsSync(target)) {
      waitForFolder();
      return;
    }
    try {
      watcher = watch(target, { recursive: true, persistent: false }, fire);
      watcher.on('error', () => {
        // The folder went away or cannot be watched any more: start over and re-read what is there.
        watcher?.close();
        watcher = undefined;
        fire();
        waitForFolder();
      });
    } catch {
      waitForFolder();
    }
  };

  arm();
  return {
    dispose(): void {
      disposed = true;
      watcher?.close();
      if (poll !== undefined) clearInterval(poll);
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
