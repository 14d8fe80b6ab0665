// `modelfile codes`: lists the diagnostic codes with their default severity and meaning.
import { flagBool } from '../args';
import { EXIT_OK, type CliCommand } from '../command';
import { allCodes } from '../../core/lint';

export const codesCommand: CliCommand = {
  spec: {
    name: 'codes',
    summary: 'List the diagnostic codes (MF001…) with their default severity and meaning.',
    usage: 'modelfile codes [--json|--markdown]',
    maxPositionals: 0,
    flags: [
      { name: 'json', kind: 'boolean', description: 'Print the list as JSON.' },
      { name: 'markdown', kind: 'boolean', description: 'Print a Markdown table.' },
    ],
  },
  async run(args, context) {
    const codes = allCodes();
    if (flagBool(args, 'json')) {
      context.stdout.write(JSON.stringify(codes) + '\n');
    } else if (flagBool(args, 'markdown')) {
      context.stdout.write('| Code | Default | Title | Meaning |\n|---|---|---|---|\n');
      for (const c of codes) context.stdout.write(`| ${c.code} | ${c.severity} | ${c.title} | ${c.description.replace(/\|/g, '\\|')} |\n`);
    } else {
      for (const c of codes) context.stdout.write(`${c.code}  ${c.severity.padEnd(11)}  ${c.title}\n`);
    }
    return EXIT_OK;
  },
};
