// Diagnostics: everything `modelfile lint` reports for the document, turned into LSP diagnostics with stable codes,
// severities (after the user's overrides) and the unnecessary/deprecated tags.
import { DiagnosticSeverity, DiagnosticTag, type Diagnostic } from 'vscode-languageserver';
import type { ParsedModelfile } from '../../core/modelfile';
import { lintModelfile, type LintDiagnostic, type LintHost, type Severity } from '../../core/lint';

export const DIAGNOSTIC_SOURCE = 'modelfile';

const SEVERITIES: Readonly<Record<Severity, DiagnosticSeverity>> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export interface DiagnosticsOptions {
  modelfileDir: string | undefined;
  host: LintHost;
  severities: Readonly<Record<string, Severity | 'off'>>;
}

/** The linter's findings for a parsed document. */
export function lintDocument(parsed: ParsedModelfile, options: DiagnosticsOptions): LintDiagnostic[] {
  return lintModelfile(parsed, { modelfileDir: options.modelfileDir, host: options.host, severities: options.severities });
}

export function toLspDiagnostic(item: LintDiagnostic): Diagnostic {
  const diagnostic: Diagnostic = {
    range: item.range,
    severity: SEVERITIES[item.severity],
    code: item.code,
    source: DIAGNOSTIC_SOURCE,
    message: item.message,
  };
  if (item.tags && item.tags.length > 0) {
    diagnostic.tags = item.tags.map((tag) => (tag === 'deprecated' ? DiagnosticTag.Deprecated : DiagnosticTag.Unnecessary));
  }
  return diagnostic;
}

export function toLspDiagnostics(items: readonly LintDiagnostic[]): Diagnostic[] {
  return items.map(toLspDiagnostic);
}
