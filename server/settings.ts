// The server's settings (section `modelfileStudio`): the models directory and per-code severity overrides, read
// from whatever the client sends and validated (unknown codes and levels are ignored, never fatal).
import { CODES, type Severity } from '../core/lint';

export const SETTINGS_SECTION = 'modelfileStudio';

export type SeverityOverride = Severity | 'off';

export interface ServerSettings {
  /** Empty: OLLAMA_MODELS, else ~/.ollama/models. */
  modelsDirectory: string;
  severities: Readonly<Record<string, SeverityOverride>>;
}

export const DEFAULT_SETTINGS: ServerSettings = { modelsDirectory: '', severities: {} };

const LEVELS: ReadonlySet<string> = new Set(['error', 'warning', 'information', 'hint', 'off']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the `modelfileStudio` object (also accepted: an object holding it, or dotted keys such as
 *  `"diagnostics.severity"` as some clients send them flat). */
export function readSettings(raw: unknown): ServerSettings {
  let section: unknown = raw;
  if (isObject(raw) && isObject(raw[SETTINGS_SECTION])) section = raw[SETTINGS_SECTION];
  if (!isObject(section)) return DEFAULT_SETTINGS;
  const modelsDirectory = typeof section.modelsDirectory === 'string' ? section.modelsDirectory.trim() : '';
  const diagnostics = isObject(section.diagnostics) ? section.diagnostics : undefined;
  const table = diagnostics?.severity ?? section['diagnostics.severity'];
  const severities: Record<string, SeverityOverride> = {};
  if (isObject(table)) {
    for (const [code, level] of Object.entries(table)) {
      const upper = code.toUpperCase();
      if (!CODES.has(upper) || typeof level !== 'string') continue;
      const lower = level.toLowerCase() === 'info' ? 'information' : level.toLowerCase();
      if (LEVELS.has(lower)) severities[upper] = lower as SeverityOverride;
    }
  }
  return { modelsDirectory, severities };
}

export function sameSettings(a: ServerSettings, b: ServerSettings): boolean {
  return a.modelsDirectory === b.modelsDirectory && JSON.stringify(a.severities) === JSON.stringify(b.severities);
}
