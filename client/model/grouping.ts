// How the Models view arranges what `listModels` returns: one group per registry and namespace
// (`registry.ollama.ai/library`, `127.0.0.1:5000/me`, …), each holding its models labelled `model:tag`.
// Ollama's own library comes first, the other groups follow in name order; models are sorted by name.
import type { ModelListEntry } from '../../core/cache';
import { DEFAULT_HOST, DEFAULT_NAMESPACE, parseName } from '../../core/names';

export interface GroupedModel {
  /** What the tree shows for the model inside its group: `model:tag`. */
  readonly label: string;
  readonly model: ModelListEntry;
}

export interface ModelGroup {
  /** `host/namespace`, as stored. */
  readonly key: string;
  readonly host: string;
  readonly namespace: string;
  readonly models: readonly GroupedModel[];
}

function compareText(a: string, b: string): number {
  const lowerA = a.toLowerCase();
  const lowerB = b.toLowerCase();
  if (lowerA !== lowerB) return lowerA < lowerB ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function isOllamaLibrary(group: Pick<ModelGroup, 'host' | 'namespace'>): boolean {
  return group.host.toLowerCase() === DEFAULT_HOST && group.namespace.toLowerCase() === DEFAULT_NAMESPACE;
}

/** Groups models by `host/namespace` (see the file header for the order). */
export function groupModels(models: readonly ModelListEntry[]): ModelGroup[] {
  const groups = new Map<string, { host: string; namespace: string; models: GroupedModel[] }>();
  for (const model of models) {
    const name = parseName(model.fullName);
    const key = `${name.host}/${name.namespace}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { host: name.host, namespace: name.namespace, models: [] };
      groups.set(key, group);
    }
    group.models.push({ label: `${name.model}:${name.tag}`, model });
  }
  return [...groups.entries()]
    .map(([key, group]) => ({
      key,
      host: group.host,
      namespace: group.namespace,
      models: group.models.sort((a, b) => compareText(a.label, b.label)),
    }))
    .sort((a, b) => {
      const libraryA = isOllamaLibrary(a);
      if (libraryA !== isOllamaLibrary(b)) return libraryA ? -1 : 1;
      return compareText(a.key, b.key);
    });
}

/** The description of a group row: how many models and their total size on disk before sharing. */
export function groupSummary(group: ModelGroup, formatSize: (bytes: number) => string): string {
  const total = group.models.reduce((sum, entry) => sum + entry.model.size, 0);
  return `${group.models.length} model${group.models.length === 1 ? '' : 's'} · ${formatSize(total)}`;
}
