// A small, strict argument parser for the `modelfile` command: declared flags only, `--flag=value` and
// `--flag value` forms, `--` to end options, and a UsageError (exit code 2) that names the problem.

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface FlagSpec {
  name: string;
  short?: string;
  /** 'boolean' flags take no value; 'string' flags take one; 'list' flags may repeat. */
  kind: 'boolean' | 'string' | 'list';
  /** For string flags: the allowed values. */
  choices?: readonly string[];
  valueName?: string;
  description: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  flags: FlagSpec[];
  /** Extra help text printed after the options. */
  details?: string;
  minPositionals?: number;
  maxPositionals?: number;
}

export interface ParsedArgs {
  flags: Map<string, string | boolean | string[]>;
  positionals: string[];
}

export const helpFlag: FlagSpec = { name: 'help', short: 'h', kind: 'boolean', description: 'Show this help.' };

export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const flags = new Map<string, string | boolean | string[]>();
  const positionals: string[] = [];
  const all = [...spec.flags, helpFlag];
  const byName = new Map(all.map((f) => [f.name, f]));
  const byShort = new Map(all.filter((f) => f.short).map((f) => [f.short!, f]));
  const where = `modelfile ${spec.name}`;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('-') && arg !== '-') {
      const long = arg.startsWith('--');
      const body = long ? arg.slice(2) : arg.slice(1);
      const eq = body.indexOf('=');
      const key = eq >= 0 ? body.slice(0, eq) : body;
      const flag = long ? byName.get(key) : byShort.get(key);
      if (!flag) {
        throw new UsageError(`unknown option '${arg}' for '${where}'. Run '${where} --help' for the options.`);
      }
      if (flag.kind === 'boolean') {
        if (eq >= 0) throw new UsageError(`option '--${flag.name}' takes no value`);
        flags.set(flag.name, true);
        continue;
      }
      let value: string | undefined = eq >= 0 ? body.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`option '--${flag.name}' needs a value (${flag.valueName ?? 'VALUE'})`);
      if (flag.choices && !flag.choices.includes(value)) {
        throw new UsageError(`option '--${flag.name}' must be one of ${flag.choices.join(', ')}, not '${value}'`);
      }
      if (flag.kind === 'list') {
        const list = (flags.get(flag.name) as string[] | undefined) ?? [];
        list.push(value);
        flags.set(flag.name, list);
      } else {
        flags.set(flag.name, value);
      }
      value = undefined;
      continue;
    }
    positionals.push(arg);
  }
  if (flags.get('help')) return { flags, positionals };
  if (spec.minPositionals !== undefined && positionals.length < spec.minPositionals) {
    throw new UsageError(`'${where}' needs ${spec.usage.replace(/^\S+\s+\S+\s*/, '') || 'more arguments'}. Run '${where} --help'.`);
  }
  if (spec.maxPositionals !== undefined && positionals.length > spec.maxPositionals) {
    throw new UsageError(`'${where}' takes at most ${spec.maxPositionals} argument${spec.maxPositionals === 1 ? '' : 's'}, got ${positionals.length}. Run '${where} --help'.`);
  }
  return { flags, positionals };
}

export function formatHelp(spec: CommandSpec): string {
  const lines = [`Usage: ${spec.usage}`, '', spec.summary, ''];
  const all = [...spec.flags, helpFlag];
  const labels = all.map((f) => {
    const value = f.kind === 'boolean' ? '' : ` ${f.valueName ?? (f.choices ? f.choices.join('|') : 'VALUE')}`;
    return `${f.short ? `-${f.short}, ` : '    '}--${f.name}${value}`;
  });
  const width = Math.max(...labels.map((l) => l.length)) + 2;
  lines.push('Options:');
  all.forEach((f, i) => lines.push(`  ${labels[i].padEnd(width)}${f.description}`));
  if (spec.details) lines.push('', spec.details.trimEnd());
  return lines.join('\n') + '\n';
}

export function flagString(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

export function flagBool(args: ParsedArgs, name: string): boolean {
  return args.flags.get(name) === true;
}
