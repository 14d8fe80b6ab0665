// The file-system half of FROM/ADAPTER/DRAFT resolution (spec 4.1–4.3): expand each path argument like Ollama's
// client, tell files from folders from "does not exist" (a model name, for FROM), select the files of a folder by
// Ollama's groups with its content sniffing, keep resolved files inside their folder, and sniff each file's first
// bytes. Everything the pure planner needs is collected here, so plan.ts never touches the disk.
import { promises as fsp } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, sep, isAbsolute } from 'node:path';
import { ModelfileInvalid } from '../errors';
import { isGgufMagic } from '../gguf';
import { expandModelfilePath } from '../modelfile/paths';
import type { OllamaCommand } from '../modelfile/syntax';

/** What the first bytes of a file look like: GGUF, a zip archive (PyTorch), binary, or text. */
export type FileHead = 'gguf' | 'zip' | 'binary' | 'text';

export interface SourceFile {
  /** The expanded path (symbolic links not resolved); relative names are computed from it. */
  path: string;
  /** The path with every symbolic link resolved. */
  real: string;
  size: number;
  head: FileHead;
}

/** What Ollama's folder selection (spec 4.3) found. */
export type FolderSelection =
  | { kind: 'safetensors' }
  | { kind: 'pytorch' }
  /** Group 5 (`*.gguf`) or 6 (`*.bin`), plus the JSON/tokenizer files Ollama always adds to the set. */
  | { kind: 'weights'; group: 'gguf' | 'bin'; files: SourceFile[]; extras: SourceFile[] }
  | { kind: 'empty' };

export type ResolvedSource =
  | { kind: 'missing'; arg: string; path: string }
  | { kind: 'file'; arg: string; file: SourceFile }
  | { kind: 'folder'; arg: string; path: string; real: string; selection: FolderSelection };

export type SourceInstruction = 'FROM' | 'ADAPTER' | 'DRAFT';

/** Looks up how an argument of an instruction resolved. */
export type SourceLookup = (instruction: SourceInstruction, arg: string) => ResolvedSource;

const INSTRUCTION_OF: Readonly<Record<string, SourceInstruction>> = { model: 'FROM', adapter: 'ADAPTER', draft: 'DRAFT' };

const SNIFF_BYTES = 512;

function isBinaryByte(b: number): boolean {
  // Go's http.DetectContentType: these bytes never appear in text.
  return b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f);
}

/** Classifies the first bytes of a file the way Ollama's checks need it. */
export function sniffHead(bytes: Uint8Array): FileHead {
  if (isGgufMagic(bytes)) return 'gguf';
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'zip';
  for (const b of bytes) if (isBinaryByte(b)) return 'binary';
  return 'text';
}

/** Go's content type for a sniffed head (only the part before `;`), for error messages. */
export function contentTypeOf(head: FileHead): string {
  if (head === 'zip') return 'application/zip';
  if (head === 'text') return 'text/plain';
  return 'application/octet-stream';
}

async function readHead(path: string): Promise<Uint8Array> {
  const handle = await fsp.open(path, 'r');
  try {
    const buffer = new Uint8Array(SNIFF_BYTES);
    let length = 0;
    while (length < SNIFF_BYTES) {
      const { bytesRead } = await handle.read(buffer, length, SNIFF_BYTES - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

async function describeFile(path: string): Promise<SourceFile> {
  const [real, stat] = await Promise.all([fsp.realpath(path), fsp.stat(path)]);
  return { path, real, size: stat.size, head: sniffHead(await readHead(path)) };
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Go's filepath.Match for patterns that only use `*` (any run of characters other than the separator). */
function globMatcher(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]*');
  return new RegExp(`^${body}$`);
}

async function sortedNames(dir: string): Promise<string[]> {
  try {
    return (await fsp.readdir(dir)).sort();
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

async function isDir(path: string): Promise<boolean> {
  return (await fsp.stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

async function isFile(path: string): Promise<boolean> {
  return (await fsp.stat(path).catch(() => undefined))?.isFile() ?? false;
}

/** Go's filepath.Glob for a one-level pattern (`model*.gguf`) or a two-level one (`<dir>/model*.gguf` with a `*` folder), sorted like Go. */
async function glob(dir: string, pattern: string): Promise<string[]> {
  const parts = pattern.split('/');
  let current = [dir];
  for (const [index, part] of parts.entries()) {
    const last = index === parts.length - 1;
    const matcher = globMatcher(part);
    const next: string[] = [];
    for (const base of current) {
      for (const name of await sortedNames(base)) {
        if (!matcher.test(name)) continue;
        const full = join(base, name);
        if (last ? await isFile(full) : await isDir(full)) next.push(full);
      }
    }
    current = next;
  }
  return current;
}

async function describeAll(paths: readonly string[]): Promise<SourceFile[]> {
  return Promise.all(paths.map(describeFile));
}

/** The group's files if every one sniffs as `wanted`, else none (Ollama silently empties such a group). */
async function sniffedGroup(dir: string, pattern: string, wanted: FileHead[]): Promise<SourceFile[]> {
  const files = await describeAll(await glob(dir, pattern));
  return files.every((f) => wanted.includes(f.head)) ? files : [];
}

/** Files a folder contributes beside its weights (spec 4.3): JSON files, the chat template, the tokenizer. */
async function folderExtras(dir: string): Promise<SourceFile[]> {
  const extras: SourceFile[] = [];
  for (const file of await describeAll([...(await glob(dir, '*.json')), ...(await glob(dir, '*/*.json'))])) {
    if (file.head !== 'text') {
      throw new ModelfileInvalid(
        `invalid content type: ${contentTypeOf(file.head)} (${relativeShown(dir, file.path)} is not a JSON text file)`,
      );
    }
    extras.push(file);
  }
  const template = join(dir, 'chat_template.jinja');
  if (await isFile(template)) extras.push(await describeFile(template));
  const tokenizer = await glob(dir, 'tokenizer.model');
  if (tokenizer.length > 0) {
    extras.push(...(await describeAll(tokenizer)));
  } else {
    extras.push(...(await describeAll(await glob(dir, '*/tokenizer.model'))));
  }
  return extras;
}

function relativeShown(dir: string, path: string): string {
  return relative(dir, path).split(sep).join('/');
}

/** Ollama's folder selection (spec 4.3): the first group that matches wins. ADAPTER folders also recognise
 *  Hugging Face PEFT adapters (`adapter_model*`), which need the converter. */
export async function selectFolder(dir: string, instruction: SourceInstruction): Promise<FolderSelection> {
  if (instruction === 'ADAPTER') {
    if ((await glob(dir, 'adapter_model*.safetensors')).length > 0) return { kind: 'safetensors' };
    if ((await sniffedGroup(dir, 'adapter_model*.bin', ['zip'])).length > 0) return { kind: 'pytorch' };
  }
  if ((await glob(dir, 'model*.safetensors')).length > 0 || (await glob(dir, '*/model*.safetensors')).length > 0) {
    return { kind: 'safetensors' };
  }
  if ((await glob(dir, 'consolidated*.safetensors')).length > 0) return { kind: 'safetensors' };
  if ((await sniffedGroup(dir, 'pytorch_model*.bin', ['zip'])).length > 0) return { kind: 'pytorch' };
  if ((await sniffedGroup(dir, 'consolidated*.pth', ['zip'])).length > 0) return { kind: 'pytorch' };
  for (const group of ['gguf', 'bin'] as const) {
    const files = await sniffedGroup(dir, `*.${group}`, ['gguf', 'binary']);
    if (files.length > 0) return { kind: 'weights', group, files, extras: await folderExtras(dir) };
  }
  return { kind: 'empty' };
}

/** Every file of a folder must resolve (through symbolic links) to a place inside the folder (spec 4.1 step 3). */
function checkInside(realDir: string, dir: string, files: readonly SourceFile[]): void {
  for (const file of files) {
    const rel = relative(realDir, file.real);
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      const shown = relativeShown(dir, file.path);
      const hint = file.real.includes('.cache')
        ? ' (it is a symbolic link into a cache, such as the Hugging Face cache; download the files into a real ' +
          'folder, e.g. with `huggingface-cli download --local-dir DIR`, and use that folder)'
        : ' (it is a symbolic link to a file outside the folder; copy the file into the folder instead)';
      throw new ModelfileInvalid(`insecure path: ${shown}${hint}`);
    }
  }
}

async function resolveOne(instruction: SourceInstruction, arg: string, modelfileDir: string, home: string): Promise<ResolvedSource> {
  const path = expandModelfilePath(arg, modelfileDir, home);
  let stat;
  try {
    stat = await fsp.stat(path);
  } catch (error) {
    if (isNotFound(error)) return { kind: 'missing', arg, path };
    throw error;
  }
  if (stat.isFile()) return { kind: 'file', arg, file: await describeFile(path) };
  if (!stat.isDirectory()) throw new ModelfileInvalid(`${instruction} ${arg}: not a regular file or folder`);
  const real = await fsp.realpath(path);
  const selection = await selectFolder(path, instruction);
  if (selection.kind === 'weights') checkInside(real, path, [...selection.files, ...selection.extras]);
  return { kind: 'folder', arg, path, real, selection };
}

/**
 * Resolves every FROM, ADAPTER and DRAFT argument of a command list against the file system. `modelfileDir`
 * is the folder relative paths start from; `home` expands `~` (default: the user's home).
 */
export async function resolveSources(
  commands: readonly OllamaCommand[],
  modelfileDir: string,
  options: { home?: string } = {},
): Promise<SourceLookup> {
  const home = options.home ?? homedir();
  const resolved = new Map<string, ResolvedSource>();
  for (const command of commands) {
    const instruction = INSTRUCTION_OF[command.name];
    if (instruction === undefined) continue;
    const key = `${instruction}\0${command.args}`;
    if (!resolved.has(key)) resolved.set(key, await resolveOne(instruction, command.args, modelfileDir, home));
  }
  return (instruction, arg) => {
    const found = resolved.get(`${instruction}\0${arg}`);
    if (found === undefined) throw new Error(`internal: ${instruction} ${arg} was not resolved`);
    return found;
  };
}
