// The PARAMETER catalog (names, types, defaults, meanings) and Ollama's typing of PARAMETER values, plus the other
// create-time argument rules that do not need the file system: REQUIRES (Go module semver) and MESSAGE splitting.
// Typing follows Go's strconv exactly (ParseInt base 10, ParseFloat to float32, ParseBool); spec §1.4, §1.5.
import type { OllamaCommand } from './syntax';

export type ParameterType = 'int' | 'float' | 'bool' | 'string-list';

export interface ParameterSpec {
  readonly name: string;
  readonly type: ParameterType;
  /** Unset (absent) by default rather than holding a value; setting it is still a plain int/bool. */
  readonly nullable: boolean;
  /** What applies when the parameter is not set, for people (e.g. `-1 (random)`). */
  readonly default: string;
  /** One or two sentences for hover and completion. */
  readonly description: string;
}

function spec(name: string, type: ParameterType, defaultText: string, description: string, nullable = false): ParameterSpec {
  return { name, type, nullable, default: defaultText, description };
}

/** Every name Ollama accepts after PARAMETER (the JSON names of its Options struct), in a reading order. */
export const PARAMETERS: readonly ParameterSpec[] = [
  spec(
    'temperature',
    'float',
    '0.8',
    'Sampling temperature. Higher values make answers more varied and creative, lower values more focused and repeatable.',
  ),
  spec(
    'top_k',
    'int',
    '40',
    'Sample only among the K most likely next tokens. A lower K gives more conservative text, a higher K more variety.',
  ),
  spec(
    'top_p',
    'float',
    '0.9',
    'Nucleus sampling: sample among the most likely tokens whose probabilities add up to P. Lower values give more focused text.',
  ),
  spec(
    'min_p',
    'float',
    '0.0',
    'Drop tokens whose probability is below P times that of the most likely token. An alternative to top_p; 0 turns it off.',
  ),
  spec(
    'typical_p',
    'float',
    '1.0 (off)',
    'Locally typical sampling: prefer tokens whose surprise is close to the expected surprise. 1.0 turns it off.',
  ),
  spec(
    'repeat_penalty',
    'float',
    '1.0',
    'Penalty for tokens already seen in the last repeat_last_n tokens. Above 1 discourages repetition; 1.0 turns it off.',
  ),
  spec(
    'repeat_last_n',
    'int',
    '64',
    'How many recent tokens the repetition penalties look at. 0 turns the check off; -1 uses the whole context window.',
  ),
  spec(
    'presence_penalty',
    'float',
    '0.0',
    'A flat penalty for every token that has appeared at all, nudging the model towards new topics. 0 turns it off.',
  ),
  spec(
    'frequency_penalty',
    'float',
    '0.0',
    'A penalty that grows with how often a token has appeared, reducing word-for-word repetition. 0 turns it off.',
  ),
  spec(
    'seed',
    'int',
    '-1 (random)',
    'Random seed for sampling. A fixed seed gives the same answer to the same prompt; -1 picks a new seed every time.',
  ),
  spec(
    'num_predict',
    'int',
    '-1 (unlimited)',
    'Maximum number of tokens to generate. -1 generates until the model stops by itself or the context is full.',
  ),
  spec(
    'stop',
    'string-list',
    'none',
    'A text that ends generation as soon as the model produces it. Write one PARAMETER stop line per stop sequence.',
  ),
  spec(
    'num_ctx',
    'int',
    '0 (automatic)',
    'Context window size in tokens: how much prompt and answer the model sees at once. 0 lets Ollama choose from OLLAMA_CONTEXT_LENGTH or the available VRAM (4k, 32k or 256k).',
  ),
  spec(
    'num_keep',
    'int',
    '4',
    'Number of tokens from the start of the prompt that are kept when a full context window has to drop older tokens.',
  ),
  spec(
    'num_batch',
    'int',
    '512',
    'Number of prompt tokens processed together in one batch. Larger batches read prompts faster but need more memory.',
  ),
  spec(
    'num_gpu',
    'int',
    '-1 (automatic)',
    'Number of model layers offloaded to the GPU. -1 lets Ollama decide from the free VRAM; 0 runs on the CPU only.',
  ),
  spec(
    'main_gpu',
    'int',
    'unset',
    'Index of the GPU that holds the small tensors and scratch buffers when a model is split across several GPUs.',
    true,
  ),
  spec(
    'num_thread',
    'int',
    '0 (automatic)',
    'Number of CPU threads used for computation. 0 lets the runtime choose, usually the number of physical cores.',
  ),
  spec(
    'use_mmap',
    'bool',
    'unset (automatic)',
    'Memory-map the model file instead of reading it into memory. Unset lets Ollama decide; false can help on slow or network disks.',
    true,
  ),
  spec(
    'draft_num_predict',
    'int',
    '4',
    'Number of tokens the DRAFT model proposes per step in speculative decoding. 0 turns speculative decoding off.',
  ),
];

/** Names Ollama still accepts but ignores: it prints `warning: parameter <name> is deprecated` and drops them. */
export const DEPRECATED_PARAMETERS: readonly string[] = [
  'penalize_newline',
  'low_vram',
  'f16_kv',
  'logits_all',
  'vocab_only',
  'use_mlock',
  'mirostat',
  'mirostat_tau',
  'mirostat_eta',
];

/** Command names the create step handles itself; every other command name is a parameter (spec §1.4). */
export const NON_PARAMETER_COMMANDS: readonly string[] = [
  'model',
  'license',
  'template',
  'system',
  'adapter',
  'draft',
  'renderer',
  'parser',
  'message',
  'requires',
];

const byName = new Map(PARAMETERS.map((p) => [p.name, p]));

/** The catalog by name. */
export const PARAMETER_CATALOG: ReadonlyMap<string, ParameterSpec> = byName;
const deprecatedNames = new Set(DEPRECATED_PARAMETERS);
const nonParameterNames = new Set(NON_PARAMETER_COMMANDS);

export function parameterSpec(name: string): ParameterSpec | undefined {
  return byName.get(name);
}

export function isDeprecatedParameter(name: string): boolean {
  return deprecatedNames.has(name);
}

/** True for commands whose name is a PARAMETER name (valid or not) rather than another instruction. */
export function isParameterCommand(name: string): boolean {
  return !nonParameterNames.has(name);
}

// ---------------------------------------------------------------------------------------------------------------
// "Did you mean"

/** Names other tools use for the same setting (llama.cpp, OpenAI, Hugging Face), mapped to Ollama's name. */
const ALIASES: Readonly<Record<string, string>> = {
  temp: 'temperature',
  max_tokens: 'num_predict',
  max_new_tokens: 'num_predict',
  n_predict: 'num_predict',
  context_length: 'num_ctx',
  context_window: 'num_ctx',
  n_ctx: 'num_ctx',
  ctx_size: 'num_ctx',
  n_batch: 'num_batch',
  batch_size: 'num_batch',
  n_gpu_layers: 'num_gpu',
  gpu_layers: 'num_gpu',
  ngl: 'num_gpu',
  n_threads: 'num_thread',
  threads: 'num_thread',
  num_threads: 'num_thread',
  n_keep: 'num_keep',
  repetition_penalty: 'repeat_penalty',
  stop_sequences: 'stop',
  stop_words: 'stop',
  random_seed: 'seed',
  mmap: 'use_mmap',
  no_mmap: 'use_mmap',
};

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/**
 * Valid parameter names close to an unknown one, best first: a case-only difference (`Temperature`), a known
 * alias from another tool (`max_tokens` → `num_predict`), else the names at the smallest edit distance (1, or up
 * to 2 for names longer than four characters), compared case-insensitively. Empty for valid names.
 */
export function similarParameters(name: string): string[] {
  if (byName.has(name)) return [];
  const lower = name.toLowerCase().replace(/-/g, '_');
  if (byName.has(lower)) return [lower];
  const alias = ALIASES[lower];
  if (alias !== undefined) return [alias];
  const limit = lower.length > 4 ? 2 : 1;
  let best = limit + 1;
  let found: string[] = [];
  for (const p of PARAMETERS) {
    const d = editDistance(lower, p.name);
    if (d < best) {
      best = d;
      found = [p.name];
    } else if (d === best) {
      found.push(p.name);
    }
  }
  return best <= limit ? found : [];
}

/** The single best "did you mean" suggestion for an unknown parameter name, if there is one. */
export function similarParameter(name: string): string | undefined {
  return similarParameters(name)[0];
}

// ---------------------------------------------------------------------------------------------------------------
// Go's strconv, as Ollama uses it

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** `strconv.ParseInt(s, 10, 64)`: optional sign, ASCII digits only, within int64; undefined when Go fails. */
export function parseGoInt(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const value = BigInt(s);
  return value < INT64_MIN || value > INT64_MAX ? undefined : value;
}

/** `strconv.ParseBool`. */
export function parseGoBool(s: string): boolean | undefined {
  switch (s) {
    case '1':
    case 't':
    case 'T':
    case 'TRUE':
    case 'true':
    case 'True':
      return true;
    case '0':
    case 'f':
    case 'F':
    case 'FALSE':
    case 'false':
    case 'False':
      return false;
    default:
      return undefined;
  }
}

export type GoFloatResult = { ok: true; value: number } | { ok: false; reason: 'syntax' | 'range' };

/** Go's `special`: [+-]inf, [+-]infinity (any case), or nan (any case, no sign). */
function specialFloat(s: string): number | undefined {
  const lower = s.toLowerCase();
  let body = lower;
  let sign = 1;
  if (lower.startsWith('+') || lower.startsWith('-')) {
    sign = lower.startsWith('-') ? -1 : 1;
    body = lower.slice(1);
  } else if (lower === 'nan') {
    return NaN;
  }
  return body === 'inf' || body === 'infinity' ? sign * Infinity : undefined;
}

/** Go's underscoreOK: `_` only between digits, or between a base prefix and a digit. */
function underscoresOk(s: string): boolean {
  let rest = s;
  if (rest.startsWith('+') || rest.startsWith('-')) rest = rest.slice(1);
  let saw = '^';
  let i = 0;
  let hex = false;
  if (rest.length >= 2 && rest[0] === '0' && /[bBoOxX]/.test(rest[1])) {
    i = 2;
    saw = '0';
    hex = rest[1] === 'x' || rest[1] === 'X';
  }
  for (; i < rest.length; i++) {
    const c = rest[i];
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

function bitLength(n: bigint): number {
  return n.toString(2).length;
}

/** The float32 nearest to num/den (both > 0), ties to even, as a JS number; Infinity when it overflows. */
function roundToFloat32(num: bigint, den: bigint): number {
  let e = Math.max(bitLength(num) - bitLength(den) - 24, -149);
  const divide = (exp: number): [bigint, bigint, bigint] => {
    const n = exp < 0 ? num << BigInt(-exp) : num;
    const d = exp > 0 ? den << BigInt(exp) : den;
    const q = n / d;
    return [q, n - q * d, d];
  };
  let [q, r, d] = divide(e);
  if (q >= 1n << 24n) {
    e += 1;
    [q, r, d] = divide(e);
  }
  const twice = 2n * r;
  if (twice > d || (twice === d && (q & 1n) === 1n)) q += 1n;
  if (q === 1n << 24n) {
    q = 1n << 23n;
    e += 1;
  }
  if (e > 104) return Infinity;
  return Number(q) * 2 ** e;
}

/**
 * `strconv.ParseFloat(s, 32)`: decimal or hexadecimal (`0x1.8p-3`, exponent required) literals with optional sign,
 * `_` digit separators where Go's literal syntax allows them, `inf`/`infinity`/`nan` in any case. The result is
 * correctly rounded to float32 (ties to even). Overflow is a `range` failure (Go returns ±Inf with ErrRange);
 * underflow quietly gives ±0, as in Go.
 */
export function parseGoFloat32(s: string): GoFloatResult {
  const special = specialFloat(s);
  if (special !== undefined) return { ok: true, value: special };

  let i = 0;
  let negative = false;
  if (s[i] === '+' || s[i] === '-') {
    negative = s[i] === '-';
    i++;
  }
  let hex = false;
  if (i + 2 < s.length && s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X')) {
    hex = true;
    i += 2;
  }
  let digits = '';
  let beforePoint = -1;
  let underscores = false;
  for (; i < s.length; i++) {
    const c = s[i];
    if (c === '_') {
      underscores = true;
    } else if (c === '.') {
      if (beforePoint >= 0) break;
      beforePoint = digits.length;
    } else if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      digits += c;
    } else {
      break;
    }
  }
  if (digits === '') return { ok: false, reason: 'syntax' };
  if (beforePoint < 0) beforePoint = digits.length;

  let exponent = 0;
  const expChar = hex ? 'p' : 'e';
  if (i < s.length && s[i].toLowerCase() === expChar) {
    i++;
    let expSign = 1;
    if (s[i] === '+' || s[i] === '-') {
      expSign = s[i] === '-' ? -1 : 1;
      i++;
    }
    if (i >= s.length || s[i] < '0' || s[i] > '9') return { ok: false, reason: 'syntax' };
    for (; i < s.length && ((s[i] >= '0' && s[i] <= '9') || s[i] === '_'); i++) {
      if (s[i] === '_') {
        underscores = true;
        continue;
      }
      if (exponent < 10000) exponent = exponent * 10 + (s.charCodeAt(i) - 48); // Go stops growing it here too
    }
    exponent *= expSign;
  } else if (hex) {
    return { ok: false, reason: 'syntax' };
  }
  if (underscores && !underscoresOk(s.slice(0, i))) return { ok: false, reason: 'syntax' };
  if (i !== s.length) return { ok: false, reason: 'syntax' };

  const mantissa = BigInt(hex ? '0x' + digits : digits);
  const zero = negative ? -0 : 0;
  if (mantissa === 0n) return { ok: true, value: zero };

  let magnitude: number; // value = mantissa · base^shift, approximate size used to skip huge powers
  let num = mantissa;
  let den = 1n;
  if (hex) {
    const shift = 4 * (beforePoint - digits.length) + exponent;
    magnitude = bitLength(mantissa) + shift; // log2
    if (magnitude > 130) return { ok: false, reason: 'range' };
    if (magnitude < -160) return { ok: true, value: zero };
    if (shift >= 0) num <<= BigInt(shift);
    else den <<= BigInt(-shift);
  } else {
    const shift = beforePoint - digits.length + exponent;
    magnitude = mantissa.toString().length + shift; // log10
    if (magnitude > 40) return { ok: false, reason: 'range' };
    if (magnitude < -50) return { ok: true, value: zero };
    if (shift >= 0) num *= 10n ** BigInt(shift);
    else den = 10n ** BigInt(-shift);
  }
  const value = roundToFloat32(num, den);
  if (value === Infinity) return { ok: false, reason: 'range' };
  return { ok: true, value: negative ? -value : value };
}

// ---------------------------------------------------------------------------------------------------------------
// Typing one PARAMETER, and the whole set

/** A typed value: int (number, or bigint beyond ±2^53), float32 as a number, bool, or a stop string. */
export type ParameterValue = number | bigint | boolean | string;

export type TypedParameter =
  | {
      ok: true;
      value: ParameterValue;
      /** A deprecated name: Ollama warns and drops it; `value` is the raw text. */
      deprecated?: boolean;
      /** A float that is ±Inf or NaN: Ollama accepts it here but cannot write it to JSON later. */
      nonFinite?: boolean;
    }
  | { ok: false; error: string };

/** Types one PARAMETER value as Ollama's CreateRequest does, with Ollama's exact error texts. */
export function typeParameterValue(name: string, raw: string): TypedParameter {
  if (deprecatedNames.has(name)) return { ok: true, value: raw, deprecated: true };
  const p = byName.get(name);
  if (p === undefined) return { ok: false, error: `unknown parameter '${name}'` };
  switch (p.type) {
    case 'int': {
      const value = parseGoInt(raw);
      if (value === undefined) return { ok: false, error: `invalid int value [${raw}]` };
      const small = value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER);
      return { ok: true, value: small ? Number(value) : value };
    }
    case 'float': {
      const parsed = parseGoFloat32(raw);
      if (!parsed.ok) return { ok: false, error: `invalid float value [${raw}]` };
      return Number.isFinite(parsed.value) ? { ok: true, value: parsed.value } : { ok: true, value: parsed.value, nonFinite: true };
    }
    case 'bool': {
      const value = parseGoBool(raw);
      if (value === undefined) return { ok: false, error: `invalid bool value [${raw}]` };
      return { ok: true, value };
    }
    case 'string-list':
      return { ok: true, value: raw };
  }
}

/** The params map a create request carries: ints, float32s, bools and string lists (`stop`). */
export type ParameterMap = Record<string, number | bigint | boolean | string[]>;

export type CollectedParameters =
  | {
      ok: true;
      params: ParameterMap;
      /** Ollama's own warning lines, e.g. `warning: parameter mirostat is deprecated`. */
      warnings: string[];
      /** Indexes (into the command list) of the deprecated parameters that were dropped. */
      deprecated: number[];
      /** Indexes of float parameters that are ±Inf or NaN (the params blob cannot be written). */
      nonFinite: number[];
    }
  | { ok: false; error: string; index: number };

/**
 * Builds the params map from Ollama's command list as `Modelfile.CreateRequest` does: list parameters append,
 * scalars keep the last value, deprecated names are dropped with a warning, and the first error stops everything.
 */
export function collectParameters(commands: readonly OllamaCommand[]): CollectedParameters {
  const params: ParameterMap = {};
  const warnings: string[] = [];
  const deprecated: number[] = [];
  const nonFinite: number[] = [];
  for (const [index, command] of commands.entries()) {
    if (!isParameterCommand(command.name)) continue;
    const typed = typeParameterValue(command.name, command.args);
    if (!typed.ok) return { ok: false, error: typed.error, index };
    if (typed.deprecated) {
      warnings.push(`warning: parameter ${command.name} is deprecated`);
      deprecated.push(index);
      continue;
    }
    if (typed.nonFinite) nonFinite.push(index);
    const existing = params[command.name];
    if (byName.get(command.name)?.type === 'string-list') {
      params[command.name] = [...(Array.isArray(existing) ? existing : []), String(typed.value)];
    } else {
      params[command.name] = typed.value as number | bigint | boolean;
    }
  }
  return { ok: true, params, warnings, deprecated, nonFinite };
}

// ---------------------------------------------------------------------------------------------------------------
// REQUIRES and MESSAGE

export const REQUIRES_ERROR = 'requires must be a valid semver (e.g. 0.14.0)';

function semverNumber(s: string, at: number): number {
  // Returns the index after a numeric part without leading zeros, or -1.
  let i = at;
  while (i < s.length && s[i] >= '0' && s[i] <= '9') i++;
  if (i === at || (s[at] === '0' && i - at > 1)) return -1;
  return i;
}

function semverIdentifiers(part: string, numericRule: boolean): boolean {
  return part.split('.').every((id) => id !== '' && /^[0-9A-Za-z-]+$/.test(id) && !(numericRule && /^0[0-9]+$/.test(id)));
}

/**
 * golang.org/x/mod/semver IsValid: `vMAJOR`, `vMAJOR.MINOR` or `vMAJOR.MINOR.PATCH[-pre][+build]`; numbers and
 * numeric prerelease identifiers without leading zeros; identifiers non-empty `[0-9A-Za-z-]`. A prerelease or build
 * suffix needs all three numbers (`v1.2-pre` is invalid).
 */
export function isGoSemver(v: string): boolean {
  if (!v.startsWith('v')) return false;
  let i = 1;
  for (let part = 0; part < 3; part++) {
    i = semverNumber(v, i);
    if (i < 0) return false;
    if (i === v.length) return true;
    if (part < 2) {
      if (v[i] !== '.') return false;
      i++;
    }
  }
  let rest = v.slice(i);
  if (rest.startsWith('-')) {
    const plus = rest.indexOf('+');
    const pre = plus < 0 ? rest.slice(1) : rest.slice(1, plus);
    if (!semverIdentifiers(pre, true)) return false;
    rest = plus < 0 ? '' : rest.slice(plus);
  }
  if (rest.startsWith('+')) return semverIdentifiers(rest.slice(1), false);
  return rest === '';
}

/** REQUIRES as Ollama stores it: a `v` is added when missing, validated, and stored without the `v`. */
export function normalizeRequires(raw: string): { ok: true; version: string } | { ok: false; error: typeof REQUIRES_ERROR } {
  const v = raw.startsWith('v') ? raw : 'v' + raw;
  return isGoSemver(v) ? { ok: true, version: v.slice(1) } : { ok: false, error: REQUIRES_ERROR };
}

/** MESSAGE arguments split back at the first `": "` (Go's strings.Cut); no separator → all role, empty content. */
export function splitMessage(args: string): { role: string; content: string } {
  const at = args.indexOf(': ');
  return at < 0 ? { role: args, content: '' } : { role: args.slice(0, at), content: args.slice(at + 2) };
}
