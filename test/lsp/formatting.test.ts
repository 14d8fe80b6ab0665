// Formatting: the expected result for a messy Modelfile over the protocol (document and range formatting), and a
// property test of the formatter itself on generated Modelfiles: the edits never change what Ollama parses, and
// formatting the result again changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseModelfile } from '../../core/modelfile';
import { formatModelfile } from '../../server/features/formatting';
import { applyEdits, type Range } from './driver';
import { startSession } from './helpers';

const messy = [
  '  from   llama3.2   ',
  'parameter  temperature 0.7',
  'Parameter top_k   40',
  'system "You are Mario."',
  'SYSTEM """ keep the space"""',
  'template """{{ .System }}',
  '{{ .Prompt }}"""',
  'message user   "hi"',
  '   # indented comment   ',
  '   ',
  'LICENSE """multi',
  'line"""',
  'LICENSE "say "hi" ok',
  'there"',
  'PARAMETER stop ""',
  '',
].join('\n');

const expected = [
  'FROM llama3.2',
  'PARAMETER  temperature 0.7', // two blanks make an empty parameter name for Ollama: kept
  'PARAMETER top_k 40',
  'SYSTEM You are Mario.',
  'SYSTEM " keep the space"',
  'TEMPLATE """{{ .System }}', // multi-line values already in """ keep them
  '{{ .Prompt }}"""',
  'MESSAGE user hi',
  '# indented comment',
  '',
  'LICENSE """multi',
  'line"""',
  'LICENSE """say "hi" ok',
  'there"""',
  'PARAMETER stop ""',
  '',
].join('\n');

test('document formatting over the protocol: canonical, same commands, idempotent', async () => {
  const session = await startSession();
  try {
    await session.openAndWait(messy);
    const edits = await session.driver.request<{ range: Range; newText: string }[]>('textDocument/formatting', {
      textDocument: { uri: session.uri() },
      options: { tabSize: 2, insertSpaces: true },
    });
    const formatted = applyEdits(messy, edits);
    assert.equal(formatted, expected);
    assert.deepEqual(parseModelfile(formatted).ollama, parseModelfile(messy).ollama);
    await session.openAndWait(formatted, 'again.modelfile');
    const again = await session.driver.request<unknown[]>('textDocument/formatting', { textDocument: { uri: session.uri('again.modelfile') }, options: { tabSize: 2, insertSpaces: true } });
    assert.deepEqual(again, []);
  } finally {
    await session.close();
  }
});

test('range formatting touches only the lines asked for', async () => {
  const session = await startSession();
  try {
    await session.openAndWait(messy);
    const edits = await session.driver.request<{ range: Range; newText: string }[]>('textDocument/rangeFormatting', {
      textDocument: { uri: session.uri() },
      range: { start: { line: 2, character: 0 }, end: { line: 3, character: 3 } },
      options: { tabSize: 2, insertSpaces: true },
    });
    assert.ok(edits.length > 0);
    for (const edit of edits) assert.ok(edit.range.start.line >= 2 && edit.range.end.line <= 3, JSON.stringify(edit));
    const formatted = applyEdits(messy, edits).split('\n');
    assert.equal(formatted[2], 'PARAMETER top_k 40');
    assert.equal(formatted[3], 'SYSTEM You are Mario.');
    assert.equal(formatted[0], '  from   llama3.2   ');
  } finally {
    await session.close();
  }
});

test('nothing after a quote that never closes is touched', () => {
  const text = 'from x\nSYSTEM """open\n  parameter  top_k 1\n';
  const formatted = applyEdits(text, formatModelfile(parseModelfile(text)));
  assert.equal(formatted, 'FROM x\nSYSTEM """open\n  parameter  top_k 1\n');
});

// Modelfile-like text built from the pieces that matter to Ollama's state machine.
const blank = fc.constantFrom('', ' ', '  ', '\t', ' \t ');
const keyword = fc.constantFrom('FROM', 'from', 'From', 'SYSTEM', 'system', 'TEMPLATE', 'LICENSE', 'ADAPTER', 'REQUIRES', 'RENDERER', 'PARSER', 'DRAFT', 'FORM');
const word = fc.constantFrom('llama3.2', 'x', 'hello world', '"', '"""', '{{ .Prompt }}', 'a"b', ' ', '#x', "'q'", 'é', '\u00a0', '\u200b', 'tab\there', '0.7', 'true');
const valueText = fc.array(fc.oneof(word, fc.constantFrom('\n', '\r\n', ' ')), { maxLength: 6 }).map((parts) => parts.join(''));
const quoted = fc.tuple(fc.constantFrom('', '"', '"""'), valueText, fc.constantFrom('', '"', '"""')).map(([a, b, c]) => `${a}${b}${c}`);
const instruction = fc.oneof(
  fc.tuple(blank, keyword, fc.constantFrom(' ', '  ', '\t'), quoted, blank).map((p) => p.join('')),
  fc.tuple(blank, fc.constantFrom('PARAMETER', 'parameter'), fc.constantFrom(' ', '  '), fc.constantFrom('temperature', 'stop', 'top_k', 'Temp', 'num_ctx'), fc.constantFrom(' ', '\t', '  '), quoted, blank).map((p) => p.join('')),
  fc.tuple(blank, fc.constantFrom('MESSAGE', 'message'), fc.constantFrom(' '), fc.constantFrom('user', 'assistant', 'system', 'User'), fc.constantFrom(' ', '  '), quoted).map((p) => p.join('')),
  fc.tuple(blank, fc.constantFrom('#', '# modelfile-ignore MF010', '#x  ')).map((p) => p.join('')),
  blank,
);
const modelfile = fc.tuple(fc.array(instruction, { maxLength: 8 }), fc.constantFrom('\n', '\r\n', '\r'), fc.boolean()).map(([lines, eol, final]) => lines.join(eol) + (final ? eol : ''));

function commandsOf(text: string): unknown {
  const parsed = parseModelfile(text);
  return { ollama: parsed.ollama, commands: parsed.instructions.filter((i) => i.command).map((i) => i.command) };
}

test('property: formatting never changes what Ollama parses, and is idempotent', () => {
  fc.assert(
    fc.property(modelfile, (text) => {
      const edits = formatModelfile(parseModelfile(text));
      const once = applyEdits(text, edits);
      assert.deepEqual(commandsOf(once), commandsOf(text));
      const twice = applyEdits(once, formatModelfile(parseModelfile(once)));
      assert.equal(twice, once);
    }),
    { numRuns: Number(process.env.FORMAT_RUNS ?? 3000), seed: Number(process.env.FORMAT_SEED ?? 20240611) },
  );
});
