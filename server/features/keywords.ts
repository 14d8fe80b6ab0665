// Documentation of the Modelfile instructions and MESSAGE roles for hover and completion: syntax, what Ollama does
// with the value, and how repetition behaves (spec 1.4). Plain data.
import type { KeywordName } from '../../core/modelfile';

export interface KeywordDoc {
  keyword: KeywordName;
  syntax: string;
  summary: string;
  /** How several occurrences combine. */
  repetition: string;
}

export const KEYWORD_DOCS: Readonly<Record<KeywordName, KeywordDoc>> = {
  from: {
    keyword: 'from',
    syntax: 'FROM <model name | path to a .gguf file or model folder>',
    summary:
      'The base model: a model name (pulled first when it is not in the local models directory), or a GGUF file or model folder next to the Modelfile. A bare word that names an existing file or folder is read as a path. Required.',
    repetition: 'Paths merge into one file set; of several model names the last wins, and a model name makes Ollama ignore the files.',
  },
  parameter: {
    keyword: 'parameter',
    syntax: 'PARAMETER <name> <value>',
    summary: 'A runtime option stored in the model (temperature, num_ctx, stop, …). Names are case-sensitive; values are typed when the model is created.',
    repetition: '`stop` accumulates one entry per line; every other parameter keeps its last value.',
  },
  template: {
    keyword: 'template',
    syntax: 'TEMPLATE """<Go text/template>"""',
    summary: 'The prompt template, in Go text/template syntax, with .System, .Prompt, .Messages, .Tools and .Response. An empty TEMPLATE does not clear the one inherited from the base model.',
    repetition: 'The last TEMPLATE wins.',
  },
  system: {
    keyword: 'system',
    syntax: 'SYSTEM <text>',
    summary: 'The system prompt. Use quotes for text that starts or ends with spaces, and """ for several lines. An empty SYSTEM does not clear the inherited one.',
    repetition: 'The last SYSTEM wins.',
  },
  adapter: {
    keyword: 'adapter',
    syntax: 'ADAPTER <path to a LoRA adapter (.gguf file or folder)>',
    summary: 'A LoRA adapter applied to the base model. The path is relative to the Modelfile and must exist.',
    repetition: 'The last ADAPTER wins; Ollama supports one adapter file.',
  },
  draft: {
    keyword: 'draft',
    syntax: 'DRAFT <path to a draft model>',
    summary: 'A small draft model for speculative decoding. The path is relative to the Modelfile, must exist, and must not be the FROM file.',
    repetition: 'Paths merge.',
  },
  license: {
    keyword: 'license',
    syntax: 'LICENSE <text>',
    summary: 'A license text shipped with the model (shown by `ollama show --license`).',
    repetition: 'Accumulates: each LICENSE becomes its own layer.',
  },
  message: {
    keyword: 'message',
    syntax: 'MESSAGE <system|user|assistant> <text>',
    summary: 'A message of the conversation history the model starts with (few-shot examples). Roles are case-sensitive.',
    repetition: 'Accumulates in order; a Modelfile with MESSAGE lines replaces the inherited history.',
  },
  requires: {
    keyword: 'requires',
    syntax: 'REQUIRES <version>',
    summary: 'The minimum Ollama version the model needs, as a semantic version such as 0.14.0.',
    repetition: 'The last REQUIRES wins.',
  },
  renderer: {
    keyword: 'renderer',
    syntax: 'RENDERER <name>',
    summary: 'A built-in prompt renderer that Ollama uses instead of the template (for example qwen3-coder).',
    repetition: 'The last RENDERER wins.',
  },
  parser: {
    keyword: 'parser',
    syntax: 'PARSER <name>',
    summary: "A built-in output parser that Ollama uses to read tool calls and thinking from the model's output.",
    repetition: 'The last PARSER wins.',
  },
};

export const ROLE_DOCS: Readonly<Record<string, string>> = {
  system: 'A system message: instructions for the model. In chat templates all system messages are joined into .System.',
  user: 'A message from the user.',
  assistant: 'An answer from the model, as an example of how it should reply.',
};
