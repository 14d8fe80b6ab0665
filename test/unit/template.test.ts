// Unit tests for the TEMPLATE checker (core/modelfile/template*.ts): what Go's text/template parser accepts and
// rejects (with Go's wording and exact ranges), warnings for actions that always fail, depth and size limits,
// fast-check properties, the editor scanner, Ollama's capabilities, and the catalog.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  analyzeTemplate,
  checkTemplate,
  scanTemplate,
  templateCapabilities,
  templateContextAt,
  type TemplateProblem,
} from '../../core/modelfile/template';
import {
  TEMPLATE_DATA,
  TEMPLATE_FUNCTIONS,
  TEMPLATE_FUNCTION_NAMES,
  TEMPLATE_KEYWORDS,
  templateField,
  templateFunction,
} from '../../core/modelfile/template-catalog';

const root = process.env.MODELFILE_STUDIO_ROOT ?? process.cwd();
const fixtures = join(root, 'test', 'unit', 'fixtures', 'templates');

function errors(source: string): TemplateProblem[] {
  return checkTemplate(source).filter((p) => p.severity === 'error');
}

/** The single error Go would report for `source`. */
function goError(source: string): TemplateProblem {
  const found = errors(source);
  assert.equal(found.length, 1, `expected one error for ${JSON.stringify(source)}, got ${JSON.stringify(found)}`);
  return found[0] as TemplateProblem;
}

function assertClean(source: string): void {
  assert.deepEqual(checkTemplate(source), [], `expected no problems for ${JSON.stringify(source)}`);
}

describe('checkTemplate: templates Go accepts', () => {
  const files = readdirSync(fixtures).filter((f) => f.endsWith('.gotmpl'));

  it('has fixtures to check', () => {
    assert.ok(files.length >= 5);
  });

  for (const file of files) {
    it(`fixture ${file} has no problems`, () => {
      assertClean(readFileSync(join(fixtures, file), 'utf8'));
    });
  }

  const accepted: Array<[string, string]> = [
    ['empty', ''],
    ['plain text', 'Hello, world\n'],
    ['text with single braces', 'a { b } c }} d'],
    ['field', '{{ .Prompt }}'],
    ['chained fields', '{{ .Function.Parameters.Properties }}'],
    ['dot', '{{ . }}'],
    ['root variable', '{{ $ }}{{ $.Tools }}{{ $.Messages }}'],
    ['declaration and use', '{{ $x := .System }}{{ $x }}'],
    ['declaration without spaces', '{{$x:=.System}}{{$x}}'],
    ['assignment to a declared variable', '{{ $x := "" }}{{ $x = .Prompt }}{{ $x }}'],
    ['variable with fields', '{{ $m := index .Messages 0 }}{{ $m.Role }}{{ $m.Function.Name }}'],
    ['field of a parenthesised pipeline', '{{ (index .Messages 0).Content }}'],
    ['field of a function result', '{{ json.Foo }}'],
    ['pipeline', '{{ .Content | printf "%q" | print }}'],
    ['literal first in a pipeline', '{{ 3 | printf "%d" }}'],
    ['parenthesised arguments', '{{ eq (len (slice $.Messages 1)) 1 }}'],
    ['declaration in parentheses', '{{ ($y := 1) }}{{ $y }}'],
    ['trailing pipe (Go accepts it)', '{{ .X | }}'],
    ['newline inside an action', '{{ if\n  eq .Role\n  "user" }}x{{\nend\n}}'],
    ['CRLF and tabs inside an action', '{{\t.X\r\n}}'],
    ['trim markers', 'a  {{- .X -}}  b {{- if .Y }} c {{- else -}} d {{- end -}}'],
    ['trim marker with a newline after it', 'a\n{{-\n.X\n-}}\nb'],
    ['negative number, not a trim marker', '{{-3}}{{ printf "%d" -3 }}'],
    ['number before a trim marker', '{{ 3 -}}'],
    ['comment', '{{/* a comment */}}'],
    ['comment with trim markers', 'a {{- /* note */ -}} b'],
    ['multi-line comment containing braces', '{{/* {{ if }} \n }} */}}'],
    ['strings with escapes', '{{ printf "%s\\n\\t\\"\\\\ \\x41 \\101 \\u00e9 \\U0001F600" "" }}'],
    ['raw string across lines', '{{ print `line 1\nline "2" }}\n` }}'],
    ['character constants', "{{ print 'a' '\\n' '\\'' '\\x41' '\\u00e9' 'é' '😀' }}"],
    ['integers in every base', '{{ print 42 -7 +7 0 0x2A 0X2a 0o52 0O52 052 0b101010 1_000 0x_2A }}'],
    ['floats', '{{ print 1.5 .5 5. 1e3 1E-3 1_0.5e+1_0 0x1p-2 0x1.8P3 }}'],
    ['imaginary and complex constants', '{{ print 1i 2.5i 1+2i 1.5-2i }}'],
    ['booleans and nil', '{{ print true false nil }}'],
    ['every known function', `{{ print ${[...TEMPLATE_FUNCTION_NAMES].map((n) => `(${n})`).join(' ')} }}`],
    ['if / else if / else', '{{ if .A }}a{{ else if .B }}b{{ else if .C }}c{{ else }}d{{ end }}'],
    ['if with a declaration seen in else', '{{ if $x := .A }}{{ $x }}{{ else }}{{ $x }}{{ end }}'],
    ['range', '{{ range .Messages }}{{ .Role }}{{ end }}'],
    ['range with one variable', '{{ range $m := .Messages }}{{ $m.Role }}{{ end }}'],
    ['range with two variables', '{{ range $i, $_ := .Messages }}{{ $i }}{{ $_.Content }}{{ end }}'],
    ['range assignment to declared variables', '{{ $i := 0 }}{{ range $i = .Messages }}{{ end }}'],
    ['range with else', '{{ range .Tools }}t{{ else }}none{{ end }}'],
    ['break and continue in range', '{{ range .Messages }}{{ if .X }}{{ break }}{{ end }}{{ continue }}{{ end }}'],
    ['break inside with inside range', '{{ range . }}{{ with .X }}{{ break }}{{ end }}{{ end }}'],
    ['with / else with / else', '{{ with .A }}{{ . }}{{ else with .B }}{{ . }}{{ else }}none{{ end }}'],
    ['define and template', '{{ define "x" }}[{{ . }}]{{ end }}{{ template "x" .Prompt }}{{ template `x` }}'],
    ['define after its use', '{{ template "later" . }}{{ define "later" }}ok{{ end }}'],
    ['block', '{{ block "body" . }}{{ .Prompt }}{{ end }}'],
    ['block inside if', '{{ if .X }}{{ block "b" . }}x{{ end }}{{ end }}'],
    ['an empty define may be redefined', '{{ define "x" }} {{ end }}{{ define "x" }}body{{ end }}'],
    ['a second empty define is ignored', '{{ define "x" }}body{{ end }}{{ define "x" }}{{ end }}'],
    ['variables persist to the end of the template', '{{ $x := 1 }}{{ if 1 }}{{ $x }}{{ end }}{{ $x }}'],
    ['keywords as parts of longer names', '{{ .If }}{{ .end }}{{ $range := 1 }}{{ $range }}'],
    ['unicode letters in field names', '{{ .Prénom }}{{ $ñ := 1 }}{{ $ñ }}'],
    ['delimiters inside strings', '{{ print "}}" "{{" }}'],
    ['three opening braces in text before an action', 'x {{ "{" }}'],
  ];
  for (const [name, source] of accepted) {
    it(`accepts ${name}`, () => assertClean(source));
  }
});

describe('checkTemplate: what Go rejects', () => {
  const rejected: Array<[string, string, string]> = [
    // name, source, Go's message
    ['an empty action', '{{ }}', 'missing value for command'],
    ['an empty action without spaces', '{{}}', 'missing value for command'],
    ['an if without a condition', '{{ if }}x{{ end }}', 'missing value for if'],
    ['a range without a value', '{{ range }}{{ end }}', 'missing value for range'],
    ['a with without a value', '{{ with }}{{ end }}', 'missing value for with'],
    ['empty parentheses', '{{ printf "%d" ( ) }}', 'missing value for parenthesized pipeline'],
    ['a block without a value', '{{ block "b" }}x{{ end }}', 'missing value for block clause'],
    ['an action with no closing delimiter', 'hello {{ .Prompt', 'unclosed action'],
    ['a keyword with no closing delimiter', 'hello{{range', 'unclosed action'],
    ['an unclosed action across lines', '{{ .X\n\n', 'unclosed action'],
    ['a missing end', '{{ if .X }}a', 'unexpected EOF'],
    ['a missing end after else', '{{ range .X }}{{ else }}', 'unexpected EOF'],
    ['a missing end of define', '{{ define "x" }}body', 'unexpected EOF'],
    ['an end without opener', 'a{{ end }}', 'unexpected {{end}}'],
    ['an else without opener', '{{ else }}', 'unexpected {{else}}'],
    ['an else after the block ended', '{{ if .X }}a{{ end }}{{ else }}', 'unexpected {{else}}'],
    ['an else if without opener', '{{ else if .X }}{{ end }}', 'unexpected {{else}}'],
    ['two plain elses', '{{ if .X }}1{{ else }}2{{ else }}3{{ end }}', 'expected end; found {{else}}'],
    ['an extra end after else if', '{{ if .X }}a{{ else if .Y }}b{{ end }}{{ end }}', 'unexpected {{end}}'],
    ['else if in range', '{{ range .X }}a{{ else if .Y }}b{{ end }}', 'unexpected <if> in input'],
    ['else with in if', '{{ if .X }}a{{ else with .Y }}b{{ end }}', 'unexpected <with> in input'],
    ['else in define', '{{ define "x" }}a{{ else }}b{{ end }}', 'unexpected {{else}} in define clause'],
    ['else in block', '{{ block "x" . }}a{{ else }}b{{ end }}', 'unexpected {{else}} in block clause'],
    ['define inside if', '{{ if 1 }}{{ define "x" }}{{ end }}{{ end }}', 'unexpected <define> in command'],
    ['define without a quoted name', '{{ define x }}{{ end }}', 'unexpected "x" in define clause'],
    ['define with a field as name', '{{ define .X }}{{ end }}', 'unexpected ".X" in define clause'],
    ['template with a field as name', '{{ template .X }}', 'unexpected ".X" in template clause'],
    ['template with a variable as name', '{{ template $v }}', 'unexpected "$v" in template clause'],
    ['two definitions of one name', '{{ define "a" }}a{{ end }}{{ define "a" }}b{{ end }}', 'template: multiple definition of template "a"'],
    ['a define and a block of one name', '{{ define "a" }}a{{ end }}{{ block "a" . }}b{{ end }}', 'template: multiple definition of template "a"'],
    ['an unknown function', 'hello {{ foo }}', 'function "foo" not defined'],
    ['a field without its dot', '{{ Prompt }}', 'function "Prompt" not defined'],
    ['an unknown function in an argument', '{{ printf "%s" (upper .X) }}', 'function "upper" not defined'],
    ['an unknown function after a pipe', '{{ .X | trim }}', 'function "trim" not defined'],
    ['an undefined variable', '{{ $x }}', 'undefined variable "$x"'],
    ['a variable used after its block', '{{ with $x := 4 }}{{ end }}{{ $x }}', 'undefined variable "$x"'],
    ['a variable from an if body used later', '{{ if 1 }}{{ $x := 1 }}{{ end }}{{ $x }}', 'undefined variable "$x"'],
    ['a variable from outside a define', '{{ $x := 1 }}{{ define "d" }}{{ $x }}{{ end }}', 'undefined variable "$x"'],
    ['a declaration with a field', '{{ $x := 1 }}{{ with $x.Y := 4 }}{{ end }}', 'unexpected ":=" in operand'],
    ['range over an undefined variable', '{{ range $k }}{{ end }}', 'undefined variable "$k"'],
    ['two range variables without :=', '{{ range $k, $v }}{{ end }}', 'undefined variable "$v"'],
    ['a range declaration missing its value', '{{ range $k, $v := }}{{ end }}', 'missing value for range'],
    ['a range comma without variable', '{{ range $k, . }}{{ end }}', 'range can only initialize variables'],
    ['three range variables', '{{ range $a, $b, $c := . }}{{ end }}', 'too many declarations in range'],
    ['two variables outside range', '{{ with $v, $u := 3 }}{{ end }}', 'too many declarations in with'],
    ['break outside range', '{{ range . }}{{ end }}{{ break }}', '{{break}} outside {{range}}'],
    ['continue outside range', '{{ continue }}', '{{continue}} outside {{range}}'],
    ['break in the else of range', '{{ range . }}{{ else }}{{ break }}{{ end }}', '{{break}} outside {{range}}'],
    ['break in a block inside range', '{{ range . }}{{ block "b" . }}{{ break }}{{ end }}{{ end }}', '{{break}} outside {{range}}'],
    ['break with an argument', '{{ range . }}{{ break 1 }}{{ end }}', 'unexpected "1" in {{break}}'],
    ['a comma between arguments', '{{ printf 3, 4 }}', 'unexpected "," in operand'],
    ['adjacent arguments', '{{ printf 3`x` }}', 'unexpected "`x`" in operand'],
    ['a literal after a pipe', '{{ .X | "s" }}', 'non executable command in pipeline stage 2'],
    ['a number in the third stage', '{{ .X | printf | 12 }}', 'non executable command in pipeline stage 3'],
    ['dot after a pipe', '{{ 12 | . }}', 'non executable command in pipeline stage 2'],
    ['nil after a pipe', "{{ 'c' | nil }}", 'non executable command in pipeline stage 2'],
    ['a field on a string', '{{ "hello".Len }}', 'unexpected . after term "\\"hello\\""'],
    ['a field on a boolean', '{{ true.any }}', 'unexpected . after term "true"'],
    ['a field on nil', '{{ nil.E }}', 'unexpected . after term "nil"'],
    ['a field on dot', '{{ ..E }}', 'unexpected . after term "."'],
    ['a field on a number', '{{ 0.1.E }}', 'unexpected . after term "0.1"'],
    ['an index written as a field', '{{ .Messages.0 }}', 'unexpected ".0" in operand'],
    ['a number followed by a letter', '{{ 3x }}', 'bad number syntax: "3x"'],
    ['a minus glued to a number', '{{3-}}', 'bad number syntax: "3-"'],
    ['a lone minus', '{{-}}', 'illegal number syntax: "-"'],
    ['a hex number without digits', '{{ 0xi }}', 'illegal number syntax: "0xi"'],
    ['a float exponent without digits', '{{ 1.E }}', 'illegal number syntax: "1.E"'],
    ['doubled underscores', '{{ 1__0 }}', 'illegal number syntax: "1__0"'],
    ['a float that overflows', '{{ 1e400 }}', 'illegal number syntax: "1e400"'],
    ['an integer that overflows', '{{ 99999999999999999999 }}', 'integer overflow: 99999999999999999999'],
    ['a leading zero with a non-octal digit', '{{ 08 }}', 'integer overflow: 08'],
    ['an unterminated string', '{{ "abc }}', 'unterminated quoted string'],
    ['a string broken by a newline', '{{ "abc\ndef" }}', 'unterminated quoted string'],
    ['an unterminated raw string', '{{ `abc }}', 'unterminated raw quoted string'],
    ['an unterminated character', "{{ 'a }}", 'unterminated character constant'],
    ['a string in single quotes', "{{ eq .Role 'user' }}", "malformed character constant: 'user'"],
    ['an empty character', "{{ '' }}", 'invalid syntax'],
    ['a bad escape in a string', '{{ "\\q" }}', 'invalid syntax'],
    ['a bad escape in a define name', '{{ define "\\q" }}{{ end }}', 'invalid syntax'],
    ['an out-of-range octal escape', '{{ "\\400" }}', 'invalid syntax'],
    ['a surrogate \\u escape', '{{ "\\ud800" }}', 'invalid syntax'],
    ['an unclosed comment', '{{/* note }}', 'unclosed comment'],
    ['a space before the comment end', '{{/* note */ }}', 'comment ends before closing delimiter'],
    ['a space before the comment start', '{{ /* note */}}', 'unexpected "/" in command'],
    ['an unclosed parenthesis', '{{ .X (1 2 3 }}', 'unclosed left paren'],
    ['an extra parenthesis', '{{ .X 1 2 3 ) }}', 'unexpected right paren'],
    ['a bad character after a name', '{{ a# }}', "bad character U+0023 '#'"],
    ['= without spaces', '{{ $x := 1 }}{{ $x=2 }}', "bad character U+003D '='"],
    ['a trim marker without a space', '{{ .X -}}{{ else-}}', "bad character U+002D '-'"],
    ['a colon without =', '{{ $x := 1 }}{{ $x : 1 }}', 'expected :='],
    ['+= assignment', '{{ $x := 0 }}{{ $x += 1 }}', 'illegal number syntax: "+"'],
    ['an undefined variable before a lexical error', '{{ $x : 1 }}', 'undefined variable "$x"'],
    ['a non-ASCII symbol in an action', '{{ → }}', "unrecognized character in action: U+2192 '→'"],
    ['a control character in an action', '{{ \u000b }}', 'unrecognized character in action: U+000B'],
    ['an unknown non-ASCII function name', '{{ é }}', 'function "é" not defined'],
    ['a long unexpected token, cut to ten characters', '{{ print 1`abcdefghijklmnop` }}', 'unexpected "`abcdefghi"... in operand'],
  ];
  for (const [name, source, message] of rejected) {
    it(`rejects ${name}`, () => {
      const problem = goError(source);
      assert.equal(problem.goMessage, message);
      assert.ok(problem.message.startsWith(message), problem.message);
      assert.ok(problem.start >= 0 && problem.start <= problem.end && problem.end <= source.length, JSON.stringify(problem));
    });
  }

  const ranges: Array<[string, string, number, number]> = [
    // source, Go's message, start, end
    ['Hi {{ .Prompt', 'unclosed action', 3, 5],
    ['Hi {{- .Prompt', 'unclosed action', 3, 6],
    ['{{ if .X }}a', 'unexpected EOF', 0, 5],
    ['x{{- range .Messages }}{{ if .Y }}{{ end }}', 'unexpected EOF', 1, 10],
    ['{{ if .A }}{{ else if .B }}b', 'unexpected EOF', 0, 5],
    ['{{ define "n" }}', 'unexpected EOF', 0, 9],
    ['a{{ end }}', 'unexpected {{end}}', 1, 10],
    ['{{ if 1 }}{{ else }}{{ else }}{{ end }}', 'expected end; found {{else}}', 20, 30],
    ['{{ foo .X }}', 'function "foo" not defined', 3, 6],
    ['{{ .A }}{{ $undefined }}', 'undefined variable "$undefined"', 11, 21],
    ['{{ "abc\n}}', 'unterminated quoted string', 3, 7],
    ['{{ `abc }}', 'unterminated raw quoted string', 3, 4],
    ['{{ 12ab }}', 'bad number syntax: "12a"', 3, 6],
    ['a{{/* x', 'unclosed comment', 1, 5],
    ['{{/* x */ }}', 'comment ends before closing delimiter', 7, 9],
    ['{{ (1 }}', 'unclosed left paren', 3, 4],
    ['{{ }}', 'missing value for command', 0, 5],
    ['{{ if }}{{ end }}', 'missing value for if', 0, 8],
    ['{{ x (  ) }}', 'function "x" not defined', 3, 4],
    ['{{ print (  ) }}', 'missing value for parenthesized pipeline', 9, 13],
    ['{{ .X | 3 }}', 'non executable command in pipeline stage 2', 8, 9],
    ['{{ range . }}{{ end }}{{ break }}', '{{break}} outside {{range}}', 22, 33],
    ['{{ define "a" }}1{{ end }}{{ define "a" }}2{{ end }}', 'template: multiple definition of template "a"', 36, 39],
    ['{{ "😀".X }}', 'unexpected . after term "\\"😀\\""', 3, 9],
    ['{{ 😀 }}', "unrecognized character in action: U+1F600 '😀'", 3, 5],
  ];
  for (const [source, message, start, end] of ranges) {
    it(`reports ${JSON.stringify(message)} at ${start}..${end} in ${JSON.stringify(source)}`, () => {
      const problem = goError(source);
      assert.equal(problem.goMessage, message);
      assert.deepEqual([problem.start, problem.end], [start, end]);
    });
  }

  it('reports only the first error, as Go stops there', () => {
    const found = checkTemplate('{{ foo }}{{ bar }}{{ end }}');
    assert.equal(found.length, 1);
    assert.equal(found[0]?.goMessage, 'function "foo" not defined');
  });

  it('reports the parse error Go meets first, before a later lexical error', () => {
    // Go checks $y while the unterminated string after it is still unread.
    assert.equal(goError('{{ $y "abc }}').goMessage, 'undefined variable "$y"');
    // A number is checked as soon as it is read, before the missing "}}" is seen.
    assert.equal(goError('{{ 1.E').goMessage, 'illegal number syntax: "1.E"');
  });

  it('explains terse messages in parentheses', () => {
    assert.equal(goError('{{ Prompt }}').message, 'function "Prompt" not defined (did you mean ".Prompt"?)');
    assert.equal(goError('{{ if .X }}').message, 'unexpected EOF (this {{if}} has no matching {{end}})');
    assert.equal(goError('{{ .X').message, 'unclosed action (no "}}" closes this "{{")');
    assert.match(goError('{{ end }}').message, /^unexpected \{\{end\}\} \(there is no open/);
  });
});

describe('checkTemplate: warnings for actions that always fail when run', () => {
  it('warns on assignment to a variable that was never declared (Go parses it)', () => {
    const problems = checkTemplate('{{ $x = 1 }}{{ $x }}');
    assert.equal(problems.length, 1);
    const [warning] = problems;
    assert.equal(warning?.severity, 'warning');
    assert.equal(warning?.goMessage, 'undefined variable "$x"');
    assert.deepEqual([warning?.start, warning?.end], [3, 5]);
  });

  it('warns when the declaration is out of scope', () => {
    const problems = checkTemplate('{{ if 1 }}{{ $x := 1 }}{{ end }}{{ range $x = . }}{{ end }}');
    assert.deepEqual(
      problems.map((p) => [p.severity, p.goMessage]),
      [['warning', 'undefined variable "$x"']],
    );
  });

  it('does not warn on assignment to a declared variable', () => {
    assertClean('{{ $x := 1 }}{{ range . }}{{ $x = 2 }}{{ end }}{{ $x }}');
  });

  it('warns on a template call with no definition', () => {
    const problems = checkTemplate('{{ template "missing" . }}');
    assert.deepEqual(
      problems.map((p) => [p.severity, p.goMessage, p.start, p.end]),
      [['warning', 'template "missing" not defined', 12, 21]],
    );
  });

  it('keeps warnings found before an error, sorted by position', () => {
    const problems = checkTemplate('{{ $x = 1 }}{{ if }}');
    assert.deepEqual(
      problems.map((p) => p.severity),
      ['warning', 'error'],
    );
  });
});

describe('checkTemplate: depth and size', () => {
  const depth = 10_000;

  it('accepts 10,000 nested ifs', () => {
    assertClean('{{if 1}}'.repeat(depth) + 'x' + '{{end}}'.repeat(depth));
  });

  it('reports the outermost if when one end is missing', () => {
    const problem = goError('{{if 1}}'.repeat(depth) + '{{end}}'.repeat(depth - 1));
    assert.equal(problem.goMessage, 'unexpected EOF');
    assert.deepEqual([problem.start, problem.end], [0, 4]);
  });

  it('reports the extra end when there is one too many', () => {
    const source = '{{if 1}}'.repeat(depth) + '{{end}}'.repeat(depth + 1);
    const problem = goError(source);
    assert.equal(problem.goMessage, 'unexpected {{end}}');
    assert.deepEqual([problem.start, problem.end], [source.length - 7, source.length]);
  });

  it('accepts 10,000 nested ranges with break and 10,000 nested withs', () => {
    assertClean('{{range .}}'.repeat(depth) + '{{break}}' + '{{end}}'.repeat(depth));
    assertClean('{{with .}}'.repeat(depth) + '{{end}}'.repeat(depth));
  });

  it('accepts a 10,000-long else-if chain closed by one end', () => {
    assertClean('{{if 0}}' + '{{else if 0}}'.repeat(depth) + '{{else}}x{{end}}');
    assertClean('{{with 0}}' + '{{else with 0}}'.repeat(depth) + '{{end}}');
  });

  it('accepts 10,000 nested parentheses and rejects one missing', () => {
    assertClean('{{ print ' + '('.repeat(depth) + '1' + ')'.repeat(depth) + ' }}');
    assert.equal(goError('{{ print ' + '('.repeat(depth) + '1' + ')'.repeat(depth - 1) + ' }}').goMessage, 'unclosed left paren');
  });

  it('handles 200,000 distinct variables in linear time', () => {
    const source = Array.from({ length: 200_000 }, (_, i) => `{{$v${i} := ${i}}}{{$v${i}}}`).join('');
    assertClean(source);
  });

  it('checks a 50 MB template without hanging', () => {
    const chunk = readFileSync(join(fixtures, 'chat-tools.gotmpl'), 'utf8');
    const source = chunk.repeat(Math.ceil(50_000_000 / chunk.length));
    const started = Date.now();
    assert.deepEqual(checkTemplate(source), []);
    assert.ok(Date.now() - started < 60_000, `took ${Date.now() - started} ms`);
  });

  it('stops quickly on a 50 MB unterminated raw string, comment or text', () => {
    const body = 'x'.repeat(50_000_000);
    assert.equal(goError('{{ `' + body).goMessage, 'unterminated raw quoted string');
    assert.equal(goError('{{/*' + body).goMessage, 'unclosed comment');
    assert.equal(goError('{{ "' + body).goMessage, 'unterminated quoted string');
    assertClean(body);
  });
});

// ---- properties ----

const FRAGMENTS = [
  '{{', '}}', '{{- ', ' -}}', '{{/*', '*/}}', ' ', '\n', '\t', 'if', 'else', 'end', 'range', 'with', 'define', 'block',
  'template', 'break', 'continue', 'nil', 'true', '.', '.X', '.Messages', '$', '$x', '$x :=', '=', ':', ':=', ',', '|',
  '(', ')', '"', '"s"', '`', '`r`', "'", "'c'", '\\', '-', '+', '1', '0x', '1e', 'i', '_', 'json', 'eq', 'foo', 'é',
  '😀', '\ud800', '#', '{', '}', '/*', '*/',
];

describe('checkTemplate: properties', () => {
  it('never throws on template-like noise, and its ranges are within the source', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }), (parts) => {
        const source = parts.join('');
        const problems = checkTemplate(source);
        assert.ok(problems.filter((p) => p.severity === 'error').length <= 1);
        for (const p of problems) assert.ok(p.start >= 0 && p.start <= p.end && p.end <= source.length, JSON.stringify(p));
        const scan = scanTemplate(source);
        let previous = 0;
        for (const t of scan.tokens) {
          assert.ok(t.start >= previous && t.start <= t.end && t.end <= source.length, JSON.stringify(t));
          previous = t.end;
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws on arbitrary Unicode', () => {
    fc.assert(
      fc.property(fc.fullUnicodeString({ maxLength: 200 }), fc.string({ maxLength: 200 }), (a, b) => {
        checkTemplate(a);
        checkTemplate(`{{${a}}}`);
        checkTemplate(b);
        checkTemplate(`{{ ${b} }}`);
        scanTemplate(`{{${a}}}${b}`);
        templateCapabilities(`{{${b}}}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts every generated well-formed template, and rejects it with one {{end}} too many or too few', () => {
    fc.assert(
      fc.property(validTemplate(3), (source) => {
        assert.deepEqual(errors(source), [], source);
        assert.equal(goError(`${source}{{end}}`).goMessage, 'unexpected {{end}}');
        assert.equal(goError(`${source}{{if .X}}`).goMessage, 'unexpected EOF');
      }),
      { numRuns: 1500 },
    );
  });
});

/** An action's opening delimiter, trim marker and blanks, before the first word. */
const OPENING = /^(\{\{(?:-\s)?\s*)/;

/** Well-formed templates built from the constructs Ollama templates use. */
function validTemplate(maxDepth: number): fc.Arbitrary<string> {
  const text = fc.stringOf(fc.constantFrom('a', 'Z', ' ', '\n', '<', '|', '>', '}', '-', 'é', '😀'), { maxLength: 8 });
  const field = fc.constantFrom('.System', '.Prompt', '.Messages', '.Role', '.Function.Name', '$', '$.Tools', '.', '$.Messages');
  const literal = fc.constantFrom('"x"', '`raw\nline`', "'a'", '1', '-2.5', '0x1F', 'true', 'nil', '1_000', '"}}"');
  const fn = fc.constantFrom('json', 'len', 'print', 'printf', 'eq', 'ne', 'and', 'or', 'not', 'index', 'slice', 'currentDate', 'toTypeScriptType');
  const arg = fc.oneof(field, literal, fc.constant('(len .Messages)'), fc.constant('(index .Messages 0).Content'));
  const call = fc.tuple(fn, fc.array(arg, { maxLength: 3 })).map(([f, args]) => [f, ...args].join(' '));
  const first = fc.oneof(field, literal, call);
  const later = fc.oneof(call, fc.constantFrom('.System', '.Role', '$', '$.Tools', '.Function.Name'));
  const pipeline = fc.tuple(first, fc.array(later, { maxLength: 2 })).map(([a, rest]) => [a, ...rest].join(' | '));
  const space = fc.constantFrom(' ', '\n', '\t ', '');
  const open = fc.constantFrom('{{', '{{- ', '{{-\n');
  const close = fc.constantFrom('}}', ' -}}', '\n-}}');
  const act = (body: fc.Arbitrary<string>): fc.Arbitrary<string> =>
    fc.tuple(open, space, body, space, close).map(([o, s1, b, s2, c]) => `${o}${s1}${b}${s2}${c}`);
  const comment = fc.stringOf(fc.constantFrom('a', ' ', '}', '{', '*', '\n'), { maxLength: 6 }).map((t) => `{{/* ${t} */}}`);
  const leaf = (inRange: boolean): fc.Arbitrary<string> =>
    fc.oneof(text, act(pipeline), comment, ...(inRange ? [act(fc.constantFrom('break', 'continue'))] : []));
  const memo = new Map<string, fc.Arbitrary<string>>();
  const list = (depth: number, inRange: boolean): fc.Arbitrary<string> => {
    const key = `${depth}/${inRange}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const item = depth === 0 ? leaf(inRange) : fc.oneof(leaf(inRange), block(depth - 1, inRange));
    const made = fc.array(item, { maxLength: 4 }).map((parts) => parts.join(''));
    memo.set(key, made);
    return made;
  };
  const block = (depth: number, inRange: boolean): fc.Arbitrary<string> =>
    fc.oneof(
      fc
        .tuple(act(pipeline), list(depth, inRange), fc.array(fc.tuple(act(pipeline), list(depth, inRange)), { maxLength: 2 }), fc.option(list(depth, inRange)))
        .map(([cond, body, elifs, otherwise]) => {
          const chain = elifs.map(([c, b]) => c.replace(OPENING, '$1else if ') + b).join('');
          const tail = otherwise === null ? '' : `{{ else }}${otherwise}`;
          return `${cond.replace(OPENING, '$1if ')}${body}${chain}${tail}{{ end }}`;
        }),
      fc
        .tuple(fc.constantFrom('', '$e := ', '$i, $e := ', '$i, $_ := '), list(depth, true), fc.option(list(depth, inRange)))
        .map(([decl, body, otherwise]) => `{{ range ${decl}.Messages }}${body}${otherwise === null ? '' : `{{- else -}}${otherwise}`}{{ end }}`),
      fc
        .tuple(pipeline, list(depth, inRange), fc.option(fc.tuple(pipeline, list(depth, inRange))))
        .map(([p, body, alt]) => `{{ with ${p} }}${body}${alt === null ? '' : `{{ else with ${alt[0]} }}${alt[1]}`}{{ end }}`),
    );
  return list(maxDepth, false);
}

// ---- scanner ----

describe('scanTemplate', () => {
  it('lists every token with its kind and offsets', () => {
    const source = '{{- if eq .Role "user" -}}A{{ $x := json .Function.Arguments | printf `%s` }}{{ end }}';
    const tokens = scanTemplate(source).tokens.map((t) => [t.kind, source.slice(t.start, t.end)]);
    assert.deepEqual(tokens, [
      ['leftDelim', '{{'],
      ['trimMarker', '-'],
      ['keyword', 'if'],
      ['function', 'eq'],
      ['field', '.Role'],
      ['string', '"user"'],
      ['trimMarker', '-'],
      ['rightDelim', '}}'],
      ['text', 'A'],
      ['leftDelim', '{{'],
      ['variable', '$x'],
      ['declare', ':='],
      ['function', 'json'],
      ['field', '.Function'],
      ['field', '.Arguments'],
      ['pipe', '|'],
      ['function', 'printf'],
      ['rawString', '`%s`'],
      ['rightDelim', '}}'],
      ['leftDelim', '{{'],
      ['keyword', 'end'],
      ['rightDelim', '}}'],
    ]);
  });

  it('classifies literals, punctuation, comments and unknown functions', () => {
    const source = "{{/* c */}}{{ print 1 'a' true nil . ( $ ) foo , }}{{ $y = 2 }}";
    const scan = scanTemplate(source);
    const kinds = scan.tokens.map((t) => `${t.kind}:${source.slice(t.start, t.end)}${t.known === false ? '?' : ''}`);
    assert.deepEqual(kinds, [
      'comment:{{/* c */}}',
      'leftDelim:{{',
      'function:print',
      'number:1',
      "char:'a'",
      'bool:true',
      'keyword:nil',
      'dot:.',
      'leftParen:(',
      'variable:$',
      'rightParen:)',
      'function:foo?',
      'punctuation:,',
      'rightDelim:}}',
      'leftDelim:{{',
      'variable:$y',
      'assign:=',
      'number:2',
      'rightDelim:}}',
    ]);
  });

  it('describes each action: range, trim markers, keyword, comment', () => {
    const source = 'a {{- range .X }}b{{ end -}} c{{- /* n */ -}}';
    assert.deepEqual(scanTemplate(source).actions, [
      { start: 2, end: 17, trimLeft: true, trimRight: false, comment: false, complete: true, keyword: 'range' },
      { start: 18, end: 28, trimLeft: false, trimRight: true, comment: false, complete: true, keyword: 'end' },
      { start: 30, end: 45, trimLeft: true, trimRight: true, comment: true, complete: true },
    ]);
  });

  it('gives tokens that never overlap, in order', () => {
    const source = 'a {{- /* c */ -}} b {{- .X -}} {{/* d */}}';
    let previous = 0;
    for (const token of scanTemplate(source).tokens) {
      assert.ok(token.start >= previous, JSON.stringify(token));
      previous = token.end;
    }
  });

  it('keeps going after a lexical error', () => {
    const source = '{{ "abc\n}} ok {{ .Next }}';
    const scan = scanTemplate(source);
    assert.deepEqual(scan.errors, [{ message: 'unterminated quoted string', start: 3, end: 7 }]);
    assert.ok(scan.tokens.some((t) => t.kind === 'field' && t.text === '.Next'));
    assert.equal(scan.actions[0]?.complete, false);
    assert.equal(scan.actions[1]?.complete, true);
  });

  it('marks an action that never closes', () => {
    const scan = scanTemplate('x {{ .Prompt');
    assert.equal(scan.errors[0]?.message, 'unclosed action');
    assert.equal(scan.actions[0]?.complete, false);
  });
});

// ---- Ollama's reading of a template ----

describe('templateCapabilities', () => {
  it('finds tools and insert from identifiers, compared lower-cased', () => {
    assert.deepEqual(templateCapabilities('{{ range .Tools }}{{ end }}{{ .Suffix }}').capabilities, ['tools', 'insert']);
    assert.deepEqual(templateCapabilities('{{ if $.Tools }}x{{ end }}').capabilities, ['tools']);
    assert.deepEqual(templateCapabilities('{{ $t := .X }}{{ $t.tools }}').capabilities, ['tools']);
    assert.deepEqual(templateCapabilities('{{ .Prompt }}').capabilities, []);
  });

  it('counts fields in definitions, blocks and parenthesised arguments', () => {
    assert.deepEqual(templateCapabilities('{{ define "t" }}{{ .Tools }}{{ end }}').capabilities, ['tools']);
    assert.deepEqual(templateCapabilities('{{ block "b" . }}{{ .Suffix }}{{ end }}').capabilities, ['insert']);
    assert.deepEqual(templateCapabilities('{{ print (len .Tools) }}').capabilities, ['tools']);
  });

  it('ignores what Ollama ignores: function names, declared names, strings, fields after parentheses', () => {
    assert.deepEqual(templateCapabilities('{{ $tools := 1 }}{{ "Tools" }}{{ (index .X 0).Tools }}').capabilities, []);
  });

  it('says when Ollama appends {{ .Response }}', () => {
    assert.equal(templateCapabilities('{{ .System }} {{ .Prompt }}').appendsResponse, true);
    assert.equal(templateCapabilities('{{ .Prompt }}{{ .Response }}').appendsResponse, false);
    assert.equal(templateCapabilities('{{ range .Messages }}{{ end }}').appendsResponse, false);
    assert.equal(templateCapabilities('{{ range .Messages }}{{ end }}').usesMessages, true);
    assert.equal(templateCapabilities('{{ if .messages }}{{ end }}').appendsResponse, false);
  });

  it('lists identifiers as Ollama does (lower-cased, sorted, with $)', () => {
    assert.deepEqual(templateCapabilities('{{ $.Messages }}{{ .Function.Name }}{{ json .X }}').identifiers, ['$', 'function', 'messages', 'name', 'x']);
  });

  it('says whether the template parsed', () => {
    assert.equal(templateCapabilities('{{ .Tools').parsed, false);
    assert.equal(templateCapabilities('{{ .Tools }}').parsed, true);
  });

  it('matches the fixtures', () => {
    const caps = (file: string) => templateCapabilities(readFileSync(join(fixtures, file), 'utf8'));
    assert.deepEqual(caps('chat-tools.gotmpl').capabilities, ['tools']);
    assert.deepEqual(caps('fill-in-middle.gotmpl').capabilities, ['insert']);
    assert.equal(caps('fill-in-middle.gotmpl').appendsResponse, true);
    assert.equal(caps('completion.gotmpl').appendsResponse, false);
  });
});

describe('analyzeTemplate', () => {
  it('lists blocks with their else branches, and definitions', () => {
    const source = '{{ if .A }}a{{ else if .B }}b{{ else }}c{{ end }}{{ define "d" }}{{ range . }}{{ end }}{{ end }}';
    const analysis = analyzeTemplate(source);
    assert.deepEqual(analysis.blocks, [
      { keyword: 'if', start: 0, end: 49, elses: [{ start: 12, end: 19 }, { start: 29, end: 39 }] },
      { keyword: 'define', start: 49, end: 96, elses: [] },
      { keyword: 'range', start: 65, end: 87, elses: [] },
    ]);
    assert.deepEqual(analysis.definitions, [{ name: 'd', start: 59, end: 62 }]);
  });
});

describe('templateContextAt', () => {
  const source =
    '{{ $sys := .System }}{{ range $i, $m := .Messages }}@A{{ with .ToolCalls }}@B{{ range . }}@C{{ end }}{{ else }}@D{{ end }}@E{{ end }}' +
    '@F{{ define "x" }}{{ $own := .Y }}@G{{ end }}{{ with $.Tools }}@H{{ end }}{{ block "b" .Messages }}@I{{ end }}';
  const analysis = analyzeTemplate(source);
  const at = (marker: string) => templateContextAt(analysis, source.indexOf(`@${marker}`));
  const names = (marker: string) => at(marker).variables.map((v) => `${v.name}=${v.path?.join('.') ?? '?'}`);

  it('parses the sample cleanly', () => assert.deepEqual(analysis.problems, []));

  it('follows dot through range and with, including else branches', () => {
    assert.deepEqual(at('A').dot, ['Messages']);
    assert.deepEqual(at('B').dot, ['Messages', 'ToolCalls']);
    assert.deepEqual(at('C').dot, ['Messages', 'ToolCalls']);
    assert.deepEqual(at('D').dot, ['Messages']);
    assert.deepEqual(at('E').dot, ['Messages']);
    assert.deepEqual(at('F').dot, []);
    assert.deepEqual(at('H').dot, ['Tools']);
    assert.deepEqual(at('I').dot, ['Messages']);
  });

  it('does not know dot inside a define', () => {
    assert.equal(at('G').dot, undefined);
  });

  it('lists the variables in scope with their paths', () => {
    assert.deepEqual(names('A'), ['$sys=System', '$i=?', '$m=Messages']);
    assert.deepEqual(names('F'), ['$sys=System']);
    assert.deepEqual(names('G'), ['$own=?']);
    assert.deepEqual(names('H'), ['$sys=System']);
  });

  it('matches the catalog paths', () => {
    assert.ok(templateField(at('B').dot ?? [])?.fields?.some((f) => f.name === 'Function'));
  });
});

// ---- catalog ----

describe('template catalog', () => {
  it('lists Ollama functions and every Go builtin, each with a description', () => {
    const names = TEMPLATE_FUNCTIONS.map((f) => f.name).sort();
    const expected = ['json', 'currentDate', 'yesterdayDate', 'toTypeScriptType', 'and', 'or', 'not', 'len', 'index', 'slice', 'print', 'printf', 'println', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'html', 'js', 'urlquery', 'call'];
    assert.deepEqual(names, [...expected].sort());
    for (const f of TEMPLATE_FUNCTIONS) assert.ok(f.description.length > 10 && !f.description.includes('\n'), f.name);
    assert.equal(templateFunction('json')?.origin, 'ollama');
    assert.equal(templateFunction('printf')?.origin, 'go');
  });

  it('lists the keywords', () => {
    const names = TEMPLATE_KEYWORDS.map((k) => k.name);
    for (const k of ['if', 'else', 'end', 'range', 'with', 'define', 'block', 'template', 'break', 'continue', 'nil']) assert.ok(names.includes(k), k);
  });

  it('describes the data model', () => {
    assert.deepEqual(
      TEMPLATE_DATA.map((f) => f.name),
      ['System', 'Prompt', 'Response', 'Suffix', 'Messages', 'Tools', 'Think', 'ThinkLevel', 'IsThinkSet'],
    );
    assert.deepEqual(
      templateField(['Messages'])?.fields?.map((f) => f.name),
      ['Role', 'Content', 'Thinking', 'Images', 'ToolCalls', 'ToolName', 'ToolCallID'],
    );
    assert.deepEqual(templateField(['Messages', 'ToolCalls'])?.fields?.map((f) => f.name), ['ID', 'Function']);
    assert.deepEqual(templateField(['Messages', 'ToolCalls', 'Function'])?.fields?.map((f) => f.name), ['Index', 'Name', 'Arguments']);
    assert.deepEqual(templateField(['Tools'])?.fields?.map((f) => f.name), ['Type', 'Items', 'Function']);
    assert.deepEqual(templateField(['Tools', 'Function'])?.fields?.map((f) => f.name), ['Name', 'Description', 'Parameters']);
    assert.deepEqual(
      templateField(['Tools', 'Function', 'Parameters'])?.fields?.map((f) => f.name),
      ['Type', 'Defs', 'Items', 'Required', 'Properties'],
    );
    assert.equal(templateField(['Messages', 'Nope']), undefined);
    for (const f of TEMPLATE_DATA) assert.ok(f.description.length > 10, f.name);
  });
});
