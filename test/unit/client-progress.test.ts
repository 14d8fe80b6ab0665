// Tests for progress aggregation (client/model/progress.ts) and the transfer board (client/model/transfers.ts):
// core's pull, push and create events as steps, the overall percentage and its increments, the rate over a
// sliding window (layers already present do not count), the ETA, the notification message, one log line per
// step, and the status-bar text for one or several transfers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CreateProgress } from '../../core/create';
import type { PullEvent, PushEvent } from '../../core/registry';
import { ProgressTracker, stepFromCreate, stepFromPull, stepFromPush } from '../../client/model/progress';
import { TransferBoard } from '../../client/model/transfers';

const MODEL = 'application/vnd.ollama.image.model';
const TEMPLATE = 'application/vnd.ollama.image.template';
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

function pullLayer(digest: string, mediaType: string, completed: number, total: number, state: 'reused' | 'downloading' | 'verifying' | 'done'): PullEvent {
  return { type: 'layer', status: `pulling ${digest.slice(7, 19)}`, digest, mediaType, total, completed, state };
}

describe('steps from core events', () => {
  it('maps pull events: labels from media type and digest, reused and done are finished', () => {
    assert.deepEqual(stepFromPull({ type: 'status', status: 'pulling manifest' }), { kind: 'status', message: 'pulling manifest' });
    const step = stepFromPull(pullLayer(D1, MODEL, 10, 100, 'downloading'));
    assert.equal(step.kind, 'item');
    if (step.kind !== 'item') return;
    assert.deepEqual(step.item, { id: `pull:${D1}`, label: 'model 111111111111', state: 'downloading', completed: 10, total: 100, finished: false, reused: false });
    const reused = stepFromPull(pullLayer(D2, TEMPLATE, 5, 5, 'reused'));
    assert.ok(reused.kind === 'item' && reused.item.finished && reused.item.reused && reused.item.state === 'done');
    const based = stepFromPull(pullLayer(D1, MODEL, 1, 2, 'downloading'), 'llama3.2');
    assert.ok(based.kind === 'item' && based.item.label === 'llama3.2: model 111111111111' && based.item.id === `llama3.2pull:${D1}`);
    assert.deepEqual(stepFromPull({ type: 'status', status: 'success' }, 'base'), { kind: 'status', message: 'base: success' });
  });

  it('maps push events: exists and mounted count as already there', () => {
    const event = (state: 'checking' | 'exists' | 'mounted' | 'uploading' | 'done', completed: number): PushEvent => ({
      type: 'layer', status: 'pushing 111111111111', digest: D1, mediaType: MODEL, total: 100, completed, state,
    });
    const exists = stepFromPush(event('exists', 100));
    assert.ok(exists.kind === 'item' && exists.item.reused && exists.item.finished);
    const mounted = stepFromPush(event('mounted', 0));
    assert.ok(mounted.kind === 'item' && mounted.item.reused && mounted.item.completed === 100);
    const uploading = stepFromPush(event('uploading', 40));
    assert.ok(uploading.kind === 'item' && !uploading.item.finished && uploading.item.state === 'uploading');
    const done = stepFromPush(event('done', 100));
    assert.ok(done.kind === 'item' && done.item.finished && !done.item.reused);
  });

  it('maps create events', () => {
    const events: CreateProgress[] = [
      { kind: 'status', message: 'parsing modelfile' },
      { kind: 'warning', message: 'mirostat is deprecated' },
      { kind: 'layer', id: 'model.gguf', label: 'model.gguf', state: 'copying', completed: 5, total: 10 },
      { kind: 'layer', id: 'template', label: 'template', state: 'done', completed: 3, total: 3, reused: true },
      { kind: 'writing-manifest' },
      { kind: 'success', name: 'x:latest', digest: 'ab' },
    ];
    assert.deepEqual(
      events.map((e) => {
        const step = stepFromCreate(e);
        return step.kind === 'item' ? `${step.item.id} ${step.item.state} ${step.item.finished} ${step.item.reused}` : `${step.kind}: ${step.message}`;
      }),
      [
        'status: parsing modelfile',
        'warning: mirostat is deprecated',
        'create:model.gguf copying false false',
        'create:template done true true',
        'status: writing manifest',
        'status: success',
      ],
    );
  });
});

describe('ProgressTracker', () => {
  it('adds up layers into a percentage, a rate, an ETA and a message', () => {
    let now = 0;
    const tracker = new ProgressTracker({ now: () => now, windowMs: 5000 });
    assert.deepEqual(tracker.apply(stepFromPull({ type: 'status', status: 'pulling manifest' })), ['pulling manifest']);
    assert.equal(tracker.view().percent, undefined);
    assert.equal(tracker.view().message, 'pulling manifest');
    // a 1 MB template already present: complete at once, but no part of the rate
    assert.deepEqual(tracker.apply(stepFromPull(pullLayer(D2, TEMPLATE, 1_000_000, 1_000_000, 'reused'))), ['template 222222222222: already present (1.0 MB)']);
    assert.deepEqual(tracker.apply(stepFromPull(pullLayer(D1, MODEL, 0, 9_000_000, 'downloading'))), ['downloading model 111111111111 (9.0 MB)']);
    now = 1000;
    assert.deepEqual(tracker.apply(stepFromPull(pullLayer(D1, MODEL, 2_000_000, 9_000_000, 'downloading'))), [], 'a byte count is no log line');
    now = 2000;
    tracker.apply(stepFromPull(pullLayer(D1, MODEL, 4_000_000, 9_000_000, 'downloading')));
    const view = tracker.view();
    assert.equal(view.percent, 50);
    assert.equal(view.rate, 2_000_000);
    assert.equal(view.etaSeconds, 2.5);
    assert.equal(view.layers, 2);
    assert.equal(view.layersDone, 1);
    assert.equal(view.message, 'downloading model 111111111111: 4.0 MB / 9.0 MB · 1/2 layers · 2.0 MB/s · 3s left');
    assert.deepEqual(tracker.apply(stepFromPull(pullLayer(D1, MODEL, 9_000_000, 9_000_000, 'verifying'))), ['verifying model 111111111111 (9.0 MB)']);
    assert.deepEqual(tracker.apply(stepFromPull(pullLayer(D1, MODEL, 9_000_000, 9_000_000, 'done'))), ['model 111111111111: done (9.0 MB)']);
    assert.deepEqual(tracker.apply(stepFromPull(pullLayer(D1, MODEL, 9_000_000, 9_000_000, 'done'))), [], 'done is logged once');
    tracker.apply(stepFromPull({ type: 'status', status: 'writing manifest' }));
    assert.equal(tracker.view().percent, 100);
    assert.equal(tracker.view().message, 'writing manifest');
  });

  it('forgets old samples: the rate follows the last few seconds', () => {
    let now = 0;
    const tracker = new ProgressTracker({ now: () => now, windowMs: 2000 });
    for (let second = 0; second <= 10; second++) {
      now = second * 1000;
      // fast for 5 s (10 MB/s), then slow (1 MB/s)
      const completed = second <= 5 ? second * 10_000_000 : 50_000_000 + (second - 5) * 1_000_000;
      tracker.apply(stepFromPull(pullLayer(D1, MODEL, completed, 1_000_000_000, 'downloading')));
    }
    assert.equal(tracker.view().rate, 1_000_000);
  });

  it('has no rate or ETA before a quarter second of samples, and for finished or reused work', () => {
    let now = 0;
    const tracker = new ProgressTracker({ now: () => now });
    tracker.apply(stepFromPull(pullLayer(D1, MODEL, 0, 100, 'downloading')));
    now = 100;
    tracker.apply(stepFromPull(pullLayer(D1, MODEL, 50, 100, 'downloading')));
    assert.equal(tracker.view().rate, undefined);
    assert.equal(tracker.view().etaSeconds, undefined);
    const reusedOnly = new ProgressTracker({ now: () => now });
    reusedOnly.apply(stepFromPull(pullLayer(D2, TEMPLATE, 10, 10, 'reused')));
    now = 5000;
    reusedOnly.apply(stepFromPull(pullLayer(D1, MODEL, 10, 10, 'reused')));
    assert.equal(reusedOnly.view().rate, undefined);
    assert.equal(reusedOnly.view().percent, 100);
  });

  it('reports increments that add up to the percentage and never go back', () => {
    const tracker = new ProgressTracker({ now: () => 0 });
    tracker.apply(stepFromPull(pullLayer(D1, MODEL, 50, 100, 'downloading')));
    assert.equal(tracker.takeIncrement(), 50);
    assert.equal(tracker.takeIncrement(), 0);
    // a new layer appears: the overall fraction drops to 25 %; nothing is reported until it passes 50 % again
    tracker.apply(stepFromPull(pullLayer(D2, MODEL, 0, 100, 'downloading')));
    assert.equal(tracker.takeIncrement(), 0);
    tracker.apply(stepFromPull(pullLayer(D1, MODEL, 100, 100, 'done')));
    tracker.apply(stepFromPull(pullLayer(D2, MODEL, 60, 100, 'downloading')));
    assert.equal(tracker.takeIncrement(), 30);
    tracker.apply(stepFromPull(pullLayer(D2, MODEL, 100, 100, 'done')));
    assert.equal(tracker.takeIncrement(), 20);
  });

  it('logs warnings and treats empty layers as done', () => {
    const tracker = new ProgressTracker();
    assert.deepEqual(tracker.apply({ kind: 'warning', message: 'x' }), ['warning: x']);
    tracker.apply(stepFromPull(pullLayer(D1, MODEL, 0, 0, 'done')));
    assert.equal(tracker.view().percent, 100);
  });
});

describe('TransferBoard', () => {
  it('shows one transfer in full, several as a count, and nothing when idle', () => {
    const board = new TransferBoard();
    let changes = 0;
    const subscription = board.onChange(() => changes++);
    assert.equal(board.statusText(), '');
    const pull = board.start('pull', 'llama3.2:latest', new AbortController());
    assert.equal(board.statusText(), '$(cloud-download) Pulling llama3.2:latest');
    board.update(pull, 45.7, 'downloading model 3f2a: 1 GB / 2 GB');
    assert.equal(board.statusText(), '$(cloud-download) Pulling llama3.2:latest 45%');
    const push = board.start('push', 'me/m:latest', new AbortController());
    assert.equal(board.statusText(), '$(sync~spin) 2 transfers');
    assert.equal(board.tooltip(), 'Pulling llama3.2:latest 45% — downloading model 3f2a: 1 GB / 2 GB\nPushing me/m:latest\n\nClick to cancel.');
    assert.equal(board.cancelAll(), 2);
    assert.ok(pull.controller.signal.aborted && push.controller.signal.aborted);
    board.finish(pull);
    board.finish(push);
    board.finish(push);
    assert.equal(board.statusText(), '');
    assert.equal(changes, 5);
    subscription.dispose();
    board.start('create', 'x', new AbortController());
    assert.equal(changes, 5);
  });
});
