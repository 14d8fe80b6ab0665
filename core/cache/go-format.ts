// Go's fmt verbs `%v` and `%#v` for the values a JSON decoder produces (float64, string, bool, nil, []any,
// map[string]any) — what `ollama show` uses to print parameters. Go decodes every JSON number into a float64, so
// `1000000` prints as `1e+06` (spec 1.7). strconv.Quote comes from the modelfile module.
import { goQuote } from '../modelfile/template-literals';

/** `%v` of a float64 (strconv 'g' with the shortest precision): the shortest digits that round-trip; exponent
 *  form when the decimal exponent is < -4 or >= 6 (Go decides with precision 6 in shortest mode, unlike
 *  encoding/json's 1e21), with at least two exponent digits: `1e+06`, `1.5e-05`, `123456`, `0.0001`. */
export function goFormatFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const negative = x < 0;
  // toExponential() without an argument yields the shortest digits that round-trip, like Go's shortest mode.
  const [mantissa, exponentText] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  let text: string;
  if (exponent < -4 || exponent >= 6) {
    const magnitude = String(Math.abs(exponent)).padStart(2, '0');
    text = `${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}e${exponent < 0 ? '-' : '+'}${magnitude}`;
  } else if (exponent < 0) {
    text = `0.${'0'.repeat(-exponent - 1)}${digits}`;
  } else {
    const pointAt = exponent + 1;
    text =
      digits.length <= pointAt
        ? digits + '0'.repeat(pointAt - digits.length)
        : `${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
  }
  return negative ? `-${text}` : text;
}

/** A value as Go's encoding/json decodes it into `any`. */
export type GoJsonValue = null | boolean | number | string | GoJsonValue[] | { [key: string]: GoJsonValue };

function format(value: GoJsonValue, sharp: boolean, nested: boolean): string {
  if (value === null) return sharp && nested ? 'interface {}(nil)' : '<nil>';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return goFormatFloat(value);
  if (typeof value === 'string') return sharp ? goQuote(value) : value;
  if (Array.isArray(value)) {
    const items = value.map((item) => format(item, sharp, true));
    return sharp ? `[]interface {}{${items.join(', ')}}` : `[${items.join(' ')}]`;
  }
  // Go prints map keys in sorted order.
  const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (sharp) {
    return `map[string]interface {}{${keys.map((k) => `${goQuote(k)}:${format(value[k], true, true)}`).join(', ')}}`;
  }
  return `map[${keys.map((k) => `${k}:${format(value[k], false, true)}`).join(' ')}]`;
}

/** fmt.Sprintf("%v", value). */
export function goV(value: GoJsonValue): string {
  return format(value, false, false);
}

/** fmt.Sprintf("%#v", value). */
export function goSharpV(value: GoJsonValue): string {
  return format(value, true, false);
}

/** fmt.Sprintf("%-*s", width, text): left-aligned, padded with spaces to `width` characters (runes). */
export function goPadRight(text: string, width: number): string {
  const length = [...text].length;
  return length >= width ? text : text + ' '.repeat(width - length);
}
