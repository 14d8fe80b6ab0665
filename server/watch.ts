// Watches `<models>/manifests` (recursively) and calls back, debounced, when anything in it changes. When the
// folder does not exist yet, the nearest existing parent is watched until it appears.
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { dirname, join } from 'node:path';

export interface Disposable {
  dispose(): void;
}

export function watchManifests(modelsDir: string, onChange: () => void, debounceMs = 200): Disposable {
  const target = join(modelsDir, 'manifests');
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  let disposed = false;

  const fire = (): void => {
    if (disposed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (!disposed) onChange();
    }, debounceMs);
  };

  const arm = (): void => {
    if (disposed) return;
    watcher?.close();
    watcher = undefined;
    if (existsSync(target)) {
      try {
        watcher = watch(target, { recursive: true, persistent: false }, fire);
        watcher.on('error', () => {
          // The folder went away (or cannot be watched any longer): start over, and re-read what is there now.
          setTimeout(arm, debounceMs);
          fire();
        });
        return;
      } catch {
        // fall through to watching a parent
      }
    }
    let parent = dirname(target);
    while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
    try {
      watcher = watch(parent, { persistent: false }, () => {
        if (existsSync(target)) {
          arm();
          fire();
        } else if (!existsSync(parent) || existsSync(join(parent, relativeNext(parent, target)))) {
          arm(); // the parent went away, or the next folder towards the target appeared
        }
      });
      watcher.on('error', () => setTimeout(arm, debounceMs));
    } catch {
      watcher = undefined;
    }
  };

  arm();
  return {
    dispose() {
      disposed = true;
      if (timer) clearTimeout(timer);
      watcher?.close();
      watcher = undefined;
    },
  };
}

/** The next path component from `parent` towards `target`. */
function relativeNext(parent: string, target: string): string {
  const rest = target.slice(parent.length).replace(/^[\\/]+/, '');
  return rest.split(/[\\/]/)[0] ?? '';
}
