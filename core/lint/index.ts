// Public API of the linter: lint a Modelfile, the code catalog, and the file-system host for Node.
export { lintModelfile, type LintDiagnostic, type LintHost, type LintOptions, type Fix, type TextEdit } from './lint';
export { allCodes, codeInfo, CODES, type CodeInfo, type Severity } from './codes';
export { nodeLintHost, readFileHead } from './node-host';
