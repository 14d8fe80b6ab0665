// `modelfile lint`: reports every problem the editor shows, for files and folders, as text, JSON or SARIF,
// with exit code 1 when any error remains.
import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { flagString, UsageError, type ParsedArgs } from '../args';
import { EXIT_FAILURE, EXIT_OK, type CliCommand } from '../command';
import { readAll, type CliContext } from '../context';
import { parseModelfile } from '../../core/modelfile';
import { allCodes, lintModelfile, nodeLintHost, type LintDiagnostic, type Severity } from '../../core/lint';

interface FileResult {
  file: string;
  diagnostics: LintDiagnostic[];
}

/** True for the file names the linter looks for inside folders. */
export function isModelfileName(name: string): boolean {
  return name === 'Modelfile' || name.startsWith('Modelfile.') || name.endsWith('.modelfile');
}

async function findModelfiles(dir: string, found: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      await findModelfiles(full, found);
    } else if (entry.isFile() && isModelfileName(entry.name)) {
      found.push(full);
    }
  }
}

async function expandTargets(targets: string[], cwd: string): Promise<string[]> {
  const files: string[] = [];
  for (const target of targets) {
    if (target === '-') {
      files.push('-');
      continue;
    }
    const full = resolve(cwd, target);
    let info;
    try {
      info = await stat(full);
    } catch {
      throw new UsageError(`${target}: no such file or folder`);
    }
    if (info.isDirectory()) await findModelfiles(full, files);
    else files.push(full);
  }
  return files;
}

function parseSeverityOverrides(values: string[]): Record<string, Severity | 'off'> {
  const known = new Set(allCodes().map((c) => c.code));
  const overrides: Record<string, Severity | 'off'> = {};
  for (const value of values) {
    const match = /^(MF\d{3})=(error|warning|information|hint|off)$/i.exec(value);
    if (!match) throw new UsageError(`--severity expects CODE=LEVEL (e.g. MF012=error; levels error, warning, information, hint, off), not '${value}'`);
    const code = match[1].toUpperCase();
    if (!known.has(code)) throw new UsageError(`--severity: ${code} is not a diagnostic code; run 'modelfile codes' for the list`);
    overrides[code] = match[2].toLowerCase() as Severity | 'off';
  }
  return overrides;
}

async function lintOne(file: string, context: CliContext, severities: Record<string, Severity | 'off'>): Promise<FileResult> {
  const bytes = file === '-' ? await readAll(context.stdin) : await readFile(file);
  const parsed = parseModelfile(bytes);
  const diagnostics = lintModelfile(parsed, {
    modelfileDir: file === '-' ? context.cwd : dirname(file),
    host: nodeLintHost(),
    severities,
  });
  return { file, diagnostics };
}

function displayPath(file: string, cwd: string): string {
  if (file === '-') return '<stdin>';
  const rel = relative(cwd, file);
  return rel.startsWith('..') ? file : rel;
}

function formatText(results: FileResult[], cwd: string): string {
  const lines: string[] = [];
  for (const { file, diagnostics } of results) {
    for (const d of diagnostics) {
      lines.push(`${displayPath(file, cwd)}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code} ${d.message}`);
    }
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

function formatJson(results: FileResult[], cwd: string): string {
  const rows = results.flatMap(({ file, diagnostics }) =>
    diagnostics.map((d) => ({ file: displayPath(file, cwd), range: d.range, severity: d.severity, code: d.code, message: d.message })),
  );
  return JSON.stringify(rows) + '\n';
}

function formatSarif(results: FileResult[], cwd: string, version: string): string {
  const levels: Record<Severity, string> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'modelfile-studio',
            version,
            informationUri: 'https://github.com/modelfile-studio/modelfile-studio',
            rules: allCodes().map((c) => ({
              id: c.code,
              name: c.title.replace(/(^|\s)(\w)/g, (_m, _s: string, ch: string) => ch.toUpperCase()).replace(/\W/g, ''),
              shortDescription: { text: c.title },
              fullDescription: { text: c.description },
              defaultConfiguration: { level: levels[c.severity] },
            })),
          },
        },
        results: results.flatMap(({ file, diagnostics }) =>
          diagnostics.map((d) => ({
            ruleId: d.code,
            level: levels[d.severity],
            message: { text: d.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: displayPath(file, cwd).split('\\').join('/') },
                  region: {
                    startLine: d.range.start.line + 1,
                    startColumn: d.range.start.character + 1,
                    endLine: d.range.end.line + 1,
                    endColumn: d.range.end.character + 1,
                  },
                },
              },
            ],
          })),
        ),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  });
  await Promise.all(workers);
  return results;
}

export function lintCommandWithVersion(version: string): CliCommand {
  return {
    spec: {
      name: 'lint',
      summary: 'Report every problem in Modelfiles that `ollama create` would reject or silently change.',
      usage: 'modelfile lint [--format text|json|sarif] [--severity CODE=LEVEL]... PATH...',
      minPositionals: 1,
      flags: [
        { name: 'format', short: 'f', kind: 'string', choices: ['text', 'json', 'sarif'], valueName: 'text|json|sarif', description: 'Output format (default text).' },
        { name: 'severity', kind: 'list', valueName: 'CODE=LEVEL', description: 'Change a code\'s severity: error, warning, information, hint or off. Repeatable.' },
      ],
      details:
        'PATH is a Modelfile, a folder (searched for Modelfile, Modelfile.* and *.modelfile), or - for standard input.\nText lines read `file:line:col: severity CODE message` (1-based); JSON ranges are 0-based LSP ranges.\nSilence a code on the next instruction with a comment line `# modelfile-ignore MF0xx`, or in the whole file\nwith `# modelfile-ignore-file MF0xx`. Exit code 1 when any error is reported, 2 on a usage error.',
    },
    async run(args: ParsedArgs, context) {
      const format = flagString(args, 'format') ?? 'text';
      const severities = parseSeverityOverrides((args.flags.get('severity') as string[] | undefined) ?? []);
      const files = await expandTargets(args.positionals, context.cwd);
      const results = await mapLimit(files, 16, (file) => lintOne(file, context, severities));
      if (format === 'json') context.stdout.write(formatJson(results, context.cwd));
      else if (format === 'sarif') context.stdout.write(formatSarif(results, context.cwd, version));
      else {
        context.stdout.write(formatText(results, context.cwd));
        const count = (s: Severity) => results.reduce((n, r) => n + r.diagnostics.filter((d) => d.severity === s).length, 0);
        const errors = count('error');
        const warnings = count('warning');
        if (errors + warnings > 0 || files.length > 1) {
          context.stderr.write(`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} in ${files.length} file${files.length === 1 ? '' : 's'}\n`);
        }
      }
      const failed = results.some((r) => r.diagnostics.some((d) => d.severity === 'error'));
      return failed ? EXIT_FAILURE : EXIT_OK;
    },
  };
}
