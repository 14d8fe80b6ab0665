// Go's literal rules as text/template applies them while parsing a TEMPLATE: strconv.Unquote for strings,
// strconv.UnquoteChar for character constants, the number checks of parse.newNumber (ParseUint/ParseInt/ParseFloat
// with base prefixes and '_' separators, imaginary and complex constants), and the %q / %#U formatting that Go's
// error messages use. Pure functions over strings; nothing here knows about templates.

/** Reports whether `cp` is printable in the sense of Go's strconv.IsPrint (letters, marks, numbers, punctuation,
 *  symbols and the ASCII space). */
export function isGoPrint(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x20 && cp < 0x7f;
  if (cp >= 0xd800 && cp <= 0xdfff) return false;
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(String.fromCodePoint(cp));
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** Go's strconv.Quote (the %q verb), used in error messages. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp === 0x22) out += '\\"';
    else if (cp === 0x5c) out += '\\\\';
    else if (isGoPrint(cp)) out += ch;
    else if (cp === 7) out += '\\a';
    else if (cp === 8) out += '\\b';
    else if (cp === 12) out += '\\f';
    else if (cp === 10) out += '\\n';
    else if (cp === 13) out += '\\r';
    else if (cp === 9) out += '\\t';
    else if (cp === 11) out += '\\v';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (cp < 0x10000) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return out + '"';
}

/** Go's `%.10q`: at most ten characters, quoted. */
export function goQuoteTruncated(s: string, max: number): string {
  const chars = Array.from(s);
  return goQuote(chars.length > max ? chars.slice(0, max).join('') : s);
}

/** Go's `%#U`: `U+0023 '#'` (the character itself only when printable). */
export function goRuneName(cp: number): string {
  const code = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return isGoPrint(cp) ? `${code} '${String.fromCodePoint(cp)}'` : code;
}

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function hexValue(c: number): number {
  if (c <= 57) return c - 48;
  return (c | 0x20) - 87;
}

/** One step of Go's strconv.UnquoteChar on `s` at `i` inside a literal delimited by `quote`.
 *  Returns the index after the character or escape, or -1 when Go reports a syntax error. */
function unquoteCharAt(s: string, i: number, quote: number): number {
  const c = s.charCodeAt(i);
  if (c === quote && (quote === 0x27 || quote === 0x22)) return -1;
  if (c >= 0x80) {
    const cp = s.codePointAt(i) ?? c;
    return i + (cp > 0xffff ? 2 : 1);
  }
  if (c !== 0x5c) return i + 1;
  if (i + 1 >= s.length) return -1;
  const e = s.charCodeAt(i + 1);
  let j = i + 2;
  switch (e) {
    case 0x61: // a
    case 0x62: // b
    case 0x66: // f
    case 0x6e: // n
    case 0x72: // r
    case 0x74: // t
    case 0x76: // v
    case 0x5c: // backslash
      return j;
    case 0x78: // x
    case 0x75: // u
    case 0x55: {
      // U
      const n = e === 0x78 ? 2 : e === 0x75 ? 4 : 8;
      if (j + n > s.length) return -1;
      let v = 0;
      for (let k = 0; k < n; k++) {
        const d = s.charCodeAt(j + k);
        if (!isHexDigit(d)) return -1;
        v = v * 16 + hexValue(d);
      }
      j += n;
      if (e !== 0x78 && (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))) return -1;
      return j;
    }
    case 0x27: // '
    case 0x22: // "
      return e === quote ? j : -1;
    default: {
      if (e < 0x30 || e > 0x37) return -1;
      if (j + 2 > s.length) return -1;
      let v = e - 0x30;
      for (let k = 0; k < 2; k++) {
        const d = s.charCodeAt(j + k) - 0x30;
        if (d < 0 || d > 7) return -1;
        v = (v << 3) | d;
      }
      return v > 255 ? -1 : j + 2;
    }
  }
}

/** Go's strconv.Unquote for a string token as the template lexer produced it ("…" or `…`): the value, or
 *  undefined when Go reports a syntax error. (A \x escape yields the code point of that byte.) */
export function goUnquote(token: string): string | undefined {
  if (token.length < 2) return undefined;
  const quote = token.charCodeAt(0);
  const last = token.length - 1;
  if (quote === 0x60) {
    if (token.charCodeAt(last) !== 0x60 || token.indexOf('`', 1) !== last) return undefined;
    return token.slice(1, last).replace(/\r/g, '');
  }
  if (quote !== 0x22 || token.charCodeAt(last) !== 0x22) return undefined;
  if (token.indexOf('\\') < 0) {
    const body = token.slice(1, last);
    return body.includes('"') || body.includes('\n') ? undefined : body;
  }
  let out = '';
  let i = 1;
  while (i < last) {
    const c = token.charCodeAt(i);
    if (c === 10) return undefined;
    const next = unquoteCharAt(token, i, 0x22);
    if (next < 0) return undefined;
    out += c === 0x5c ? decodeEscape(token.slice(i, next)) : token.slice(i, next);
    i = next;
  }
  return i === last ? out : undefined;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/** The value of one escape sequence already validated by unquoteCharAt. */
function decodeEscape(esc: string): string {
  const kind = esc[1] ?? '';
  const simple = SIMPLE_ESCAPES[kind];
  if (simple !== undefined) return simple;
  if (kind === 'x' || kind === 'u' || kind === 'U') return String.fromCodePoint(parseInt(esc.slice(2), 16));
  return String.fromCodePoint(parseInt(esc.slice(1), 8));
}

/** Why a character constant is rejected (the text Go reports), or undefined when it is valid. */
export function goCharConstantError(token: string): string | undefined {
  const i = unquoteCharAt(token, 1, 0x27);
  if (i < 0) return 'invalid syntax';
  if (token.slice(i) !== "'") return `malformed character constant: ${token}`;
  return undefined;
}

// ---- numbers (strconv.ParseUint / ParseInt / ParseFloat with base 0, as parse.newNumber calls them) ----

const MAX_UINT64 = (1n << 64n) - 1n;
const MAX_INT64 = (1n << 63n) - 1n;

/** Go's underscoreOK: '_' only between digits, or between a base prefix and a digit. */
function underscoreOK(s: string): boolean {
  let saw = '^';
  let i = 0;
  if (s.length >= 1 && (s[0] === '-' || s[0] === '+')) s = s.slice(1);
  let hexDigits = false;
  if (s.length >= 2 && s[0] === '0' && 'bBoOxX'.includes(s[1] ?? '')) {
    i = 2;
    saw = '0';
    hexDigits = s[1] === 'x' || s[1] === 'X';
  }
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 48 && c <= 57) || (hexDigits && isHexDigit(c))) {
      saw = '0';
      continue;
    }
    if (c === 0x5f) {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

/** strconv.ParseUint(s, 0, 64): the value, or undefined on a syntax or range error. */
function parseUint(s: string): bigint | undefined {
  if (s === '') return undefined;
  const s0 = s;
  let base = 10;
  if (s[0] === '0') {
    const p = (s[1] ?? '').toLowerCase();
    if (s.length >= 3 && p === 'b') {
      base = 2;
      s = s.slice(2);
    } else if (s.length >= 3 && p === 'o') {
      base = 8;
      s = s.slice(2);
    } else if (s.length >= 3 && p === 'x') {
      base = 16;
      s = s.slice(2);
    } else {
      base = 8;
      s = s.slice(1);
    }
  }
  let underscores = false;
  let n = 0n;
  const b = BigInt(base);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let d: number;
    if (c === 0x5f) {
      underscores = true;
      continue;
    } else if (c >= 48 && c <= 57) d = c - 48;
    else if ((c | 0x20) >= 97 && (c | 0x20) <= 122) d = (c | 0x20) - 87;
    else return undefined;
    if (d >= base) return undefined;
    n = n * b + BigInt(d);
    if (n > MAX_UINT64) return undefined;
  }
  if (underscores && !underscoreOK(s0)) return undefined;
  return n;
}

/** strconv.ParseInt(s, 0, 64) succeeds. */
function parseIntOk(s: string): boolean {
  if (s === '') return false;
  let neg = false;
  let body = s;
  if (s[0] === '+') body = s.slice(1);
  else if (s[0] === '-') {
    neg = true;
    body = s.slice(1);
  }
  const u = parseUint(body);
  if (u === undefined) return false;
  return neg ? u <= MAX_INT64 + 1n : u <= MAX_INT64;
}

/** strconv.ParseFloat(s, 64) succeeds (valid syntax and no overflow to ±Inf). */
export function parseFloatOk(s: string): boolean {
  let i = 0;
  if (i >= s.length) return false;
  let neg = '';
  if (s[i] === '+') i++;
  else if (s[i] === '-') {
    neg = '-';
    i++;
  }
  // Special values (the template lexer never produces them, but ParseFloat accepts them).
  const rest = s.slice(i).toLowerCase();
  if (rest === 'inf' || rest === 'infinity' || (rest === 'nan' && neg === '' && s[0] !== '+')) return true;
  let isHex = false;
  if (i + 2 < s.length && s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X')) {
    isHex = true;
    i += 2;
  }
  let underscores = false;
  let sawDot = false;
  let sawDigits = false;
  let mantissa = '';
  let fracDigits = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5f) {
      underscores = true;
      continue;
    }
    if (c === 0x2e) {
      if (sawDot) break;
      sawDot = true;
      continue;
    }
    if ((c >= 48 && c <= 57) || (isHex && isHexDigit(c))) {
      sawDigits = true;
      mantissa += s[i];
      if (sawDot) fracDigits++;
      continue;
    }
    break;
  }
  if (!sawDigits) return false;
  let exp = 0;
  const expChar = isHex ? 'p' : 'e';
  if (i < s.length && s[i]?.toLowerCase() === expChar) {
    i++;
    if (i >= s.length) return false;
    let esign = 1;
    if (s[i] === '+') i++;
    else if (s[i] === '-') {
      i++;
      esign = -1;
    }
    const first = s.charCodeAt(i);
    if (i >= s.length || first < 48 || first > 57) return false;
    let e = 0;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x5f) {
        underscores = true;
        continue;
      }
      if (c < 48 || c > 57) break;
      if (e < 10000) e = e * 10 + (c - 48);
    }
    exp = e * esign;
  } else if (isHex) {
    return false; // a hexadecimal mantissa needs a 'p' exponent
  }
  if (underscores && !underscoreOK(s.slice(0, i))) return false;
  if (i !== s.length) return false;
  // Range: overflow to infinity is an error; underflow to zero is not.
  if (isHex) {
    const m = BigInt(`0x${mantissa}`);
    if (m === 0n) return true;
    const bits = m.toString(2).length;
    return bits - 1 + exp - 4 * fracDigits <= 1023;
  }
  return Number.isFinite(Number(s.replace(/_/g, '')));
}

/** Go's fmt scanning of one float token (ss.floatToken): returns the index after it. */
function floatTokenEnd(s: string, i: number): number {
  const accept = (set: string): boolean => {
    if (i < s.length && set.includes(s[i] ?? '')) {
      i++;
      return true;
    }
    return false;
  };
  const start = i;
  if (accept('nN') && accept('aA') && accept('nN')) return i;
  i = start;
  accept('+-');
  const afterSign = i;
  if (accept('iI') && accept('nN') && accept('fF')) return i;
  i = afterSign;
  let digits = '0123456789_';
  let exponent = 'eEpP';
  if (accept('0') && accept('xX')) {
    digits = '0123456789aAbBcCdDeEfF_';
    exponent = 'pP';
  }
  while (accept(digits));
  if (accept('.')) while (accept(digits));
  if (accept(exponent)) {
    accept('+-');
    while (accept('0123456789_'));
  }
  return i;
}

/** The error Go reports for a number token, or undefined when parse.newNumber accepts it. `complex` marks a token
 *  the lexer classified as a complex constant (like `1+2i`). */
export function goNumberError(text: string, complex: boolean): string | undefined {
  if (complex) {
    // fmt.Sscan(text, &complex128)
    const realEnd = floatTokenEnd(text, 0);
    const sign = text[realEnd];
    if (sign !== '+' && sign !== '-') return 'syntax error scanning complex number';
    const imagEnd = floatTokenEnd(text, realEnd + 1);
    if (text[imagEnd] !== 'i') return 'syntax error scanning complex number';
    for (const part of [text.slice(0, realEnd), text.slice(realEnd, imagEnd)]) {
      if (!parseFloatOk(part)) return `strconv.ParseFloat: parsing ${goQuote(part)}: invalid syntax`;
    }
    return undefined;
  }
  if (text.endsWith('i') && parseFloatOk(text.slice(0, -1))) return undefined;
  if (parseUint(text) !== undefined || parseIntOk(text)) return undefined;
  if (parseFloatOk(text)) {
    if (!/[.eEpP]/.test(text)) return `integer overflow: ${text}`;
    return undefined;
  }
  return `illegal number syntax: ${goQuote(text)}`;
}
