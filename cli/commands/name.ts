// `modelfile name`: checks model names against Ollama's grammar and shows how each one is qualified.
import { flagBool } from '../args';
import { EXIT_FAILURE, EXIT_OK, type CliCommand } from '../command';
import { describeName } from '../../core/names';

export const nameCommand: CliCommand = {
  spec: {
    name: 'name',
    summary: "Check model names against Ollama's grammar and show their fully qualified form and manifest path.",
    usage: 'modelfile name [--json] NAME...',
    minPositionals: 1,
    flags: [{ name: 'json', kind: 'boolean', description: 'Print one JSON object per name and line.' }],
    details:
      'Accepts [scheme://][host/][namespace/]model[:tag][@sha256:<hex>]; schemes http, https, https+insecure.\nJSON keys: input, valid, scheme, host, namespace, model, tag, digest, path and display (when valid), error (when not).\nExit code 1 when any name is invalid.',
  },
  async run(args, context) {
    let allValid = true;
    for (const input of args.positionals) {
      const report = describeName(input);
      if (!report.valid) allValid = false;
      if (flagBool(args, 'json')) {
        context.stdout.write(JSON.stringify(report) + '\n');
      } else if (report.valid) {
        const where = [report.path ? `manifests/${report.path}` : undefined, report.digest].filter(Boolean).join(', ');
        context.stdout.write(`${input}: valid: ${report.display}${where ? ` (${where})` : ''}\n`);
      } else {
        context.stdout.write(`${input}: invalid: ${report.error}\n`);
      }
    }
    return allValid ? EXIT_OK : EXIT_FAILURE;
  },
};
