// Static checks of the editor contributions: the TextMate grammar (structure, includes, scopes, every regex compiles
// once its few Oniguruma-only constructs are translated, key patterns behave), its agreement with the PARAMETER
// catalog and the keyword list of spec §1.2, the snippets, the language configuration and the package.json wiring.
// Tokenization with VS Code's real engine is tested in test/e2e/vscode.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEPRECATED_PARAMETERS, PARAMETERS } from '../../core/modelfile/parameters';

const root = process.env['MODELFILE_STUDIO_ROOT'] ?? resolve(__dirname, '..', '..', '..');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Captures {
  readonly [index: string]: Rule;
}
interface Rule {
  readonly name?: string;
  readonly contentName?: string;
  readonly comment?: string;
  readonly include?: string;
  readonly match?: string;
  readonly begin?: string;
  readonly end?: string;
  readonly while?: string;
  readonly captures?: Captures;
  readonly beginCaptures?: Captures;
  readonly endCaptures?: Captures;
  readonly whileCaptures?: Captures;
  readonly patterns?: readonly Rule[];
  readonly applyEndPatternLast?: boolean | number;
}
interface Grammar extends Rule {
  readonly scopeName: string;
  readonly repository: Readonly<Record<string, Rule>>;
}

function readJson(path: string): Json {
  return JSON.parse(readFileSync(join(root, path), 'utf8')) as Json;
}

const grammar = readJson('syntaxes/modelfile.tmLanguage.json') as unknown as Grammar;

const RULE_KEYS = new Set([
  'name', 'contentName', 'comment', 'include', 'match', 'begin', 'end', 'while', 'captures', 'beginCaptures',
  'endCaptures', 'whileCaptures', 'patterns', 'applyEndPatternLast', 'repository',
]);

interface Visited {
  readonly rule: Rule;
  readonly where: string;
}

/** Every rule reachable from the top level and the repository, capture rules included, with a readable location. */
function allRules(): Visited[] {
  const found: Visited[] = [];
  const visit = (rule: Rule, where: string): void => {
    found.push({ rule, where });
    rule.patterns?.forEach((child, i) => visit(child, `${where}.patterns[${i}]`));
    for (const key of ['captures', 'beginCaptures', 'endCaptures', 'whileCaptures'] as const) {
      const captures = rule[key];
      if (captures) for (const [index, child] of Object.entries(captures)) visit(child, `${where}.${key}[${index}]`);
    }
  };
  grammar.patterns?.forEach((rule, i) => visit(rule, `patterns[${i}]`));
  for (const [name, rule] of Object.entries(grammar.repository)) visit(rule, `repository.${name}`);
  return found;
}

/**
 * Translates the Oniguruma-only constructs the grammar uses into JavaScript: `(?i:…)` around plain alternatives of
 * letters (a case-insensitive group: each letter becomes a two-letter class) and `\G` (the anchor at the end of the
 * parent's begin match; it becomes `^`, so behaviour tests run on the text after that point). Anything else
 * Oniguruma-specific is left alone so that `new RegExp` (in strict unicode mode, where unknown escapes such as `\h`
 * are errors) rejects it.
 */
function toJavaScript(source: string): RegExp {
  const translated = source
    .replace(/\(\?i:([^)]*)\)/g, (_, words: string) => {
      if (!/^[A-Za-z|]+$/.test(words)) throw new Error(`(?i:${words}) is more than letters and |: translate it by hand`);
      return `(?:${words.replace(/[A-Za-z]/g, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`)})`;
    })
    .replaceAll('\\G', '^');
  return new RegExp(translated, 'u');
}

function groupCount(source: string): number {
  return (new RegExp(`${toJavaScript(source).source}|`, 'u').exec('') ?? []).length - 1;
}

function rule(name: string): Rule {
  const found = grammar.repository[name];
  assert.ok(found, `repository.${name} exists`);
  return found;
}

function regex(name: string, key: 'match' | 'begin' | 'end'): RegExp {
  const source = rule(name)[key];
  assert.ok(source !== undefined, `repository.${name}.${key} exists`);
  return toJavaScript(source);
}

describe('TextMate grammar: structure', () => {
  it('declares the Modelfile scope', () => {
    assert.equal(grammar.scopeName, 'source.modelfile');
    assert.ok((grammar.patterns ?? []).length > 0);
  });

  it('uses only known rule keys, and every rule is a match, a region, an include or a pattern list', () => {
    for (const { rule: r, where } of allRules()) {
      for (const key of Object.keys(r)) assert.ok(RULE_KEYS.has(key), `${where}: unknown key ${key}`);
      const kinds = [r.match !== undefined, r.begin !== undefined, r.include !== undefined].filter(Boolean).length;
      assert.ok(kinds <= 1, `${where}: more than one of match/begin/include`);
      if (r.begin !== undefined) assert.ok(r.end !== undefined || r.while !== undefined, `${where}: begin without end`);
      if (r.end !== undefined) assert.ok(r.begin !== undefined, `${where}: end without begin`);
    }
  });

  it('resolves every include, and every repository entry is used', () => {
    const used = new Set<string>();
    for (const { rule: r, where } of allRules()) {
      if (r.include === undefined) continue;
      assert.ok(r.include.startsWith('#') || r.include === '$self', `${where}: include ${r.include} leaves the grammar`);
      if (r.include.startsWith('#')) {
        const target = r.include.slice(1);
        assert.ok(target in grammar.repository, `${where}: include ${r.include} does not resolve`);
        used.add(target);
      }
    }
    const unused = Object.keys(grammar.repository).filter((name) => !used.has(name));
    assert.deepEqual(unused, []);
  });

  it('compiles every regex (after translating (?i:…) and \\G) and references only existing capture groups', () => {
    let count = 0;
    for (const { rule: r, where } of allRules()) {
      const pairs: Array<[string | undefined, Captures | undefined]> = [
        [r.match, r.captures],
        [r.begin, r.beginCaptures ?? r.captures],
        [r.end, r.endCaptures ?? r.captures],
      ];
      for (const [source, captures] of pairs) {
        if (source === undefined) continue;
        count++;
        assert.doesNotThrow(() => toJavaScript(source), `${where}: ${source}`);
        const groups = groupCount(source);
        for (const index of Object.keys(captures ?? {})) {
          assert.ok(Number(index) <= groups, `${where}: capture ${index} but only ${groups} groups in ${source}`);
        }
      }
    }
    assert.ok(count > 40, `only ${count} regexes found`);
  });

  it('names scopes by the conventions (…modelfile for the file, …go-template inside TEMPLATE)', () => {
    for (const { rule: r, where } of allRules()) {
      for (const scope of [r.name, r.contentName]) {
        if (scope === undefined) continue;
        for (const part of scope.split(' ')) {
          assert.match(part, /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*\.(modelfile|go-template)$/, `${where}: ${part}`);
        }
      }
    }
  });
});

describe('TextMate grammar: agreement with Ollama', () => {
  const keywords = ['from', 'license', 'template', 'system', 'adapter', 'draft', 'renderer', 'parser', 'parameter', 'message', 'requires'];

  it('knows exactly the instruction keywords of spec §1.2, each with its own rule', () => {
    const bare = rule('bare-keyword').match ?? '';
    const listed = /\(\?i:([a-z|]+)\)/.exec(bare)?.[1]?.split('|') ?? [];
    assert.deepEqual([...listed].sort(), [...keywords].sort());
    for (const keyword of keywords) {
      const own = grammar.repository[keyword];
      assert.ok(own?.begin !== undefined, `repository.${keyword} is an instruction region`);
      assert.ok(toJavaScript(own.begin).test(`${keyword.toUpperCase()} x`), `${keyword} matches upper case`);
      assert.ok(toJavaScript(own.begin).test(`  ${keyword} x`), `${keyword} matches lower case, indented`);
      assert.ok(!toJavaScript(own.begin).test(`${keyword}x y`), `${keyword} needs a blank after it`);
    }
  });

  it('lists the same PARAMETER names as the core catalog: valid ones and deprecated ones', () => {
    const begin = regex('parameter', 'begin');
    const nameOf = (line: string): { known?: string; deprecated?: string; unknown?: string } => {
      const m = begin.exec(line);
      assert.ok(m, line);
      return { known: m[2], deprecated: m[3], unknown: m[4] };
    };
    for (const spec of PARAMETERS) assert.equal(nameOf(`PARAMETER ${spec.name} 1`).known, spec.name);
    for (const name of DEPRECATED_PARAMETERS) assert.equal(nameOf(`PARAMETER ${name} 1`).deprecated, name);
    assert.equal(nameOf('PARAMETER numa 1').unknown, 'numa');
    assert.equal(nameOf('PARAMETER num_ctx_extra 1').unknown, 'num_ctx_extra', 'a known prefix is not enough');
    // Names are case-sensitive in Ollama; the keyword is not.
    const upper = nameOf('parameter TEMPERATURE 1');
    assert.equal(upper.known, undefined);
    assert.equal(upper.unknown, 'TEMPERATURE');
  });

  it('accepts exactly the three MESSAGE roles', () => {
    const begin = regex('message', 'begin');
    for (const role of ['system', 'user', 'assistant']) assert.equal(begin.exec(`MESSAGE ${role} hi`)?.[2], role);
    for (const role of ['User', 'tool']) assert.equal(begin.exec(`MESSAGE ${role} hi`)?.[3], role);
  });

  it('closes quoted values only when the delimiter ends the line', () => {
    const tripleEnd = regex('triple-string', 'end');
    assert.ok(tripleEnd.test('text"""'));
    assert.ok(tripleEnd.test('text"""  '));
    assert.ok(!tripleEnd.test('a""" b'));
    const doubleEnd = regex('double-string', 'end');
    assert.ok(doubleEnd.test('x"'));
    assert.ok(!doubleEnd.test('"a" b'));
  });

  it('types PARAMETER values as whole numbers or booleans only', () => {
    const number = regex('parameter-number', 'match');
    for (const v of ['1', '-1', '0.7', '.5', '1e-3', '+2']) assert.ok(number.test(v), v);
    for (const v of ['1 2', '0x10', 'abc', '1.2.3']) assert.ok(!number.test(v), v);
    const boolean = regex('parameter-boolean', 'match');
    for (const v of ['true', 'False', 'TRUE']) assert.ok(boolean.test(v), v);
    assert.ok(!boolean.test('truey'));
  });

  it('tells FROM model names (with a tag) from file paths', () => {
    const path = regex('from-path', 'match');
    for (const v of ['./model.gguf', '/abs/dir', '~/m', 'weights.GGUF', 'C:\\models\\x']) assert.ok(path.test(v), v);
    for (const v of ['llama3.2', 'hf.co/org/repo:Q4_K_M', 'localhost:5000/ns/m:tag']) assert.ok(!path.test(v), v);
    const model = regex('from-model', 'match');
    assert.deepEqual([...(model.exec('hf.co/org/repo:Q4_K_M') ?? [])].slice(1), ['hf.co/org/repo', ':', 'Q4_K_M']);
    assert.equal(model.exec('localhost:5000/ns/m')?.[1], 'localhost:5000/ns/m');
  });

  it('lists the Go template builtins and Ollama functions of spec §1.6', () => {
    const content = rule('go-action-content').patterns ?? [];
    const matchOf = (scope: string): RegExp => {
      const found = content.find((p) => p.name === scope);
      assert.ok(found?.match !== undefined, scope);
      return toJavaScript(found.match);
    };
    const builtin = matchOf('support.function.builtin.go-template');
    const builtins = 'and or not len index slice print printf println eq ne lt le gt ge html js urlquery call'.split(' ');
    for (const name of builtins) assert.equal(builtin.exec(` ${name} `)?.[0], name);
    const ollama = matchOf('support.function.ollama.go-template');
    for (const name of ['json', 'currentDate', 'yesterdayDate', 'toTypeScriptType']) assert.equal(ollama.exec(name)?.[0], name);
    const keyword = matchOf('keyword.control.go-template');
    for (const name of 'if else end range with define block template break continue'.split(' ')) assert.ok(keyword.test(name), name);
    assert.ok(!keyword.test('ending'));
  });
});

interface Snippet {
  readonly prefix: string | readonly string[];
  readonly body: string | readonly string[];
  readonly description: string;
}

describe('snippets, language configuration and package.json', () => {
  const snippets = readJson('snippets/modelfile.json') as unknown as Record<string, Snippet>;

  it('offers the instruction snippets and a chat template, each with a description', () => {
    for (const name of ['FROM', 'PARAMETER', 'TEMPLATE', 'SYSTEM', 'MESSAGE', 'Chat template']) assert.ok(snippets[name], name);
    for (const [name, snippet] of Object.entries(snippets)) {
      assert.ok(snippet.description.length > 10, `${name}: description`);
      assert.ok((Array.isArray(snippet.prefix) ? snippet.prefix : [snippet.prefix]).length > 0, `${name}: prefix`);
    }
  });

  it('escapes template $variables and braces inside placeholders', () => {
    for (const [name, snippet] of Object.entries(snippets)) {
      const body = Array.isArray(snippet.body) ? snippet.body.join('\n') : String(snippet.body);
      // Every unescaped $ is a tabstop ($1), a placeholder (${…}) or a choice; Go variables must read \$x.
      for (const m of body.matchAll(/(?<!\\)\$(?![0-9{])/g)) assert.fail(`${name}: unescaped $ at ${m.index}: ${body}`);
      let depth = 0;
      for (let i = 0; i < body.length; i++) {
        if (body[i] === '\\') i++;
        else if (body.startsWith('${', i)) depth++;
        else if (body[i] === '}' && depth > 0) depth--;
      }
      assert.equal(depth, 0, `${name}: unbalanced placeholders`);
    }
  });

  it('configures # comments and auto-closing of " and """', () => {
    const config = readJson('language-configuration.json') as {
      comments: { lineComment: string };
      autoClosingPairs: Array<{ open: string; close: string }>;
    };
    assert.equal(config.comments.lineComment, '#');
    const opens = config.autoClosingPairs.map((pair) => pair.open);
    assert.ok(opens.includes('"') && opens.includes('"""'));
  });

  it('wires the language, grammar, snippets and icons to files that exist', () => {
    const manifest = readJson('package.json') as {
      icon: string;
      main: string;
      activationEvents: string[];
      contributes: {
        languages: Array<{ id: string; filenames: string[]; filenamePatterns: string[]; extensions: string[]; configuration: string; icon: { light: string; dark: string } }>;
        grammars: Array<{ language: string; scopeName: string; path: string; tokenTypes: Record<string, string>; unbalancedBracketScopes: string[] }>;
        snippets: Array<{ language: string; path: string }>;
      };
    };
    const [language] = manifest.contributes.languages;
    assert.ok(language);
    assert.equal(language.id, 'modelfile');
    assert.deepEqual(language.filenames, ['Modelfile']);
    assert.ok(language.filenamePatterns.includes('Modelfile.*'));
    assert.deepEqual(language.extensions, ['.modelfile']);
    assert.ok(manifest.activationEvents.includes('onLanguage:modelfile'));
    const [contributedGrammar] = manifest.contributes.grammars;
    assert.ok(contributedGrammar);
    assert.equal(contributedGrammar.scopeName, grammar.scopeName);
    for (const path of [manifest.icon, language.configuration, language.icon.light, language.icon.dark, contributedGrammar.path, ...manifest.contributes.snippets.map((s) => s.path)]) {
      assert.ok(existsSync(join(root, path)), path);
    }
    assert.equal(manifest.main, './dist/extension.js');

    // Token-type and bracket selectors must name scopes the grammar really produces.
    const scopes = new Set(allRules().flatMap(({ rule: r }) => [r.name, r.contentName].filter((s): s is string => s !== undefined)));
    const selectors = [...Object.keys(contributedGrammar.tokenTypes), ...contributedGrammar.unbalancedBracketScopes];
    for (const selector of selectors) {
      const first = selector.split(/\s+/)[0] ?? '';
      assert.ok([...scopes].some((s) => s === first || s.startsWith(`${first}.`)), `${selector} matches no grammar scope`);
    }
  });

  it('ships a 128×128 PNG icon', () => {
    const png = readFileSync(join(root, 'icons', 'icon.png'));
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(png.readUInt32BE(16), 128);
    assert.equal(png.readUInt32BE(20), 128);
  });
});
