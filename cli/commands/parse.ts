// `modelfile parse`: prints the command list Ollama's parser yields for a Modelfile, or Ollama's error text.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { flagBool } from '../args';
import { EXIT_FAILURE, EXIT_OK, type CliCommand } from '../command';
import { readAll } from '../context';
import { parseModelfile } from '../../core/modelfile';

export const parseCommand: CliCommand = {
  spec: {
    name: 'parse',
    summary: "Print the command list that Ollama's parser produces for a Modelfile (FILE, or - for standard input).",
    usage: 'modelfile parse [--json] FILE|-',
    minPositionals: 1,
    maxPositionals: 1,
    flags: [{ name: 'json', kind: 'boolean', description: 'Print {"ok":true,"commands":[…]} or {"ok":false,"error":"…"}.' }],
    details: 'Command names are Ollama\'s: "model" for FROM, the raw name for PARAMETER, "message" with args\n"<role>: <content>", the lower-case keyword otherwise. Exit code 1 when Ollama would reject the file.',
  },
  async run(args, context) {
    const file = args.positionals[0];
    const bytes = file === '-' ? await readAll(context.stdin) : await readFile(resolve(context.cwd, file));
    const { ollama } = parseModelfile(bytes);
    if (flagBool(args, 'json')) {
      context.stdout.write(JSON.stringify(ollama.ok ? { ok: true, commands: ollama.commands } : { ok: false, error: ollama.error }) + '\n');
    } else if (ollama.ok) {
      for (const command of ollama.commands) context.stdout.write(`${command.name} ${JSON.stringify(command.args)}\n`);
    } else {
      context.stderr.write(`Error: ${ollama.error}\n`);
    }
    return ollama.ok ? EXIT_OK : EXIT_FAILURE;
  },
};
