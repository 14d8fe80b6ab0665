// Tests for what the Models view shows, computed without VS Code (client/model/grouping.ts and format.ts):
// grouping by registry/namespace and its order, row labels, descriptions (size · quantization), group summaries,
// and the Markdown tooltip with every detail and escaped model text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ModelListEntry } from '../../core/cache';
import { formatBytes, modelDescription, modelDetails, modelTooltipMarkdown } from '../../client/model/format';
import { groupModels, groupSummary } from '../../client/model/grouping';

function entry(fullName: string, overrides: Partial<ModelListEntry> = {}): ModelListEntry {
  const short = fullName.replace(/^registry\.ollama\.ai\/library\//, '').replace(/^registry\.ollama\.ai\//, '');
  return {
    name: short,
    fullName,
    id: 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72',
    size: 2_019_393_189,
    modifiedAt: '2025-01-02T03:04:05.000Z',
    modifiedMs: Date.parse('2025-01-02T03:04:05.000Z'),
    format: 'gguf',
    family: 'llama',
    families: ['llama'],
    parameterSize: '3.2B',
    quantization: 'Q4_K_M',
    contextLength: 131072,
    capabilities: ['completion', 'tools'],
    parentModel: '',
    ...overrides,
  };
}

describe('groupModels', () => {
  it('groups by host/namespace, Ollama\'s library first, then by name; models as model:tag sorted by name', () => {
    const groups = groupModels([
      entry('registry.ollama.ai/library/qwen3:8b'),
      entry('127.0.0.1:5000/e2e/tiny:latest'),
      entry('registry.ollama.ai/me/mine:v1'),
      entry('registry.ollama.ai/library/llama3.2:latest'),
      entry('registry.ollama.ai/library/Llama3.2:1b'),
      entry('hf.co/org/repo:Q4_K_M'),
    ]);
    assert.deepEqual(
      groups.map((g) => [g.key, g.models.map((m) => m.label)]),
      [
        ['registry.ollama.ai/library', ['Llama3.2:1b', 'llama3.2:latest', 'qwen3:8b']],
        ['127.0.0.1:5000/e2e', ['tiny:latest']],
        ['hf.co/org', ['repo:Q4_K_M']],
        ['registry.ollama.ai/me', ['mine:v1']],
      ],
    );
    assert.equal(groups[1]?.host, '127.0.0.1:5000');
    assert.equal(groups[1]?.namespace, 'e2e');
  });

  it('keeps the list entry with each row and gives nothing for an empty directory', () => {
    const model = entry('registry.ollama.ai/library/llama3.2:latest');
    assert.equal(groupModels([model])[0]?.models[0]?.model, model);
    assert.deepEqual(groupModels([]), []);
  });

  it('summarises a group by count and total size', () => {
    const [group] = groupModels([entry('a.b/c/d:e', { size: 1500 }), entry('a.b/c/f:g', { size: 500 })]);
    assert.ok(group);
    assert.equal(groupSummary(group, formatBytes), '2 models · 2.0 KB');
    const [one] = groupModels([entry('a.b/c/d:e', { size: 17 })]);
    assert.ok(one);
    assert.equal(groupSummary(one, formatBytes), '1 model · 17 B');
  });
});

describe('tree item texts', () => {
  it('describes a model by size and quantization, leaving out what is unknown', () => {
    assert.equal(modelDescription({ size: 2_019_393_189, quantization: 'Q4_K_M' }), '2.0 GB · Q4_K_M');
    assert.equal(modelDescription({ size: 9_000, quantization: '' }), '9.0 KB');
    assert.equal(modelDescription({ size: 9_000, quantization: 'unknown' }), '9.0 KB', "Ollama's word for F32 or no file type");
  });

  it('lists the details in order and leaves out empty ones', () => {
    const now = Date.parse('2025-01-05T03:04:05.000Z');
    const details = modelDetails(entry('registry.ollama.ai/library/llama3.2:latest'), now);
    assert.deepEqual(
      details.map(([label]) => label),
      ['Family', 'Parameters', 'Quantization', 'Context length', 'Size', 'ID', 'Modified', 'Capabilities'],
    );
    const value = (label: string): string | undefined => details.find(([l]) => l === label)?.[1];
    assert.equal(value('ID'), 'a80c4f17acd5');
    assert.equal(value('Context length'), '131,072');
    assert.equal(value('Modified'), '3 days ago (2025-01-02 03:04:05 UTC)');
    assert.equal(value('Capabilities'), 'completion, tools');
    const bare = modelDetails(
      entry('x.y/z/m:t', { family: '', families: null, parameterSize: '', quantization: 'unknown', contextLength: undefined, capabilities: [], parentModel: 'base:latest' }),
      now,
    );
    assert.deepEqual(
      bare.map(([label]) => label),
      ['Size', 'ID', 'Modified', 'Created from'],
    );
  });

  it('renders the tooltip as Markdown with the names and values escaped', () => {
    const markdown = modelTooltipMarkdown(entry('registry.ollama.ai/me/my_model:v1*', { family: 'a|b' }), Date.now());
    assert.match(markdown, /^\*\*me\/my\\_model:v1\\\*\*\*$/m);
    assert.match(markdown, /^registry\\\.ollama\\\.ai\/me\/my\\_model:v1\\\*$/m);
    assert.match(markdown, /^\| Family \| a\\\|b \|$/m);
    assert.match(markdown, /^\| Quantization \| Q4\\_K\\_M \|$/m);
  });
});
