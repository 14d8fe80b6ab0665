// Errors only `create` raises: sources that need Ollama's converter, missing source files, a Modelfile path that
// does not exist, and a source file that changed while it was being copied.
import { StudioError } from '../errors';

/** Safetensors / PyTorch weights: only Ollama's own converter can turn them into GGUF. */
export class NeedsConverter extends StudioError {
  constructor(
    readonly what: string,
    readonly format: 'safetensors' | 'pytorch',
  ) {
    super(
      'NeedsConverter',
      `${what} holds ${format === 'safetensors' ? 'safetensors' : 'PyTorch'} weights, which need Ollama's converter: ` +
        'run `ollama create` with a running Ollama for this Modelfile, or convert the weights to GGUF first ' +
        '(llama.cpp convert_hf_to_gguf.py) and point FROM at the .gguf file',
    );
  }
}

/** A FROM/ADAPTER/DRAFT path that does not exist. `arg` is the path as written in the Modelfile. */
export class SourceMissing extends StudioError {
  constructor(
    readonly instruction: 'FROM' | 'ADAPTER' | 'DRAFT',
    readonly arg: string,
  ) {
    super(
      'SourceMissing',
      `${instruction} ${arg}: no such file or folder (relative paths are resolved against the Modelfile's folder); ` +
        'check the path' + (instruction === 'FROM' ? ', or write a model name' : ''),
    );
  }
}

/** `modelfile create -f FILE` with a file that does not exist (Ollama would silently use `FROM .` instead). */
export class ModelfileMissing extends StudioError {
  constructor(readonly shown: string) {
    super('ModelfileMissing', `no Modelfile at ${shown}: create one, or name it with -f FILE`);
  }
}

/** The bytes copied into the models directory are not the bytes that were inspected. */
export class SourceChanged extends StudioError {
  constructor(readonly file: string) {
    super('SourceChanged', `${file} changed while it was being copied; wait until it is complete and run create again`);
  }
}
