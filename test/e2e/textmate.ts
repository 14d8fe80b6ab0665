// Tokenizes Modelfiles with the TextMate engine VS Code itself ships (vscode-textmate + vscode-oniguruma from the
// code-server install), so grammar tests see exactly the scopes the editor sees. Only the API parts used here are typed.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { vscodeNodeModules } from './paths';

interface RawToken {
  readonly startIndex: number;
  readonly endIndex: number;
  readonly scopes: string[];
}
interface StackElement {
  readonly __brand?: 'StackElement';
}
interface IGrammar {
  tokenizeLine(line: string, state: StackElement | null): { tokens: RawToken[]; ruleStack: StackElement };
}
interface OnigLib {
  createOnigScanner(patterns: string[]): unknown;
  createOnigString(text: string): unknown;
}
interface TextMateModule {
  readonly INITIAL: StackElement;
  Registry: new (options: {
    onigLib: Promise<OnigLib>;
    loadGrammar: (scopeName: string) => Promise<unknown>;
  }) => { loadGrammar(scopeName: string): Promise<IGrammar | null> };
  parseRawGrammar(content: string, filePath: string): unknown;
}
interface OnigurumaModule {
  loadWASM(data: ArrayBuffer): Promise<void>;
  OnigScanner: new (patterns: string[]) => unknown;
  OnigString: new (text: string) => unknown;
}

export interface Token {
  readonly line: number;
  readonly text: string;
  readonly scopes: readonly string[];
}

let onigurumaReady: Promise<OnigurumaModule> | undefined;

function loadOniguruma(require: NodeJS.Require, modules: string): Promise<OnigurumaModule> {
  onigurumaReady ??= (async () => {
    const oniguruma = require('vscode-oniguruma') as OnigurumaModule;
    const wasm = readFileSync(join(modules, 'vscode-oniguruma', 'release', 'onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    return oniguruma;
  })();
  return onigurumaReady;
}

/** Loads a grammar file with VS Code's engine and returns a function that tokenizes whole documents. */
export async function loadTokenizer(root: string, grammarPath: string, scopeName: string): Promise<(text: string) => Token[]> {
  const modules = vscodeNodeModules(root);
  const require = createRequire(join(modules, 'package.json'));
  const textmate = require('vscode-textmate') as TextMateModule;
  const oniguruma = await loadOniguruma(require, modules);
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (name) =>
      name === scopeName ? textmate.parseRawGrammar(readFileSync(grammarPath, 'utf8'), grammarPath) : null,
  });
  const grammar = await registry.loadGrammar(scopeName);
  if (grammar === null) throw new Error(`grammar ${scopeName} did not load`);
  return (text) => {
    const tokens: Token[] = [];
    let state: StackElement = textmate.INITIAL;
    text.split(/\r?\n/).forEach((line, index) => {
      const result = grammar.tokenizeLine(line, state);
      for (const token of result.tokens) {
        tokens.push({ line: index, text: line.slice(token.startIndex, token.endIndex), scopes: token.scopes });
      }
      state = result.ruleStack;
    });
    return tokens;
  };
}
