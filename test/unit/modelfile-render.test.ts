// Tests of canonical Modelfile rendering (spec §1.7) and of the round-trip hazard check, including the property that
// every command list the check calls safe comes back unchanged from render → parse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  commandRoundTripHazard,
  parseModelfile,
  quoteValue,
  renderCommand,
  renderModelfile,
  roundTripHazard,
  type OllamaCommand,
} from '../../core/modelfile';

test('quoteValue: bare unless there is a line feed or a leading/trailing space; """ when the value has "', () => {
  assert.equal(quoteValue('llama3.2'), 'llama3.2');
  assert.equal(quoteValue(''), '');
  assert.equal(quoteValue('a b'), 'a b');
  assert.equal(quoteValue('say "hi"'), 'say "hi"');
  assert.equal(quoteValue('a\nb'), '"a\nb"');
  assert.equal(quoteValue(' x'), '" x"');
  assert.equal(quoteValue('x '), '"x "');
  assert.equal(quoteValue(' '), '" "');
  assert.equal(quoteValue('say "hi"\n'), '"""say "hi"\n"""');
  assert.equal(quoteValue(' "x"'), '""" "x""""');
  // A tab or a lone CR does not trigger quoting.
  assert.equal(quoteValue('\tx'), '\tx');
  assert.equal(quoteValue('a\rb'), 'a\rb');
});

test('renderCommand: FROM is never quoted, known instructions are upper-cased, MESSAGE splits its role, the rest is PARAMETER', () => {
  assert.equal(renderCommand({ name: 'model', args: 'llama3.2' }), 'FROM llama3.2');
  assert.equal(renderCommand({ name: 'model', args: ' /path with space ' }), 'FROM  /path with space ');
  for (const name of ['license', 'template', 'system', 'adapter', 'renderer', 'parser', 'requires', 'draft']) {
    assert.equal(renderCommand({ name, args: 'v' }), `${name.toUpperCase()} v`);
    assert.equal(renderCommand({ name, args: 'a\nb' }), `${name.toUpperCase()} "a\nb"`);
  }
  assert.equal(renderCommand({ name: 'system', args: 'You are "Bob".\nBe nice.' }), 'SYSTEM """You are "Bob".\nBe nice."""');
  assert.equal(renderCommand({ name: 'message', args: 'user: hello: world' }), 'MESSAGE user hello: world');
  assert.equal(renderCommand({ name: 'message', args: 'assistant:  two spaces' }), 'MESSAGE assistant " two spaces"');
  assert.equal(renderCommand({ name: 'message', args: 'user' }), 'MESSAGE user ');
  assert.equal(renderCommand({ name: 'temperature', args: '0.7' }), 'PARAMETER temperature 0.7');
  assert.equal(renderCommand({ name: 'stop', args: ' <|end|>' }), 'PARAMETER stop " <|end|>"');
  assert.equal(renderCommand({ name: 'Model', args: 'x' }), 'PARAMETER Model x');
  assert.equal(renderCommand({ name: '', args: 'x' }), 'PARAMETER  x');
});

test('renderModelfile: every command followed by a newline', () => {
  assert.equal(renderModelfile([]), '');
  assert.equal(
    renderModelfile([
      { name: 'model', args: 'x' },
      { name: 'template', args: '{{ .Prompt }}' },
      { name: 'stop', args: '<end>' },
    ]),
    'FROM x\nTEMPLATE {{ .Prompt }}\nPARAMETER stop <end>\n',
  );
});

test('roundTripHazard: values that do not survive render → parse', () => {
  assert.equal(roundTripHazard('plain text'), undefined);
  assert.equal(roundTripHazard(''), undefined);
  assert.equal(roundTripHazard('multi\nline with "quotes"'), undefined);
  assert.equal(roundTripHazard('a """ b\nc'), undefined);
  assert.equal(roundTripHazard('a\r\nb'), undefined);
  assert.equal(roundTripHazard('  spaced  '), undefined);
  assert.equal(roundTripHazard('say "hi" now'), undefined);

  assert.match(roundTripHazard('"quoted"') ?? '', /starts and ends with a double quote.*strips the quotes/);
  assert.match(roundTripHazard('"open') ?? '', /starts with a double quote.*opening quote/);
  assert.match(roundTripHazard('\tindented') ?? '', /starts with a tab/);
  assert.match(roundTripHazard('trailing\t') ?? '', /ends with a tab/);
  assert.match(roundTripHazard('a\rb') ?? '', /carriage return/);
  assert.match(roundTripHazard('no\u00a0break') ?? '', /no-break space \(U\+00A0\).*drops/);
  assert.match(roundTripHazard('zero\u200bwidth\n') ?? '', /zero-width space/);
  assert.match(roundTripHazard('bell\u0007') ?? '', /control character \(U\+0007\)/);
  assert.match(roundTripHazard('ends with """\nand more') ?? '', /""" at the end of a line/);
  assert.match(roundTripHazard('x"""  \r\ny') ?? '', /""" at the end of a line/);

  // FROM is never quoted: surrounding spaces and line breaks are hazards there only.
  assert.equal(roundTripHazard(' x'), undefined);
  assert.match(roundTripHazard(' x', 'model') ?? '', /starts with a space/);
  assert.match(roundTripHazard('x\ny', 'model') ?? '', /line break/);
  assert.equal(roundTripHazard('llama3.2', 'model'), undefined);
});

test('commandRoundTripHazard: names and roles that cannot be written back', () => {
  assert.equal(commandRoundTripHazard({ name: 'temperature', args: '1' }), undefined);
  assert.equal(commandRoundTripHazard({ name: 'message', args: 'user: hi' }), undefined);
  assert.match(commandRoundTripHazard({ name: 'message', args: 'hi' }) ?? '', /<role>: <text>/);
  assert.match(commandRoundTripHazard({ name: 'message', args: 'User: hi' }) ?? '', /role "User"/);
  assert.match(commandRoundTripHazard({ name: 'top-k', args: '1' }) ?? '', /parameter name "top-k"/);
  assert.match(commandRoundTripHazard({ name: 'system', args: '"x"' }) ?? '', /double quote/);
});

test('the hazard cases really do not survive render → parse', () => {
  const survives = (command: OllamaCommand): boolean => {
    const result = parseModelfile(renderModelfile([{ name: 'model', args: 'x' }, command])).ollama;
    return result.ok && result.commands.length === 2 && result.commands[1].name === command.name && result.commands[1].args === command.args;
  };
  for (const args of ['"quoted"', '"open', '\tindented', 'a\rb', 'no\u00a0break', 'ends with """\nand more']) {
    assert.equal(survives({ name: 'system', args }), false, JSON.stringify(args));
  }
  assert.equal(survives({ name: 'model', args: ' x' }), false);
});

const printable = fc.constantFrom(
  'a', 'b', 'Z', '0', '_', '-', ':', '#', '{', '}', 'é', '😀', '\u0301', '"', '"', "'", '\\', ' ', ' ', '\t', '\n', '\r\n', '\r', '"""',
);
const valueArb = fc.array(printable, { maxLength: 16 }).map((parts) => parts.join(''));
const commandArb: fc.Arbitrary<OllamaCommand> = fc.oneof(
  fc.record({
    name: fc.constantFrom('model', 'license', 'template', 'system', 'adapter', 'renderer', 'parser', 'requires', 'draft'),
    args: valueArb,
  }),
  fc
    .record({ role: fc.constantFrom('system', 'user', 'assistant', 'User'), content: valueArb })
    .map(({ role, content }) => ({ name: 'message', args: `${role}: ${content}` })),
  fc.record({
    name: fc.oneof(
      fc.constantFrom('temperature', 'stop', 'num_ctx', 'Temperature', 'from', 'MODEL', 'System', '', 'top-k'),
      fc.stringOf(fc.constantFrom('a', 'Z', '0', '_'), { maxLength: 6 }),
    ),
    args: valueArb,
  }),
);

test('property: command lists the hazard check calls safe come back unchanged from render → parse', () => {
  let checked = 0;
  fc.assert(
    fc.property(fc.array(commandArb, { maxLength: 8 }), (rest) => {
      const commands = [{ name: 'model', args: 'base' }, ...rest];
      if (commands.some((command) => commandRoundTripHazard(command) !== undefined)) return;
      checked++;
      const result = parseModelfile(renderModelfile(commands)).ollama;
      assert.deepEqual(result, { ok: true, commands });
    }),
    { numRuns: 5000 },
  );
  assert.ok(checked > 1000, `enough safe samples (${checked})`);
});

test('property: a single value the hazard check calls safe round-trips as SYSTEM and as PARAMETER', () => {
  fc.assert(
    fc.property(valueArb, (value) => {
      if (roundTripHazard(value) !== undefined) return;
      for (const name of ['system', 'stop']) {
        const result = parseModelfile(`FROM x\n${renderCommand({ name, args: value })}`).ollama;
        assert.deepEqual(result, { ok: true, commands: [{ name: 'model', args: 'x' }, { name, args: value }] });
      }
    }),
    { numRuns: 5000 },
  );
});
