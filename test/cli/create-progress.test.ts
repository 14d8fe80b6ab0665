// Tests of the CLI progress renderer shared by create, pull and push: live bars with rate and ETA redrawn in place
// (throttled) on a terminal, plain append-only lines otherwise, and the byte/duration formats.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createProgressRenderer, formatBytes, formatDuration, shortDigest } from '../../cli/progress';

function sink(isTTY: boolean): { text: string; isTTY: boolean; columns: number; write(s: string): void } {
  const out = {
    text: '',
    isTTY,
    columns: 100,
    write(s: string) {
      out.text += s;
    },
  };
  return out;
}

const MB = 1_000_000;

describe('progress renderer', () => {
  it('plain mode: a line per state change and per quarter of a large transfer, never a terminal code', () => {
    const out = sink(false);
    let clock = 0;
    const r = createProgressRenderer(out, { now: () => clock });
    r.status('parsing GGUF');
    for (let done = 0; done <= 400 * MB; done += 50 * MB) {
      clock += 1000;
      r.item({ id: 'a', label: 'model.gguf', state: 'copying', completed: done, total: 400 * MB });
    }
    r.item({ id: 'a', label: 'model.gguf', state: 'done', completed: 400 * MB, total: 400 * MB, digest: `sha256:${'ab'.repeat(32)}` });
    r.item({ id: 'b', label: 'template', state: 'done', completed: 12, total: 12, digest: `sha256:${'cd'.repeat(32)}`, reused: true });
    r.done();
    assert.equal(
      out.text,
      [
        'parsing GGUF',
        'copying model.gguf (400 MB)',
        'copying model.gguf: 25% of 400 MB, 50 MB/s',
        'copying model.gguf: 50% of 400 MB, 50 MB/s',
        'copying model.gguf: 75% of 400 MB, 50 MB/s',
        'model.gguf: abababababab 400 MB (written)',
        'template: cdcdcdcdcdcd 12 B (already present)',
        '',
      ].join('\n'),
    );
  });

  it('live mode: bars redrawn in place at most every redraw interval, with rate and ETA', () => {
    const out = sink(true);
    let clock = 0;
    const r = createProgressRenderer(out, { now: () => clock, redrawMs: 100 });
    r.item({ id: 'a', label: 'model.gguf', state: 'copying', completed: 0, total: 1000 * MB });
    const afterFirst = out.text;
    assert.match(afterFirst, /^\x1b\[2Kcopying model\.gguf +\[ +\] +0% {2}0 B\/1\.0 GB\n$/);
    clock += 50;
    r.item({ id: 'a', label: 'model.gguf', state: 'copying', completed: 10 * MB, total: 1000 * MB });
    assert.equal(out.text, afterFirst, 'throttled');
    clock += 950;
    r.item({ id: 'a', label: 'model.gguf', state: 'copying', completed: 250 * MB, total: 1000 * MB });
    const redraw = out.text.slice(afterFirst.length);
    assert.match(redraw, /^\x1b\[1F\x1b\[2Kcopying model\.gguf +\[█+ +\] +25% {2}250 MB\/1\.0 GB {2}250 MB\/s {2}ETA 3s\n$/);
    r.status('writing manifest');
    assert.match(out.text.slice(afterFirst.length + redraw.length), /^\x1b\[1F\x1b\[2Kwriting manifest\n\x1b\[2Kcopying model\.gguf/);
    r.item({ id: 'a', label: 'model.gguf', state: 'done', completed: 1000 * MB, total: 1000 * MB, digest: `sha256:${'0'.repeat(64)}` });
    assert.match(out.text, /\x1b\[2Kmodel\.gguf: 000000000000 1\.0 GB \(written\)\n$/);
    const before = out.text;
    r.done();
    r.done();
    assert.equal(out.text, before, 'nothing left to draw');
    for (const line of out.text.split('\n')) assert.ok(line.replace(/\x1b\[\d*[A-Za-z]/g, '').length < 100, line);
  });

  it('keeps the last state of unfinished bars when stopped (Ctrl-C)', () => {
    const out = sink(true);
    const r = createProgressRenderer(out, { now: () => 0 });
    r.item({ id: 'a', label: 'x.gguf', state: 'copying', completed: 5, total: 10 });
    r.done();
    assert.match(out.text, /\x1b\[1F\x1b\[2Kcopying x\.gguf +\[█+ +\] +50%.*\n$/);
    r.item({ id: 'a', label: 'x.gguf', state: 'copying', completed: 6, total: 10 });
    assert.match(out.text, /50%.*\n$/, 'no drawing after done');
  });

  it('formats bytes, durations and digests like Ollama', () => {
    assert.deepEqual([0, 999, 1000, 1500, 12_345_678, 4_700_000_000, 2e15].map(formatBytes), ['0 B', '999 B', '1.0 KB', '1.5 KB', '12 MB', '4.7 GB', '2.0 PB']);
    assert.deepEqual([0.4, 59, 61, 3599, 3661].map(formatDuration), ['0s', '59s', '1m01s', '59m59s', '1h01m']);
    assert.equal(shortDigest(`sha256:${'a1'.repeat(32)}`), 'a1a1a1a1a1a1');
  });
});
