// Plain data shared by the client's parts: names shown to the user and the client's observable state.
// No vscode import here, so it can be used from tests and helpers that run outside VS Code.

export const OUTPUT_CHANNEL_NAME = 'Modelfile Studio';
export const LANGUAGE_ID = 'modelfile';
/** Where the bundled language server lives, relative to the extension's root. */
export const SERVER_MODULE = 'dist/server.js';

/** `absent`: no bundled server (the editor still has highlighting and snippets); `failed`: it would not start. */
export type LanguageServerStatus = 'absent' | 'starting' | 'running' | 'failed' | 'stopped';

export interface ClientState {
  readonly languageServer: LanguageServerStatus;
}

/** The documents the language server sees: Modelfiles on disk and unsaved ones. */
export const DOCUMENT_SELECTOR: ReadonlyArray<{ readonly scheme: string; readonly language: string }> = [
  { scheme: 'file', language: LANGUAGE_ID },
  { scheme: 'untitled', language: LANGUAGE_ID },
];
