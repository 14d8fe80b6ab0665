// Tests for the extension's number and text formatting (client/model/format.ts): Ollama-style decimal sizes,
// rates, durations, relative times, short IDs, plurals and Markdown escaping.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeMarkdown, formatAgo, formatBytes, formatDuration, formatRate, plural, shortId } from '../../client/model/format';

describe('formatBytes', () => {
  it('uses decimal units with one decimal below 10 and none above, like ollama list', () => {
    const cases: Array<[number, string]> = [
      [0, '0 B'],
      [17, '17 B'],
      [999, '999 B'],
      [1000, '1.0 KB'],
      [9_949, '9.9 KB'],
      [10_000, '10 KB'],
      [123_456_789, '123 MB'],
      [2_019_393_189, '2.0 GB'],
      [4_700_000_000, '4.7 GB'],
      [999_960_000, '1.0 GB'],
      [1.5e15, '1.5 PB'],
      [-5, '0 B'],
    ];
    for (const [bytes, text] of cases) assert.equal(formatBytes(bytes), text, String(bytes));
  });

  it('adds /s for rates', () => {
    assert.equal(formatRate(12_500_000), '13 MB/s');
  });
});

describe('formatDuration and formatAgo', () => {
  it('prints seconds, minutes with seconds, hours with minutes', () => {
    assert.equal(formatDuration(0), '0s');
    assert.equal(formatDuration(44.6), '45s');
    assert.equal(formatDuration(200), '3m 20s');
    assert.equal(formatDuration(3900), '1h 05m');
    assert.equal(formatDuration(-3), '0s');
  });

  it('prints relative times like ollama list', () => {
    const now = 1_000_000_000_000;
    assert.equal(formatAgo(now - 3_000, now), 'just now');
    assert.equal(formatAgo(now - 30_000, now), '30 seconds ago');
    assert.equal(formatAgo(now - 60_000, now), '1 minute ago');
    assert.equal(formatAgo(now - 5 * 3600_000, now), '5 hours ago');
    assert.equal(formatAgo(now - 9 * 86400_000, now), '1 week ago');
    assert.equal(formatAgo(now - 400 * 86400_000, now), '1 year ago');
    assert.equal(formatAgo(now + 60_000, now), 'just now');
  });
});

describe('small texts', () => {
  it('shortens IDs and digests to 12 hex digits', () => {
    const hex = 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72';
    assert.equal(shortId(hex), 'a80c4f17acd5');
    assert.equal(shortId(`sha256:${hex}`), 'a80c4f17acd5');
    assert.equal(shortId(`sha256-${hex}`), 'a80c4f17acd5');
  });

  it('pluralises', () => {
    assert.equal(plural(1, 'file'), '1 file');
    assert.equal(plural(0, 'file'), '0 files');
    assert.equal(plural(2, 'is', 'are'), '2 are');
  });

  it('escapes every character Markdown would interpret', () => {
    assert.equal(escapeMarkdown('a_b*c`d[e](f)#g|h<i>'), 'a\\_b\\*c\\`d\\[e\\]\\(f\\)\\#g\\|h\\<i\\>');
    assert.equal(escapeMarkdown('plain text 42'), 'plain text 42');
  });
});
