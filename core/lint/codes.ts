// The catalog of diagnostic codes: stable identifiers (MF001…), default severities and one-line descriptions.
// README's table of codes is generated from this list by `node dist/cli.js codes --markdown`; never renumber.

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface CodeInfo {
  code: string;
  severity: Severity;
  title: string;
  /** Why it matters: what Ollama does with such a Modelfile. */
  description: string;
}

const table: CodeInfo[] = [
  // Syntax: what Ollama's parser rejects.
  { code: 'MF001', severity: 'error', title: 'unknown instruction', description: 'The line does not start with one of Ollama\'s instructions, or the keyword is not followed by a blank; `ollama create` stops with "command must be one of …".' },
  { code: 'MF002', severity: 'error', title: 'invalid MESSAGE role', description: 'MESSAGE roles are case-sensitive and must be `system`, `user` or `assistant`.' },
  { code: 'MF003', severity: 'error', title: 'unexpected end of instruction', description: 'A PARAMETER name or MESSAGE role is followed by a character other than a blank (for example a newline), or the file ends inside a keyword; Ollama reports "unexpected EOF".' },
  { code: 'MF004', severity: 'error', title: 'unclosed quote', description: 'A value opened with `"` or `"""` never closes at the end of a line, so Ollama reads to the end of the file and fails with "unexpected EOF".' },
  { code: 'MF005', severity: 'error', title: 'text after closing quote', description: 'Quotes only close at the end of a line: in `SYSTEM "a" b` the value never ends and Ollama swallows the rest of the file.' },
  { code: 'MF006', severity: 'error', title: 'no FROM line', description: 'Every Modelfile needs at least one FROM instruction.' },
  // Parameters.
  { code: 'MF010', severity: 'error', title: 'unknown parameter', description: 'PARAMETER names are case-sensitive and must be one of Ollama\'s options; `ollama create` fails with "unknown parameter".' },
  { code: 'MF011', severity: 'error', title: 'invalid parameter value', description: 'The value does not parse as the parameter\'s type (base-10 int, float32, or Go bool); `ollama create` fails.' },
  { code: 'MF012', severity: 'warning', title: 'deprecated parameter', description: 'Ollama accepts the parameter, prints a warning and drops it: it has no effect.' },
  { code: 'MF013', severity: 'error', title: 'value cannot be stored', description: 'Inf and NaN parse as floats but cannot be written to the parameters JSON; `ollama create` fails.' },
  { code: 'MF014', severity: 'warning', title: 'parameter set twice', description: 'A scalar parameter given more than once: only the last value is used.' },
  // FROM, ADAPTER, DRAFT.
  { code: 'MF020', severity: 'error', title: 'invalid model name', description: 'The FROM argument is not a path that exists, so Ollama reads it as a model name, and the name breaks Ollama\'s naming rules.' },
  { code: 'MF021', severity: 'error', title: 'file not found', description: 'An ADAPTER or DRAFT path, or a FROM argument written like a path, does not exist next to the Modelfile.' },
  { code: 'MF022', severity: 'warning', title: 'file is not GGUF', description: 'The local file does not start with the GGUF magic bytes and is not a safetensors file: Ollama fails with "unknown type" or "supplied file was not in GGUF format".' },
  { code: 'MF023', severity: 'error', title: 'DRAFT same as FROM', description: 'DRAFT must not reference the same local path as FROM.' },
  { code: 'MF024', severity: 'warning', title: 'FROM files ignored', description: 'When FROM names a model and another FROM names files, Ollama uses only the model and ignores the files.' },
  { code: 'MF025', severity: 'warning', title: 'FROM replaced', description: 'Several FROM lines name models: only the last one is used.' },
  { code: 'MF026', severity: 'information', title: 'needs Ollama\'s converter', description: 'safetensors and PyTorch sources are converted by Ollama\'s own converter; `ollama create` can build it, `modelfile create` refuses it.' },
  { code: 'MF027', severity: 'warning', title: 'FROM is both a file and a model', description: 'A bare word that names a file or folder next to the Modelfile is read as a path, even when a model of that name exists.' },
  { code: 'MF028', severity: 'information', title: 'model not in the local cache', description: 'The FROM model is not in the models directory; create will pull it from its registry first.' },
  // TEMPLATE, SYSTEM, and other instructions.
  { code: 'MF030', severity: 'error', title: 'template syntax error', description: 'The TEMPLATE is not a valid Go text/template; `ollama create` fails with "template error".' },
  { code: 'MF031', severity: 'warning', title: 'instruction replaced', description: 'TEMPLATE, SYSTEM, ADAPTER, REQUIRES, RENDERER and PARSER keep only their last value; an earlier one is silently replaced.' },
  { code: 'MF032', severity: 'warning', title: 'empty value has no effect', description: 'An empty TEMPLATE or SYSTEM does not clear the one inherited from the base model.' },
  { code: 'MF033', severity: 'error', title: 'invalid REQUIRES version', description: 'REQUIRES must be a semantic version such as 0.14.0.' },
  { code: 'MF034', severity: 'error', title: 'only one adapter', description: 'Ollama supports one adapter file per model.' },
  { code: 'MF035', severity: 'warning', title: 'template fails when run', description: 'Go accepts the TEMPLATE, so `ollama create` succeeds, but the action always fails when the model answers: assigning to a variable never declared with :=, or calling an undefined {{template}}.' },
  // Values that Ollama reads differently from what the author likely meant.
  { code: 'MF040', severity: 'warning', title: 'value does not survive a round trip', description: 'Ollama stores the value, but `ollama show --modelfile` writes it in a form that parses back differently.' },
  { code: 'MF041', severity: 'warning', title: 'invisible characters dropped', description: 'Ollama silently drops non-printable characters (zero-width spaces, no-break spaces, control characters) from values.' },
  { code: 'MF042', severity: 'warning', title: '# inside a value', description: 'A `#` starts a comment only at the beginning of an instruction; after a value it is part of the value.' },
  { code: 'MF043', severity: 'warning', title: 'single quotes are kept', description: 'Ollama has no single-quote syntax: the quotes become part of the value.' },
  { code: 'MF044', severity: 'hint', title: 'ignore comment matches nothing', description: 'A `# modelfile-ignore` comment names a code that is not reported on the next instruction.' },
];

export const CODES: ReadonlyMap<string, CodeInfo> = new Map(table.map((info) => [info.code, info]));

export function codeInfo(code: string): CodeInfo {
  const info = CODES.get(code);
  if (!info) throw new Error(`unknown diagnostic code ${code}`);
  return info;
}

export function allCodes(): readonly CodeInfo[] {
  return table;
}
