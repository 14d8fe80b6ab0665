// The read-only "Show Modelfile" documents live at `modelfile-studio:/<model>.Modelfile` (e.g.
// `modelfile-studio:/me/tiny:latest.Modelfile`), so the tab reads `tiny:latest.Modelfile` and the file-name
// pattern `*.Modelfile` selects the modelfile language. These functions build and read that path. No vscode import.

export const SHOW_SCHEME = 'modelfile-studio';
const SUFFIX = '.Modelfile';

/** The URI path for a model's Modelfile view. */
export function showPathFor(modelName: string): string {
  return `/${modelName}${SUFFIX}`;
}

/** The model name a view path stands for; undefined for anything else. */
export function modelNameFromShowPath(path: string): string | undefined {
  if (!path.startsWith('/') || !path.endsWith(SUFFIX)) return undefined;
  const name = path.slice(1, -SUFFIX.length);
  return name === '' ? undefined : name;
}
