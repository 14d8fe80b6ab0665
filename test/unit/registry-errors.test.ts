// Registry error decoding: both JSON formats, plain text and HTML bodies, the mapping to typed errors, and the
// capped body reader that never trusts a declared length.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ModelNotFound, Unauthorized } from '../../core/errors';
import { readCapped, type ResponseBody } from '../../core/registry/body';
import {
  RegistryError,
  Stalled,
  TooLarge,
  TransportError,
  decodeErrorBody,
  decodeRegistryError,
  isTemporary,
  type ErrorContext,
} from '../../core/registry/errors';

const b = (s: string): Buffer => Buffer.from(s);
const manifestCtx: ErrorContext = { host: 'r.example', repository: 'library/m', operation: 'manifest', reference: 'latest' };

describe('decodeErrorBody', () => {
  test('Docker registry format: the first entry', () => {
    assert.deepEqual(decodeErrorBody(b('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{}},{"code":"X"}]}')), {
      code: 'MANIFEST_UNKNOWN',
      message: 'manifest unknown',
    });
  });

  test('Ollama format {"code","error"} and plain {"error"}', () => {
    assert.deepEqual(decodeErrorBody(b('{"code":"not_found","error":"model not found"}')), { code: 'not_found', message: 'model not found' });
    assert.deepEqual(decodeErrorBody(b('{"error":"invalid model name"}')), { code: undefined, message: 'invalid model name' });
  });

  test('plain text, HTML and garbage never throw', () => {
    assert.deepEqual(decodeErrorBody(b('404 page not found\n')), { code: undefined, message: '404 page not found' });
    assert.equal(decodeErrorBody(b('<html><head><title>502 Bad Gateway</title></head><body><h1>x</h1></body></html>')).message, '502 Bad Gateway');
    assert.equal(decodeErrorBody(b('<html><body><p>Service   down</p></body></html>')).message, 'Service down');
    assert.equal(decodeErrorBody(b('{"errors": not json')).message, '{"errors": not json');
    assert.equal(decodeErrorBody(b('a\u0000b\u001bc')).message, 'a b c');
    assert.ok(decodeErrorBody(b('x'.repeat(5000))).message.length < 400);
    assert.deepEqual(decodeErrorBody(new Uint8Array(0)), { code: undefined, message: '' });
  });
});

describe('decodeRegistryError', () => {
  test('MANIFEST_UNKNOWN, NAME_UNKNOWN and any 404 on a manifest are ModelNotFound', () => {
    for (const body of ['{"errors":[{"code":"MANIFEST_UNKNOWN","message":"x"}]}', '{"errors":[{"code":"NAME_UNKNOWN","message":"x"}]}', '404 page not found']) {
      const err = decodeRegistryError(404, b(body), manifestCtx);
      assert.ok(err instanceof ModelNotFound, body);
      assert.match(err.message, /r\.example\/library\/m:latest/);
    }
    assert.ok(decodeRegistryError(400, b('{"errors":[{"code":"manifest_unknown"}]}'), { ...manifestCtx, operation: 'blob' }) instanceof ModelNotFound);
  });

  test('401/403 are Unauthorized; a push gets the namespace advice', () => {
    const pull = decodeRegistryError(401, b('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}'), manifestCtx);
    assert.ok(pull instanceof Unauthorized);
    assert.match(pull.message, /requires you to log in/);
    const push = decodeRegistryError(403, b(''), { host: 'r.example', repository: 'someone/m', operation: 'upload', push: true, challengeError: 'insufficient_scope' });
    assert.ok(push instanceof Unauthorized);
    assert.match(push.message, /^you are not authorized to push to someone on r\.example \(insufficient scope\): create the model under a namespace you own/);
  });

  test('5xx and 429 are temporary RegistryErrors, other 4xx are not', () => {
    const e503 = decodeRegistryError(503, b('<html><title>Service Unavailable</title></html>'), manifestCtx);
    assert.ok(e503 instanceof RegistryError && e503.temporary && e503.status === 503);
    assert.match(e503.message, /status 503.*Service Unavailable.*try again later/);
    const e429 = decodeRegistryError(429, b('{"code":"too_many","error":"slow down"}'), manifestCtx);
    assert.ok(e429 instanceof RegistryError && e429.temporary);
    assert.match(e429.message, /code too_many: slow down/);
    const e400 = decodeRegistryError(400, b('{"errors":[{"code":"MANIFEST_INVALID","message":"manifest invalid"}]}'), manifestCtx);
    assert.ok(e400 instanceof RegistryError && !e400.temporary && e400.registryCode === 'MANIFEST_INVALID');
    assert.ok(isTemporary(e503) && isTemporary(e429) && !isTemporary(e400));
  });

  test('isTemporary knows transport errors and stalls', () => {
    assert.ok(isTemporary(new Stalled('h', 1000)));
    assert.ok(isTemporary(new TransportError('h', 'ECONNRESET', true, 'x')));
    assert.ok(!isTemporary(new TransportError('h', 'cert', false, 'x')));
    assert.ok(!isTemporary(new Error('plain')));
  });
});

function bodyOf(chunks: Buffer[], onDestroy: () => void = () => undefined): ResponseBody {
  return {
    async *[Symbol.asyncIterator]() {
      for (const c of chunks) yield c;
    },
    destroy: () => onDestroy(),
  };
}

describe('readCapped', () => {
  test('reads everything under the cap', async () => {
    assert.deepEqual(await readCapped(bodyOf([b('ab'), b('cd')]), 10, 'x'), b('abcd'));
  });

  test('past the cap: TooLarge and the body destroyed, or the first bytes with truncate', async () => {
    let destroyed = false;
    await assert.rejects(readCapped(bodyOf([b('abc'), b('def')], () => (destroyed = true)), 4, 'the thing'), (err: unknown) => {
      assert.ok(err instanceof TooLarge);
      assert.match(err.message, /^the thing is larger than 4 bytes/);
      return true;
    });
    assert.ok(destroyed);
    assert.deepEqual(await readCapped(bodyOf([b('abc'), b('def')]), 4, 'x', 'truncate'), b('abcd'));
  });
});
