// The models directory as the extension sees it: the settings (re-read on change), the resolved directory, one
// cached listing shared by the tree and the commands, a watcher that refreshes it when manifests change, the
// context key the welcome view depends on, and registry clients built from the settings.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { listModels, resolveModelsDir, type ListResult } from '../core/cache';
import { RegistryClient, ollamaKeyLoader, registrationAdvice, type KeyRegistration, type TraceEvent } from '../core/registry';
import { registryOptionsFor } from './model/registryOptions';
import { readStudioSettings, SETTINGS_SECTION, type StudioSettings } from './model/settings';
import { watchModelsDirectory, type Watching } from './model/watch';

/** The context key for the Models view's welcome content: `missing`, `empty` or `models`. */
export const DIRECTORY_STATE_KEY = 'modelfileStudio.modelsDirectoryState';
export type DirectoryState = 'missing' | 'empty' | 'models';

function readSettings(): StudioSettings {
  const configuration = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  return readStudioSettings((key) => configuration.get(key));
}

export class ModelsService implements vscode.Disposable {
  private current: StudioSettings = readSettings();
  private dir: string = resolveModelsDir({ explicit: this.current.modelsDirectory });
  private listing: Promise<ListResult> | undefined;
  private watching: Watching | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly loggedWarnings = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Fires when the listing may have changed (after a refresh, a watched change or a settings change). */
  readonly onDidChange = this.changed.event;

  constructor(private readonly output: vscode.LogOutputChannel) {
    this.watch();
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (!event.affectsConfiguration(SETTINGS_SECTION)) return;
        const before = this.dir;
        this.current = readSettings();
        this.dir = resolveModelsDir({ explicit: this.current.modelsDirectory });
        if (this.dir !== before) {
          this.output.info(`Models directory: ${this.dir}`);
          this.watch();
          this.refresh();
        }
      }),
    );
  }

  get settings(): StudioSettings {
    return this.current;
  }

  get modelsDir(): string {
    return this.dir;
  }

  /** The models in the directory; read once and shared until the next refresh. */
  list(): Promise<ListResult> {
    this.listing ??= this.load();
    return this.listing;
  }

  /** Forgets the listing and tells the tree (and any other listener) to read again. */
  refresh(): void {
    this.listing = undefined;
    this.changed.fire();
  }

  private async load(): Promise<ListResult> {
    const dir = this.dir;
    let result: ListResult;
    try {
      result = await listModels(dir);
    } catch (error) {
      this.output.error(`Reading the models directory failed: ${error instanceof Error ? error.message : String(error)}`);
      result = { models: [], warnings: [] };
    }
    for (const warning of result.warnings) {
      const line = `models directory: manifests/${warning.path}: ${warning.message}`;
      if (this.loggedWarnings.has(line)) continue;
      this.loggedWarnings.add(line);
      this.output.warn(line);
    }
    const state: DirectoryState = !existsSync(join(dir, 'manifests')) && result.models.length === 0 ? 'missing' : result.models.length === 0 ? 'empty' : 'models';
    void vscode.commands.executeCommand('setContext', DIRECTORY_STATE_KEY, state);
    return result;
  }

  private watch(): void {
    this.watching?.dispose();
    this.watching = watchModelsDirectory(this.dir, () => this.refresh());
  }

  /** A registry client for one operation, from the current settings; close it when done. */
  registryClient(): RegistryClient {
    return new RegistryClient({
      ...registryOptionsFor(this.current),
      ollamaKey: ollamaKeyLoader({ onCreated: (registration) => this.keyCreated(registration) }),
      trace: (event) => this.trace(event),
    });
  }

  private keyCreated(registration: KeyRegistration): void {
    this.output.info(`Created a new Ollama key for this computer; to push to ollama.com, ${registrationAdvice(registration)}`);
    void vscode.window
      .showInformationMessage(
        'Created a new Ollama key for this computer. To push to ollama.com, add its public key to your account.',
        'Copy Public Key',
        'Open ollama.com Keys',
      )
      .then(async (choice) => {
        if (choice === 'Copy Public Key') await vscode.env.clipboard.writeText(registration.publicKeyLine);
        if (choice === 'Open ollama.com Keys') await vscode.env.openExternal(vscode.Uri.parse(registration.settingsUrl));
      });
  }

  private trace(event: TraceEvent): void {
    switch (event.type) {
      case 'request':
        this.output.trace(`${event.method} ${event.url}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`);
        break;
      case 'response':
        this.output.trace(`${event.status} ${event.method} ${event.url}`);
        break;
      case 'redirect':
        this.output.trace(`redirect to ${event.to}`);
        break;
      case 'retry':
        this.output.info(`retrying ${event.method} ${event.url} in ${Math.round(event.delayMs)} ms: ${event.reason}`);
        break;
      case 'auth':
        this.output.trace(`authentication with ${event.host} (${event.flow}, ${event.scope}${event.identified ? '' : ', anonymous'})`);
        break;
    }
  }

  dispose(): void {
    this.watching?.dispose();
    this.changed.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }
}
