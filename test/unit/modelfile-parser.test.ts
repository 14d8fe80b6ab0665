// Tests of the Modelfile decoder and parser (spec §1.1–1.3): Ollama's exact outcome, the syntax tree with LSP
// ranges, error recovery, and property tests against a deliberately naive transcription of Ollama's Go parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { positionAt } from '../../core/text';
import {
  decodeModelfile,
  isGoPrintable,
  parseModelfile,
  type InstructionSyntax,
  type OllamaCommand,
  type OllamaOutcome,
  type ParsedModelfile,
  type Span,
} from '../../core/modelfile';

const INVALID_COMMAND =
  'command must be one of "from", "license", "template", "system", "adapter", "draft", "renderer", "parser", "parameter", "message", or "requires"';
const INVALID_ROLE = 'message role must be one of "system", "user", or "assistant"';

// ---------------------------------------------------------------------------------------------------------------
// Reference implementation: a straight transcription of Ollama's parser (bufio rune reading, the state machine,
// the transitions, the flush at EOF), with string concatenation and no tree. Deliberately naive.

const R_NIL = 0;
const R_NAME = 1;
const R_VALUE = 2;
const R_PARAMETER = 3;
const R_MESSAGE = 4;
const R_COMMENT = 5;

/** Go's utf8.DecodeRune at `i`: [rune, size]; anything invalid is [U+FFFD, 1]. */
function refDecodeRune(b: Uint8Array, i: number): [number, number] {
  const b0 = b[i];
  if (b0 < 0x80) return [b0, 1];
  const need = b0 >= 0xf0 ? 4 : b0 >= 0xe0 ? 3 : b0 >= 0xc0 ? 2 : 0;
  if (need === 0 || b0 > 0xf4) return [0xfffd, 1];
  if (b.length - i < need) return [0xfffd, 1];
  let cp = b0 & (0xff >> (need + 1));
  for (let k = 1; k < need; k++) {
    const c = b[i + k];
    if ((c & 0xc0) !== 0x80) return [0xfffd, 1];
    cp = cp * 64 + (c & 0x3f);
  }
  const min = need === 2 ? 0x80 : need === 3 ? 0x800 : 0x10000;
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return [0xfffd, 1];
  return [cp, need];
}

function refDecode(bytes: Uint8Array): string {
  let out = '';
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    const le = bytes[0] === 0xff;
    const units: number[] = [];
    for (let i = 2; i + 1 < bytes.length; i += 2) units.push(le ? bytes[i] + 256 * bytes[i + 1] : 256 * bytes[i] + bytes[i + 1]);
    for (let k = 0; k < units.length; k++) {
      const u = units[k];
      if (u >= 0xd800 && u < 0xdc00 && k + 1 < units.length && units[k + 1] >= 0xdc00 && units[k + 1] < 0xe000) {
        out += String.fromCharCode(u, units[k + 1]);
        k++;
      } else if (u >= 0xd800 && u < 0xe000) {
        out += '\ufffd';
      } else {
        out += String.fromCharCode(u);
      }
    }
    if (bytes.length % 2 === 1) out += '\ufffd';
    return out;
  }
  let i = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length) {
    const [r, size] = refDecodeRune(bytes, i);
    out += String.fromCodePoint(r);
    i += size;
  }
  return out;
}

function refIsPrint(r: number): boolean {
  if (r === 0x20) return true;
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(String.fromCodePoint(r));
}

function refIsSpace(r: number): boolean {
  return [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000].includes(r) || (r >= 0x2000 && r <= 0x200a);
}

function refTrimSpace(s: string): string {
  const runes = Array.from(s);
  while (runes.length > 0 && refIsSpace(runes[0].codePointAt(0) as number)) runes.shift();
  while (runes.length > 0 && refIsSpace(runes[runes.length - 1].codePointAt(0) as number)) runes.pop();
  return runes.join('');
}

function refUnquote(s: string): [string, boolean] {
  if (s.length >= 3 && s.slice(0, 3) === '"""') {
    if (s.length >= 6 && s.slice(-3) === '"""') return [s.slice(3, -3), true];
    return ['', false];
  }
  if (s.length >= 1 && s[0] === '"') {
    if (s.length >= 2 && s[s.length - 1] === '"') return [s.slice(1, -1), true];
    return ['', false];
  }
  return [s, true];
}

const isAlpha = (r: number): boolean => (r >= 0x61 && r <= 0x7a) || (r >= 0x41 && r <= 0x5a);
const isNumber = (r: number): boolean => r >= 0x30 && r <= 0x39;
const isBlank = (r: number): boolean => r === 0x20 || r === 0x09;
const isNewline = (r: number): boolean => r === 0x0d || r === 0x0a;

function referenceParse(input: string | Uint8Array): OllamaOutcome {
  let text = typeof input === 'string' ? input : refDecode(input);
  if (typeof input === 'string' && text.startsWith('\ufeff')) text = text.slice(1);
  const runes: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    runes.push(cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp);
  }
  let curr = R_NIL;
  let line = 1;
  let b = '';
  let role = '';
  let name = '';
  const commands: OllamaCommand[] = [];
  for (const read of runes) {
    if (isNewline(read)) line++;
    let next = curr;
    let r = read;
    let err: 'eof' | 'command' | undefined;
    switch (curr) {
      case R_NIL:
        if (r === 0x23) [next, r] = [R_COMMENT, 0];
        else if (isBlank(r) || isNewline(r)) [next, r] = [R_NIL, 0];
        else next = R_NAME;
        break;
      case R_NAME:
        if (isAlpha(r)) next = R_NAME;
        else if (isBlank(r)) [next, r] = [R_VALUE, 0];
        else err = 'command';
        break;
      case R_VALUE:
        if (isNewline(r) || isBlank(r)) next = R_NIL;
        else next = R_VALUE;
        break;
      case R_PARAMETER:
        if (isAlpha(r) || isNumber(r) || r === 0x5f) next = R_PARAMETER;
        else if (isBlank(r)) [next, r] = [R_VALUE, 0];
        else err = 'eof';
        break;
      case R_MESSAGE:
        if (isAlpha(r)) next = R_MESSAGE;
        else if (isBlank(r)) [next, r] = [R_VALUE, 0];
        else err = 'eof';
        break;
      case R_COMMENT:
        if (isNewline(r)) [next, r] = [R_NIL, 0];
        else r = 0;
        break;
    }
    if (err === 'eof') return { ok: false, error: 'unexpected EOF: ' + b };
    if (err === 'command') return { ok: false, error: `(line ${line}): ${INVALID_COMMAND}` };
    if (next !== curr) {
      if (curr === R_NAME) {
        const lower = b.toLowerCase();
        if (!['from', 'license', 'template', 'system', 'adapter', 'draft', 'renderer', 'parser', 'parameter', 'message', 'requires'].includes(lower)) {
          return { ok: false, error: `(line ${line}): ${INVALID_COMMAND}` };
        }
        if (lower === 'from') name = 'model';
        else if (lower === 'parameter') next = R_PARAMETER;
        else if (lower === 'message') {
          next = R_MESSAGE;
          name = lower;
        } else name = lower;
      } else if (curr === R_PARAMETER) {
        name = b;
      } else if (curr === R_MESSAGE) {
        if (b !== 'system' && b !== 'user' && b !== 'assistant') return { ok: false, error: `(line ${line}): ${INVALID_ROLE}` };
        role = b;
      } else if (curr === R_VALUE) {
        const [unquoted, ok] = refUnquote(refTrimSpace(b));
        if (!ok || isBlank(r)) {
          b += String.fromCodePoint(r);
          continue;
        }
        let s = unquoted;
        if (role !== '') {
          s = role + ': ' + s;
          role = '';
        }
        commands.push({ name, args: s });
      }
      b = '';
      curr = next;
    }
    if (refIsPrint(r)) b += String.fromCodePoint(r);
  }
  if (curr === R_VALUE) {
    const [unquoted, ok] = refUnquote(refTrimSpace(b));
    if (!ok) return { ok: false, error: 'unexpected EOF' };
    commands.push({ name, args: role !== '' ? role + ': ' + unquoted : unquoted });
  } else if (curr !== R_NIL && curr !== R_COMMENT) {
    return { ok: false, error: 'unexpected EOF' };
  }
  if (!commands.some((c) => c.name === 'model')) return { ok: false, error: 'no FROM line' };
  return { ok: true, commands };
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

function ok(source: string | Uint8Array): OllamaCommand[] {
  const result = parseModelfile(source).ollama;
  assert.ok(result.ok, `expected success, got ${result.ok ? '' : result.error}`);
  return result.commands;
}

function error(source: string | Uint8Array): string {
  const result = parseModelfile(source).ollama;
  assert.ok(!result.ok, `expected an error, got ${JSON.stringify(result)}`);
  return result.error;
}

/** The argument of the single command named `name` in a file that is `FROM x\n` + body. */
function arg(body: string, name = 'system'): string {
  const found = ok('FROM x\n' + body).filter((c) => c.name === name);
  assert.equal(found.length, 1, `one ${name} command`);
  return found[0].args;
}

const utf16le = (s: string): Uint8Array => new Uint8Array([0xff, 0xfe, ...Buffer.from(s, 'utf16le')]);
const utf16be = (s: string): Uint8Array => new Uint8Array([0xfe, 0xff, ...Buffer.from(s, 'utf16le').swap16()]);
const bytes = (...parts: Array<string | number[]>): Uint8Array =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'utf8')] : p)));

function span(s: Span | undefined): { text: string; range: [number, number, number, number] } {
  assert.ok(s, 'span present');
  const { start, end } = s.range;
  return { text: s.text, range: [start.line, start.character, end.line, end.character] };
}

// ---------------------------------------------------------------------------------------------------------------
// §1.1 Input decoding

test('decode: a UTF-8 byte-order mark is dropped', () => {
  const source = bytes([0xef, 0xbb, 0xbf], 'FROM x\nSYSTEM é\n');
  assert.equal(decodeModelfile(source), 'FROM x\nSYSTEM é\n');
  assert.deepEqual(ok(source), [
    { name: 'model', args: 'x' },
    { name: 'system', args: 'é' },
  ]);
  assert.equal(parseModelfile(source).text, 'FROM x\nSYSTEM é\n');
});

test('decode: UTF-16LE and UTF-16BE with byte-order marks', () => {
  const text = 'FROM x\nSYSTEM "é😀"\n';
  assert.equal(decodeModelfile(utf16le(text)), text);
  assert.equal(decodeModelfile(utf16be(text)), text);
  const expected = [
    { name: 'model', args: 'x' },
    { name: 'system', args: 'é😀' },
  ];
  assert.deepEqual(ok(utf16le(text)), expected);
  assert.deepEqual(ok(utf16be(text)), expected);
});

test('decode: UTF-16 unpaired surrogates and a trailing odd byte become U+FFFD', () => {
  // "a", lone high surrogate, "b", lone low surrogate, then a dangling byte.
  const le = new Uint8Array([0xff, 0xfe, 0x61, 0x00, 0x00, 0xd8, 0x62, 0x00, 0x00, 0xdc, 0x63]);
  assert.equal(decodeModelfile(le), 'a\ufffdb\ufffd\ufffd');
  const be = new Uint8Array([0xfe, 0xff, 0xd8, 0x3d, 0xde, 0x00, 0xd8, 0x3d]);
  assert.equal(decodeModelfile(be), '😀\ufffd');
});

test('decode: no byte-order mark means UTF-8; a second mark is an ordinary U+FEFF', () => {
  assert.equal(decodeModelfile(bytes('FROM x')), 'FROM x');
  const doubled = bytes([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], 'FROM x\n');
  assert.equal(decodeModelfile(doubled), '\ufeffFROM x\n');
  // U+FEFF starts the keyword but is not printable, so it is not stored: a valid FROM.
  assert.deepEqual(ok(doubled), [{ name: 'model', args: 'x' }]);
});

test('decode: invalid UTF-8 becomes one U+FFFD per byte that does not start a valid sequence (Go semantics)', () => {
  const cases: Array<[number[], string]> = [
    [[0xc3, 0x28], '\ufffd('], // bad continuation
    [[0xe2, 0x82], '\ufffd\ufffd'], // truncated 3-byte sequence (TextDecoder gives one U+FFFD)
    [[0xf0, 0x9f, 0x98], '\ufffd\ufffd\ufffd'], // truncated 4-byte sequence
    [[0xf0, 0x9f, 0x98, 0x41], '\ufffd\ufffd\ufffdA'],
    [[0xed, 0xa0, 0x80], '\ufffd\ufffd\ufffd'], // encoded surrogate
    [[0xc0, 0xaf], '\ufffd\ufffd'], // overlong
    [[0xe0, 0x80, 0xaf], '\ufffd\ufffd\ufffd'], // overlong
    [[0xf4, 0x90, 0x80, 0x80], '\ufffd\ufffd\ufffd\ufffd'], // above U+10FFFF
    [[0xff], '\ufffd'],
    [[0x80], '\ufffd'],
    [[0xf0, 0x9f, 0x98, 0x80], '😀'],
    [[0xef, 0xbb], '\ufffd\ufffd'], // an incomplete byte-order mark is not one
  ];
  for (const [input, expected] of cases) {
    assert.equal(decodeModelfile(new Uint8Array(input)), expected, JSON.stringify(input));
  }
  assert.equal(ok(bytes('FROM x\nSYSTEM a', [0xc3, 0x28], 'b\n'))[1].args, 'a\ufffd(b');
  assert.equal(ok(bytes('FROM x\nSYSTEM ', [0xe2, 0x82], '\n'))[1].args, '\ufffd\ufffd');
});

test('decode: matches the naive Go-style decoder on random bytes', () => {
  const prefixes = fc.constantFrom<number[]>([], [0xef, 0xbb, 0xbf], [0xff, 0xfe], [0xfe, 0xff]);
  const body = fc.array(
    fc.oneof(
      fc.integer({ min: 0, max: 255 }),
      fc.constantFrom(0xc3, 0xe2, 0xf0, 0xed, 0x80, 0xbf, 0x9f, 0xf4, 0x90, 0x0a, 0x22, 0x46),
    ),
    { maxLength: 60 },
  );
  fc.assert(
    fc.property(prefixes, body, (prefix, rest) => {
      const input = new Uint8Array([...prefix, ...rest]);
      assert.equal(decodeModelfile(input), refDecode(input));
    }),
    { numRuns: 3000 },
  );
});

// ---------------------------------------------------------------------------------------------------------------
// §1.2 State machine

test('quoting: double, triple, inner quotes, no escapes, single quotes are literal', () => {
  assert.equal(arg('SYSTEM "hello world"'), 'hello world');
  assert.equal(arg('SYSTEM """hello world"""'), 'hello world');
  assert.equal(arg('SYSTEM "say "hi" now"'), 'say "hi" now');
  assert.equal(arg('SYSTEM """a "b" c"""'), 'a "b" c');
  assert.equal(arg('SYSTEM "a\\"b"'), 'a\\"b');
  assert.equal(arg('SYSTEM a\\nb'), 'a\\nb');
  assert.equal(arg("SYSTEM 'single'"), "'single'");
  assert.equal(arg('SYSTEM ""'), '');
  assert.equal(arg('SYSTEM """"""'), '');
  assert.equal(arg('SYSTEM """""""'), '"');
  assert.equal(arg('SYSTEM """"a""""'), '"a"');
  // Only the start of the trimmed text decides the quotes: `" ""` opens a double-quoted value, not a triple one.
  assert.equal(arg('SYSTEM " "" x"""'), ' "" x""');
});

test('quoting: quoted values keep inner white space, bare values are trimmed, inner blanks are kept', () => {
  assert.equal(arg('SYSTEM "  x  "'), '  x  ');
  assert.equal(arg('SYSTEM    x   '), 'x');
  assert.equal(arg('SYSTEM a   b\tc'), 'a   b\tc');
  assert.equal(arg('SYSTEM \t "q" \t'), 'q');
  assert.deepEqual(ok('FROM   llama3.2  \n'), [{ name: 'model', args: 'llama3.2' }]);
});

test('quoting: an unclosed quote or a quote with text after it never closes and ends in unexpected EOF', () => {
  assert.equal(error('FROM x\nSYSTEM "abc\n'), 'unexpected EOF');
  assert.equal(error('FROM x\nSYSTEM """abc\n'), 'unexpected EOF');
  assert.equal(error('FROM x\nSYSTEM "a" b\n'), 'unexpected EOF');
  assert.equal(error('FROM x\nSYSTEM """a""" b\n'), 'unexpected EOF');
  assert.equal(error('FROM x\nSYSTEM """\n'), 'unexpected EOF');
  assert.equal(error('FROM x\nSYSTEM """"\n'), 'unexpected EOF');
  assert.equal(error('FROM x\nSYSTEM """""'), 'unexpected EOF');
  assert.equal(error('FROM x\nSYSTEM "'), 'unexpected EOF');
  // ...unless a later line happens to end with the quote: then everything in between is the value.
  assert.deepEqual(ok('FROM x\nSYSTEM "a" b\nPARAMETER stop "x"\n'), [
    { name: 'model', args: 'x' },
    { name: 'system', args: 'a" b\nPARAMETER stop "x' },
  ]);
});

test('multi-line values keep their LF and CRLF newlines raw', () => {
  assert.equal(arg('TEMPLATE """\nline1\nline2\n"""\n', 'template'), '\nline1\nline2\n');
  assert.equal(arg('SYSTEM "a\nb"\n'), 'a\nb');
  assert.deepEqual(ok('FROM x\r\nTEMPLATE """\r\nline1\r\n  line2\r\n"""\r\nSYSTEM y\r\n'), [
    { name: 'model', args: 'x' },
    { name: 'template', args: '\r\nline1\r\n  line2\r\n' },
    { name: 'system', args: 'y' },
  ]);
  // Lone CR counts as a newline too.
  assert.deepEqual(ok('FROM x\rSYSTEM """a\rb"""\r'), [
    { name: 'model', args: 'x' },
    { name: 'system', args: 'a\rb' },
  ]);
  // A line inside a multi-line value may start with # or a keyword: it is value text.
  assert.equal(arg('SYSTEM """\n# not a comment\nFROM y\n"""'), '\n# not a comment\nFROM y\n');
});

test('# starts a comment only where an instruction could start', () => {
  assert.deepEqual(ok('# a comment\n  # indented\nFROM foo # x\n#FROM bar\n'), [{ name: 'model', args: 'foo # x' }]);
  assert.equal(arg('SYSTEM #hash'), '#hash');
  const parsed = parseModelfile('# one\nFROM x\n\t# two\r\n#\n');
  assert.deepEqual(
    parsed.comments.map((c) => span(c.span)),
    [
      { text: '# one', range: [0, 0, 0, 5] },
      { text: '# two', range: [2, 1, 2, 6] },
      { text: '#', range: [3, 0, 3, 1] },
    ],
  );
});

test('empty values: one blank then a newline (or the end) is an empty argument; no blank is an error', () => {
  assert.equal(arg('SYSTEM \n'), '');
  assert.equal(arg('SYSTEM \t  \n'), '');
  assert.equal(arg('SYSTEM '), '');
  assert.deepEqual(ok('FROM x\nMESSAGE user \n')[1], { name: 'message', args: 'user: ' });
  assert.equal(error('FROM x\nSYSTEM\n'), `(line 3): ${INVALID_COMMAND}`);
  assert.equal(error('FROM x\r\nSYSTEM\r\n'), `(line 4): ${INVALID_COMMAND}`);
  assert.equal(error('FROM x\nSYSTEM'), 'unexpected EOF');
});

test('PARAMETER: the name is raw and case-preserving; a double blank gives an empty name', () => {
  assert.deepEqual(ok('FROM x\nPARAMETER temperature 0.7\nPARAMETER Temperature 1\nPARAMETER num_ctx\t4096\n').slice(1), [
    { name: 'temperature', args: '0.7' },
    { name: 'Temperature', args: '1' },
    { name: 'num_ctx', args: '4096' },
  ]);
  assert.deepEqual(ok('FROM x\nPARAMETER  temperature 1\n')[1], { name: '', args: 'temperature 1' });
  assert.deepEqual(ok('FROM x\nPARAMETER stop "<|end|>"\nPARAMETER stop """a b"""\n').slice(1), [
    { name: 'stop', args: '<|end|>' },
    { name: 'stop', args: 'a b' },
  ]);
  assert.deepEqual(ok('FROM x\nPARAMETER 9_x 1\n')[1], { name: '9_x', args: '1' });
});

test('keywords are case-insensitive and map to Ollama command names', () => {
  const source = [
    'from a',
    'FrOm b',
    'license l',
    'TEMPLATE t',
    'System s',
    'ADAPTER ./a',
    'draft ./d',
    'RENDERER r',
    'PARSER p',
    'REQUIRES 0.14.0',
    'message assistant hi',
    'PaRaMeTeR top_k 40',
  ].join('\n');
  assert.deepEqual(ok(source), [
    { name: 'model', args: 'a' },
    { name: 'model', args: 'b' },
    { name: 'license', args: 'l' },
    { name: 'template', args: 't' },
    { name: 'system', args: 's' },
    { name: 'adapter', args: './a' },
    { name: 'draft', args: './d' },
    { name: 'renderer', args: 'r' },
    { name: 'parser', args: 'p' },
    { name: 'requires', args: '0.14.0' },
    { name: 'message', args: 'assistant: hi' },
    { name: 'top_k', args: '40' },
  ]);
});

test('MESSAGE roles are case-sensitive and prefix the argument', () => {
  assert.deepEqual(ok('FROM x\nMESSAGE system be brief\nMESSAGE user "a: b"\nMESSAGE assistant """x\ny"""\n').slice(1), [
    { name: 'message', args: 'system: be brief' },
    { name: 'message', args: 'user: a: b' },
    { name: 'message', args: 'assistant: x\ny' },
  ]);
  assert.equal(error('FROM x\nMESSAGE User hi\n'), `(line 2): ${INVALID_ROLE}`);
  assert.equal(error('FROM x\nMESSAGE tool hi\n'), `(line 2): ${INVALID_ROLE}`);
  assert.equal(error('FROM x\nMESSAGE  user hi\n'), `(line 2): ${INVALID_ROLE}`);
  assert.equal(error('FROM x\r\nMESSAGE bob hi\r\n'), `(line 3): ${INVALID_ROLE}`);
});

// ---------------------------------------------------------------------------------------------------------------
// §1.3 Errors, with Ollama's line numbers

test('errors: invalid command texts and their (quirky) line numbers', () => {
  assert.equal(error('FOO bar\n'), `(line 1): ${INVALID_COMMAND}`);
  assert.equal(error('FROM x\nFOO bar\n'), `(line 2): ${INVALID_COMMAND}`);
  assert.equal(error('FROM x\r\nFOO bar\r\n'), `(line 3): ${INVALID_COMMAND}`);
  assert.equal(error('FROM x\n\n\nFOO bar\n'), `(line 4): ${INVALID_COMMAND}`);
  assert.equal(error('FROM x\r\n\r\nFOO bar\n'), `(line 5): ${INVALID_COMMAND}`);
  // Triggered by the newline itself: the counter has already moved on.
  assert.equal(error('FROM x\nFOO\n'), `(line 3): ${INVALID_COMMAND}`);
  assert.equal(error('FROM x\r\nFOO\r\n'), `(line 4): ${INVALID_COMMAND}`);
  // Bad characters inside the keyword.
  assert.equal(error('FR0M x\n'), `(line 1): ${INVALID_COMMAND}`);
  assert.equal(error('FROM:x\n'), `(line 1): ${INVALID_COMMAND}`);
  assert.equal(error('FROM\u00a0x\n'), `(line 1): ${INVALID_COMMAND}`);
  assert.equal(error('FROM x\n-SYSTEM y\n'), `(line 2): ${INVALID_COMMAND}`);
  assert.equal(error('FROM x\nSYSTEMy\n'), `(line 3): ${INVALID_COMMAND}`);
  // Multi-line values count their lines too.
  assert.equal(error('FROM x\nSYSTEM """a\nb\nc"""\nBAD x\n'), `(line 5): ${INVALID_COMMAND}`);
  // The first error wins.
  assert.equal(error('FOO\nMESSAGE bob x\n'), `(line 2): ${INVALID_COMMAND}`);
});

test('errors: bad characters in a parameter name or role give unexpected EOF with the partial name', () => {
  assert.equal(error('FROM x\nPARAMETER temp-x 1\n'), 'unexpected EOF: temp');
  assert.equal(error('FROM x\nPARAMETER temperature\n'), 'unexpected EOF: temperature');
  assert.equal(error('FROM x\nPARAMETER \n'), 'unexpected EOF: ');
  assert.equal(error('FROM x\nPARAMETER -1 1\n'), 'unexpected EOF: ');
  assert.equal(error('FROM x\nPARAMETER tëmp 1\n'), 'unexpected EOF: t');
  assert.equal(error('FROM x\nMESSAGE user\n'), 'unexpected EOF: user');
  assert.equal(error('FROM x\nMESSAGE us3r hi\n'), 'unexpected EOF: us');
  assert.equal(error('FROM x\nMESSAGE user: hi\n'), 'unexpected EOF: user');
});

test('errors: end of input inside a keyword, name, role or open quote', () => {
  assert.equal(error('FROM'), 'unexpected EOF');
  assert.equal(error('FROM x\nPARAMETER'), 'unexpected EOF');
  assert.equal(error('FROM x\nPARAMETER temperature'), 'unexpected EOF');
  assert.equal(error('FROM x\nPARAMETER '), 'unexpected EOF');
  assert.equal(error('FROM x\nMESSAGE user'), 'unexpected EOF');
  assert.equal(error('FROM x\nSYSTEM "abc'), 'unexpected EOF');
  assert.equal(error('FROM x\nSYSTEM """abc\n\n'), 'unexpected EOF');
  // Bare values at the end of input are complete.
  assert.deepEqual(ok('FROM x'), [{ name: 'model', args: 'x' }]);
  assert.deepEqual(ok('FROM x\n# c'), [{ name: 'model', args: 'x' }]);
});

test('errors: no FROM line', () => {
  assert.equal(error(''), 'no FROM line');
  assert.equal(error('\n\n  \n'), 'no FROM line');
  assert.equal(error('# FROM x\n'), 'no FROM line');
  assert.equal(error('SYSTEM x\nPARAMETER temperature 1\n'), 'no FROM line');
  assert.equal(error('PARAMETER from x\n'), 'no FROM line');
  // A syntax error comes first.
  assert.equal(error('SYSTEM "x\n'), 'unexpected EOF');
});

// ---------------------------------------------------------------------------------------------------------------
// Non-printable characters

test('non-printable characters: dropped from keywords and values, but they still start a keyword', () => {
  assert.deepEqual(ok('\u200bFROM x\n'), [{ name: 'model', args: 'x' }]);
  assert.deepEqual(ok('\u00a0FROM x\n'), [{ name: 'model', args: 'x' }]);
  assert.deepEqual(ok('\u0001from x\n'), [{ name: 'model', args: 'x' }]);
  assert.equal(error('\u200b FROM x\n'), `(line 1): ${INVALID_COMMAND}`);
  assert.equal(error('\u200b\n'), `(line 2): ${INVALID_COMMAND}`);
  assert.equal(error('F\u200bROM x\n'), `(line 1): ${INVALID_COMMAND}`);
  assert.equal(arg('SYSTEM a\u200bb\u00adc\u00a0d\u0001e\u3000f\ufeffg\u2028h'), 'abcdefgh');
  assert.equal(arg('SYSTEM \u200b"x"\u00a0'), 'x');
  assert.equal(arg('SYSTEM "\u00a0x\u00a0"'), 'x');
  assert.equal(arg('SYSTEM ""\u200b"a"""'), 'a');
  assert.equal(arg('SYSTEM a\tb'), 'a\tb');
  assert.equal(arg('SYSTEM é😀\u0301'), 'é😀\u0301');
  assert.deepEqual(ok('FROM x\u200b\n'), [{ name: 'model', args: 'x' }]);
  assert.deepEqual(ok('FROM x\nPARAMETER stop \u200b\n')[1], { name: 'stop', args: '' });
  assert.equal(isGoPrintable(0x20), true);
  assert.equal(isGoPrintable(0x09), false);
  assert.equal(isGoPrintable(0xa0), false);
  assert.equal(isGoPrintable(0x200b), false);
  assert.equal(isGoPrintable(0xfffd), true);
  assert.equal(isGoPrintable(0x0301), true);
  assert.equal(isGoPrintable(0xe000), false);
  assert.equal(isGoPrintable(0x1f600), true);
});

test('string input: a leading U+FEFF is a byte-order mark; offsets refer to the given string', () => {
  const source = '\ufeffFROM x\nSYSTEM y\n';
  const parsed = parseModelfile(source);
  assert.equal(parsed.text, source);
  assert.deepEqual(parsed.ollama, {
    ok: true,
    commands: [
      { name: 'model', args: 'x' },
      { name: 'system', args: 'y' },
    ],
  });
  assert.deepEqual(span(parsed.instructions[0].keyword), { text: 'FROM', range: [0, 1, 0, 5] });
  assert.equal(parsed.instructions[0].keyword.start, 1);
  // A lone surrogate in the editor's text is saved as U+FFFD.
  assert.equal(arg('SYSTEM a\ud800b'), 'a\ufffdb');
});

// ---------------------------------------------------------------------------------------------------------------
// Syntax tree

test('tree: keyword, parameter, role, value and content spans with UTF-16 positions', () => {
  const source = [
    'FROM llama3.2', //                               line 0
    '# comment', //                                   line 1
    'PARAMETER  temperature 0.7', //                  line 2 (double blank: empty name)
    'MESSAGE user 😀 "hi"', //                        line 3 (astral emoji inside the value)
    'SYSTEM "😀" after', //                           line 4 (text after the quote...)
    'more"', //                                       line 5 (...closed by this line)
    'TEMPLATE """😀 {{ .Prompt }}"""  ', //           line 6
    'parameter stop <end>',
  ].join('\n');
  const parsed = parseModelfile(source);
  assert.ok(parsed.ollama.ok);
  const [from, parameter, message, system, template, stop] = parsed.instructions;

  assert.deepEqual(span(from.keyword), { text: 'FROM', range: [0, 0, 0, 4] });
  assert.equal(from.name, 'from');
  assert.deepEqual(span(from.value?.span), { text: 'llama3.2', range: [0, 5, 0, 13] });
  assert.deepEqual(span(from.value?.content), { text: 'llama3.2', range: [0, 5, 0, 13] });
  assert.equal(from.value?.quote, 'none');
  assert.deepEqual(from.command, { name: 'model', args: 'llama3.2' });
  assert.deepEqual(from.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 13 } });

  assert.deepEqual(span(parameter.parameter), { text: '', range: [2, 10, 2, 10] });
  assert.deepEqual(span(parameter.value?.span), { text: 'temperature 0.7', range: [2, 11, 2, 26] });
  assert.deepEqual(parameter.command, { name: '', args: 'temperature 0.7' });

  assert.deepEqual(span(message.role), { text: 'user', range: [3, 8, 3, 12] });
  assert.deepEqual(span(message.value?.content), { text: '😀 "hi"', range: [3, 13, 3, 20] });
  assert.equal(message.value?.quote, 'none');
  assert.equal(message.value?.value, '😀 "hi"');
  assert.deepEqual(message.command, { name: 'message', args: 'user: 😀 "hi"' });

  assert.equal(system.value?.quote, 'double');
  assert.equal(system.value?.complete, true);
  assert.deepEqual(span(system.value?.span), { text: '"😀" after\nmore"', range: [4, 7, 5, 5] });
  assert.deepEqual(span(system.value?.content), { text: '😀" after\nmore', range: [4, 8, 5, 4] });
  assert.deepEqual(span(system.value?.textAfterQuote), { text: 'after', range: [4, 12, 4, 17] });
  assert.deepEqual(system.range, { start: { line: 4, character: 0 }, end: { line: 5, character: 5 } });

  assert.equal(template.value?.quote, 'triple');
  assert.deepEqual(span(template.value?.span), { text: '"""😀 {{ .Prompt }}"""  ', range: [6, 9, 6, 33] });
  assert.deepEqual(span(template.value?.content), { text: '😀 {{ .Prompt }}', range: [6, 12, 6, 28] });
  assert.equal(template.value?.textAfterQuote, undefined);
  assert.equal(template.end, source.indexOf('\nparameter'));

  assert.equal(stop.name, 'parameter');
  assert.deepEqual(span(stop.keyword), { text: 'parameter', range: [7, 0, 7, 9] });
  assert.deepEqual(span(stop.parameter), { text: 'stop', range: [7, 10, 7, 14] });
  assert.deepEqual(stop.command, { name: 'stop', args: '<end>' });

  assert.deepEqual(parsed.comments.map((c) => span(c.span)), [{ text: '# comment', range: [1, 0, 1, 9] }]);
  assert.deepEqual(parsed.problems, []);
  assert.deepEqual(
    parsed.instructions.map((i) => i.command),
    parsed.ollama.ok ? parsed.ollama.commands : [],
  );
});

test('tree: CRLF values end before the CR; JSON output carries ranges', () => {
  const parsed = parseModelfile('FROM x\r\nSYSTEM """a\r\nb"""\r\n');
  const system = parsed.instructions[1];
  assert.deepEqual(span(system.value?.span), { text: '"""a\r\nb"""', range: [1, 7, 2, 4] });
  assert.deepEqual(span(system.value?.content), { text: 'a\r\nb', range: [1, 10, 2, 1] });
  const json = JSON.parse(JSON.stringify(parsed)) as ParsedModelfile;
  assert.deepEqual(json.instructions[1].range, { start: { line: 1, character: 0 }, end: { line: 2, character: 4 } });
  assert.deepEqual(json.instructions[1].keyword.range, { start: { line: 1, character: 0 }, end: { line: 1, character: 6 } });
});

test('recovery: three problems in one file, each with its range, and parsing goes on after each', () => {
  const source = ['FROM x', 'FORM y', 'PARAMETER temperature', 'MESSAGE User hi', 'SYSTEM fine', ''].join('\n');
  const parsed = parseModelfile(source);
  assert.deepEqual(parsed.ollama, { ok: false, error: `(line 2): ${INVALID_COMMAND}` });
  assert.deepEqual(
    parsed.problems.map((p) => [p.kind, p.ollamaMessage, [p.range.start.line, p.range.start.character, p.range.end.line, p.range.end.character]]),
    [
      ['invalid-command', `(line 2): ${INVALID_COMMAND}`, [1, 0, 1, 4]],
      ['invalid-name-character', 'unexpected EOF: temperature', [2, 10, 2, 21]],
      ['invalid-role', `(line 4): ${INVALID_ROLE}`, [3, 8, 3, 12]],
    ],
  );
  assert.match(parsed.problems[0].message, /Unknown instruction "FORM"\. Did you mean FROM\?/);
  assert.match(parsed.problems[1].message, /PARAMETER temperature has no value/);
  assert.match(parsed.problems[2].message, /case-sensitive: write "user"/);
  const last = parsed.instructions[parsed.instructions.length - 1];
  assert.deepEqual(last.command, { name: 'system', args: 'fine' });
  assert.equal(parsed.instructions.length, 5);
  assert.equal(parsed.instructions[1].name, undefined);
  assert.equal(parsed.instructions[2].value, undefined);
});

test('recovery: an unclosed quote is reported on its line, and the following lines are still analysed', () => {
  const source = 'FROM x\nSYSTEM "abc\nPARAMETER temperature 1\nFOO\nTEMPLATE """t\n';
  const parsed = parseModelfile(source);
  assert.deepEqual(parsed.ollama, { ok: false, error: 'unexpected EOF' });
  const kinds = parsed.problems.map((p) => [p.kind, p.range.start.line, p.range.start.character, p.range.end.line, p.range.end.character]);
  assert.deepEqual(kinds, [
    ['unclosed-quote', 1, 7, 1, 11],
    ['invalid-command', 3, 0, 3, 3],
    ['unclosed-quote', 4, 9, 4, 13],
  ]);
  assert.match(parsed.problems[0].message, /Unclosed ": .*reads the rest of the file/);
  assert.equal(parsed.problems[2].ollamaMessage, 'unexpected EOF');
  assert.equal(parsed.problems[1].ollamaMessage, `(line 5): ${INVALID_COMMAND}`);
  const system = parsed.instructions[1];
  assert.equal(system.value?.complete, false);
  assert.deepEqual(span(system.value?.span), { text: '"abc', range: [1, 7, 1, 11] });
  assert.equal(system.command, undefined);
  assert.deepEqual(parsed.instructions[2].command, { name: 'temperature', args: '1' });
});

test('recovery: text after a closing quote is its own problem kind, pointing at the stray text', () => {
  const parsed = parseModelfile('FROM x\nSYSTEM "You are "Bob" the builder\nPARAMETER top_k 1\n');
  assert.deepEqual(parsed.ollama, { ok: false, error: 'unexpected EOF' });
  assert.equal(parsed.problems.length, 1);
  const [problem] = parsed.problems;
  assert.equal(problem.kind, 'text-after-quote');
  assert.deepEqual(problem.range, { start: { line: 1, character: 17 }, end: { line: 1, character: 33 } });
  assert.match(problem.message, /^Text after the closing ": .*reads the following lines into this value/);
  assert.deepEqual(parsed.instructions[2].command, { name: 'top_k', args: '1' });
});

test('recovery: problem messages for each kind say what is wrong and what to do', () => {
  const message = (source: string): string => parseModelfile(source).problems[0].message;
  assert.match(message('FROM x\nSYSTEM\n'), /SYSTEM must be followed by a space and its value.*SYSTEM ""/);
  assert.match(message('FROM x\nTEMPLTE y\n'), /Did you mean TEMPLATE\?/);
  assert.match(message('FROM\u00a0x\n'), /Expected a space or tab after FROM, found a no-break space \(U\+00A0\)\. Replace it with a normal space\./);
  assert.match(message('\u200b FROM x\n'), /zero-width space \(U\+200B\) starts this line/i);
  assert.match(message('FROM x\nPARAMETER temp-x 1\n'), /Unexpected "-" in the parameter name "temp"/);
  assert.match(message('FROM x\nMESSAGE bob hi\n'), /Unknown message role "bob": use system, user or assistant/);
  assert.match(message('FROM x\nSYSTEM """abc\n'), /Unclosed """/);
  assert.match(message('FROM x\nSYSTEM'), /file ends right after SYSTEM/);
  assert.match(message('SYSTEM x\n'), /No FROM instruction/);
  const noFrom = parseModelfile('# c\nSYSTEM x\n').problems;
  assert.equal(noFrom.length, 1);
  assert.equal(noFrom[0].kind, 'no-from');
  assert.equal(noFrom[0].ollamaMessage, 'no FROM line');
  // A broken FROM line is still a FROM line: no second problem.
  assert.deepEqual(parseModelfile('FROM\n').problems.map((p) => p.kind), ['invalid-command']);
});

test('recovery: many unclosed quotes stay linear (no re-reading the rest of the file for each)', () => {
  const source = 'FROM x\n' + 'SYSTEM "a\nTEMPLATE """b\n'.repeat(20_000);
  const parsed = parseModelfile(source);
  assert.deepEqual(parsed.ollama, { ok: false, error: 'unexpected EOF' });
  assert.equal(parsed.problems.length, 40_000);
  assert.ok(parsed.problems.every((p) => p.kind === 'unclosed-quote'));
  assert.equal(parsed.problems[39_999].range.start.line, 40_000);
});

// ---------------------------------------------------------------------------------------------------------------
// Tree invariants and properties

const tokens = [
  'FROM', 'from', 'SYSTEM', 'TEMPLATE', 'PARAMETER', 'parameter', 'MESSAGE', 'LICENSE', 'ADAPTER', 'REQUIRES', 'FORM',
  'user', 'assistant', 'system', 'User', 'temperature', 'stop', 'num_ctx', 'x', 'llama3.2', '0.7', '1',
  ' ', ' ', ' ', '  ', '\t', '\n', '\n', '\n', '\r\n', '\r', '#', '"', '"', '"""', "'", ':', '-', '_', '9', 'é', '😀',
  '\u200b', '\u00a0', '\u0001', '\ufeff', '\ufffd', '\u0085', '\u3000', '\ud800', '\u{e0001}', '\u2028', '\\',
];
const modelfileLike = fc.array(fc.constantFrom(...tokens), { maxLength: 40 }).map((parts) => parts.join(''));
// Dense in quotes, blanks and newlines: the cases where completeness of a quoted value is decided.
const quoteHeavy = fc
  .array(fc.constantFrom('"', '"', '"', '"""', ' ', '\t', '\n', '\r\n', 'x', '\u200b', '\u00a0', 'SYSTEM ', '\nSYSTEM ', 'MESSAGE user '), {
    maxLength: 30,
  })
  .map((parts) => 'FROM x\nSYSTEM ' + parts.join(''));
const modelfileLines = fc
  .array(
    fc.oneof(
      fc.constantFrom('FROM x', 'SYSTEM "a', 'SYSTEM a"', 'SYSTEM """', '"""', '"', 'TEMPLATE """x""" y', 'MESSAGE user "hi"', '# c', ''),
      modelfileLike,
    ),
    { maxLength: 12 },
  )
  .map((lines) => lines.join('\n'));

/** Naive state Value from the start of `rest`: does unquote(trim(buffer)) complete at some newline or at the end? */
function refValueCloses(rest: string): boolean {
  let b = '';
  for (const ch of rest) {
    const r = ch.codePointAt(0) as number;
    if (isNewline(r)) {
      if (refUnquote(refTrimSpace(b))[1]) return true;
      b += ch;
    } else if (isBlank(r)) {
      b += ch;
    } else if (refIsPrint(r >= 0xd800 && r <= 0xdfff ? 0xfffd : r)) {
      b += ch;
    }
  }
  return refUnquote(refTrimSpace(b))[1];
}

function checkTree(source: string | Uint8Array): void {
  const parsed = parseModelfile(source);
  const { text, lineStarts } = parsed;
  const checkSpan = (s: Span): void => {
    assert.equal(s.text, text.slice(s.start, s.end));
    assert.deepEqual(s.range, { start: positionAt(lineStarts, s.start), end: positionAt(lineStarts, s.end) });
  };
  let previousEnd = 0;
  const items: Array<{ start: number; end: number }> = [
    ...parsed.instructions,
    ...parsed.comments.map((c) => c.span),
  ].sort((a, b) => a.start - b.start);
  for (const item of items) {
    assert.ok(item.start >= previousEnd, 'instructions and comments do not overlap');
    assert.ok(item.end >= item.start);
    previousEnd = item.end;
  }
  for (const instruction of parsed.instructions) {
    checkInstruction(instruction, checkSpan, text);
  }
  for (const comment of parsed.comments) checkSpan(comment.span);
  if (parsed.ollama.ok) {
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(
      parsed.instructions.map((i) => i.command),
      parsed.ollama.commands,
    );
  } else {
    assert.ok(parsed.problems.length > 0);
    assert.equal(parsed.problems[0].ollamaMessage, parsed.ollama.error);
  }
}

function checkInstruction(instruction: InstructionSyntax, checkSpan: (s: Span) => void, text: string): void {
  checkSpan(instruction.keyword);
  assert.equal(instruction.keyword.start, instruction.start);
  if (instruction.parameter) checkSpan(instruction.parameter);
  if (instruction.role) checkSpan(instruction.role);
  const value = instruction.value;
  if (value) {
    checkSpan(value.span);
    checkSpan(value.content);
    if (value.textAfterQuote) checkSpan(value.textAfterQuote);
    assert.ok(value.content.start >= value.span.start && value.content.end <= value.span.end);
    assert.equal(value.span.end, instruction.end);
    if (value.complete) assert.ok(instruction.command);
    else assert.equal(refValueCloses(text.slice(value.span.start)), false, 'a value marked unclosed never closes');
  }
}

test('property: the parser never throws, on random strings and random bytes', () => {
  fc.assert(
    fc.property(fc.oneof(modelfileLike, modelfileLines, fc.fullUnicodeString({ maxLength: 80 }), fc.string16bits({ maxLength: 80 })), (source) => {
      const parsed = parseModelfile(source);
      assert.equal(typeof parsed.ollama.ok, 'boolean');
    }),
    { numRuns: 3000 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (source) => {
      const parsed = parseModelfile(source);
      assert.equal(typeof parsed.ollama.ok, 'boolean');
    }),
    { numRuns: 2000 },
  );
});

test('property: Ollama outcome equals the naive reference transcription of the Go parser', () => {
  fc.assert(
    fc.property(fc.oneof(modelfileLike, modelfileLines, quoteHeavy), (source) => {
      assert.deepEqual(parseModelfile(source).ollama, referenceParse(source));
    }),
    { numRuns: 30_000 },
  );
  fc.assert(
    fc.property(fc.oneof(fc.fullUnicodeString({ maxLength: 60 }), fc.string16bits({ maxLength: 60 })), (body) => {
      const source = 'FROM x\n' + body;
      assert.deepEqual(parseModelfile(source).ollama, referenceParse(source));
    }),
    { numRuns: 3000 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 120 }), (body) => {
      const source = new Uint8Array([...Buffer.from('FROM x\n'), ...body]);
      assert.deepEqual(parseModelfile(source).ollama, referenceParse(source));
    }),
    { numRuns: 3000 },
  );
});

test('property: tree invariants (spans match the text, ranges match positionAt, no overlaps, outcome agrees)', () => {
  fc.assert(
    fc.property(fc.oneof(modelfileLike, modelfileLines, quoteHeavy, fc.fullUnicodeString({ maxLength: 60 })), (source) => checkTree(source)),
    { numRuns: 5000 },
  );
});

test('big input: 50 MB files parse without crashing (many instructions, one huge value, many unclosed quotes)', () => {
  const many = 'FROM x\n' + 'PARAMETER stop "abc"\n'.repeat(2_500_000);
  const parsedMany = parseModelfile(many);
  assert.ok(parsedMany.ollama.ok);
  assert.equal(parsedMany.instructions.length, 2_500_001);
  assert.deepEqual(parsedMany.instructions[2_500_000].command, { name: 'stop', args: 'abc' });

  const huge = 'FROM x\nTEMPLATE """' + '{{ .Prompt }} and some text\n'.repeat(1_800_000) + '"""\n';
  const parsedHuge = parseModelfile(Buffer.from(huge));
  assert.ok(parsedHuge.ollama.ok);
  assert.equal(parsedHuge.instructions[1].value?.value.length, huge.length - 'FROM x\nTEMPLATE """'.length - 4);

  const unclosed = 'FROM x\n' + `SYSTEM "open ${'x'.repeat(100)}\n`.repeat(450_000);
  const parsedUnclosed = parseModelfile(unclosed);
  assert.deepEqual(parsedUnclosed.ollama, { ok: false, error: 'unexpected EOF' });
  assert.equal(parsedUnclosed.problems.length, 450_000);
});
