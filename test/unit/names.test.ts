// Unit and property tests for core/names: Ollama's model-name grammar (spec §2), extended references, digests
// (spec §3.2), manifest paths, case rules, source suffixes and the `modelfile name` report.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DigestInvalid, NameInvalid } from '../../core/errors';
import {
  MISSING_PART,
  NamePartInvalid,
  SourceSuffixConflict,
  adoptExistingSpelling,
  checkNamePart,
  checkReference,
  describeName,
  digestToFileName,
  displayNamespaceModel,
  displayShortest,
  equalFold,
  fileNameToDigest,
  findExistingName,
  isBlobFileName,
  isDigest,
  isValidName,
  legacyCloudPullName,
  manifestPath,
  nameFromManifestPath,
  nameString,
  parseDigest,
  parseName,
  parseNameRaw,
  parseReference,
  stripSourceSuffix,
  tryParseDigest,
  validateName,
  type NamePart,
  type ParsedName,
} from '../../core/names';

const HEX = '0123456789abcdef'.repeat(4);
const UPPER_HEX = HEX.toUpperCase();

function name(host: string, namespace: string, model: string, tag: string, scheme = 'https'): ParsedName {
  return { scheme, host, namespace, model, tag };
}

/** The reason validation gives for `input`, or undefined when it is valid. */
function reasonFor(input: string): string | undefined {
  const result = validateName(parseName(input));
  return result.valid ? undefined : result.reason;
}

describe('parseName: defaults (spec §2.1)', () => {
  it('fills host, namespace, tag and scheme', () => {
    assert.deepEqual(parseName('llama3.2'), name('registry.ollama.ai', 'library', 'llama3.2', 'latest'));
    assert.deepEqual(parseName('jmorgan/m'), name('registry.ollama.ai', 'jmorgan', 'm', 'latest'));
    assert.deepEqual(parseName('m:7b'), name('registry.ollama.ai', 'library', 'm', '7b'));
    assert.deepEqual(parseName('example.com/ns/m:t'), name('example.com', 'ns', 'm', 't'));
  });

  it('keeps a port in the host and finds the tag only after the last slash', () => {
    assert.deepEqual(parseName('localhost:5000/ns/m'), name('localhost:5000', 'ns', 'm', 'latest'));
    assert.deepEqual(parseName('localhost:5000/ns/m:v1'), name('localhost:5000', 'ns', 'm', 'v1'));
    assert.equal(isValidName('localhost:5000/ns/m:v1'), true);
  });

  it('parseNameRaw leaves absent parts empty', () => {
    assert.deepEqual(parseNameRaw('m'), name('', '', 'm', '', ''));
    assert.deepEqual(parseNameRaw('ns/m:t'), name('', 'ns', 'm', 't', ''));
    assert.deepEqual(parseNameRaw('h/ns/m'), name('h', 'ns', 'm', '', ''));
    assert.deepEqual(parseNameRaw(''), name('', '', '', '', ''));
  });

  it('never defaults the model', () => {
    assert.equal(parseName('').model, '');
    assert.equal(reasonFor(''), 'the model name is missing');
  });

  it('keeps the case of every part', () => {
    assert.deepEqual(parseName('Host.IO/NS/Model:Tag'), name('Host.IO', 'NS', 'Model', 'Tag'));
  });
});

describe('parseName: !MISSING! sentinels (spec §2.2 step 5)', () => {
  const cases: Array<[string, ParsedName, NamePart, string]> = [
    ['/m', name('', MISSING_PART, 'm', '', ''), 'namespace', 'the namespace is empty'],
    ['h//m', name('h', MISSING_PART, 'm', '', ''), 'namespace', 'the namespace is empty'],
    ['m:', name('', '', 'm', MISSING_PART, ''), 'tag', 'the tag is empty'],
    [':t', name('', '', MISSING_PART, 't', ''), 'model', 'the model name is empty'],
    ['a/b/', name('a', 'b', MISSING_PART, '', ''), 'model', 'the model name is empty'],
    ['//m', name(MISSING_PART, MISSING_PART, 'm', '', ''), 'host', 'the host is empty'],
    ['/', name('', MISSING_PART, MISSING_PART, '', ''), 'namespace', 'the namespace is empty'],
    [':', name('', '', MISSING_PART, MISSING_PART, ''), 'model', 'the model name is empty'],
  ];
  for (const [input, raw, part, reason] of cases) {
    it(`${JSON.stringify(input)} → ${reason}`, () => {
      assert.deepEqual(parseNameRaw(input), raw);
      assert.deepEqual(validateName(parseName(input)), { valid: false, part, reason });
      assert.equal(isValidName(input), false);
    });
  }

  it('defaults do not replace a sentinel', () => {
    assert.equal(parseName('/m').namespace, MISSING_PART);
    assert.equal(parseName('m:').tag, MISSING_PART);
    assert.equal(parseName('/m').host, 'registry.ollama.ai');
  });

});

describe('validation: characters (spec §2.1)', () => {
  it('accepts letters, digits and underscore as the first character of every part', () => {
    for (const first of ['a', 'Z', '0', '9', '_']) {
      assert.equal(isValidName(`${first}h/${first}n/${first}m:${first}t`), true, first);
    }
  });

  it('rejects other first characters with the part named', () => {
    assert.equal(reasonFor('-h/ns/m'), "the host must start with a letter, digit or '_'");
    assert.equal(reasonFor('.h/ns/m'), "the host must start with a letter, digit or '_'");
    assert.equal(reasonFor('h/-ns/m'), "the namespace must start with a letter, digit or '_'");
    assert.equal(reasonFor('.m'), "the model name must start with a letter, digit or '_'");
    assert.equal(reasonFor('-m'), "the model name must start with a letter, digit or '_'");
    assert.equal(reasonFor('m:-t'), "the tag must start with a letter, digit or '_'");
    assert.equal(reasonFor('m:.t'), "the tag must start with a letter, digit or '_'");
  });

  it('host: allows - . : _ after the first character', () => {
    assert.equal(isValidName('h-._:1/ns/m'), true);
    assert.equal(reasonFor('h@x/ns/m'), "the host may only contain letters, digits, '_', '-', '.' and ':'");
  });

  it("namespace: allows - and _, never '.' or ':'", () => {
    assert.equal(isValidName('n-s_1/m'), true);
    assert.equal(reasonFor('n.s/m'), "the namespace may not contain '.'");
    assert.equal(reasonFor('h/n:s/m'), "the namespace may not contain ':'");
    assert.equal(reasonFor('n+s/m'), "the namespace may only contain letters, digits, '_' and '-'");
  });

  it("model and tag: allow - . _, never ':'", () => {
    assert.equal(isValidName('m-o.d_el:t-a.g_1'), true);
    assert.equal(reasonFor('m:a:b'), "the model name may not contain ':'");
    assert.equal(parseName('m:a:b').tag, 'b');
    assert.equal(reasonFor('m+x'), "the model name may only contain letters, digits, '_', '-' and '.'");
    assert.equal(reasonFor('m:t+x'), "the tag may only contain letters, digits, '_', '-' and '.'");
    assert.equal(reasonFor('m y'), "the model name may only contain letters, digits, '_', '-' and '.'");
  });

  it("'..' and '.' can never be a part", () => {
    assert.equal(isValidName('..'), false);
    assert.equal(isValidName('h/../m'), false);
    assert.equal(isValidName('m:..'), false);
    assert.equal(checkNamePart('model', '.'), "the model name must start with a letter, digit or '_'");
  });

  it("more than three '/' leaves a '/' in the host", () => {
    assert.deepEqual(parseName('a/b/c/d'), name('a/b', 'c', 'd', 'latest'));
    assert.equal(reasonFor('a/b/c/d'), "the host may not contain '/' (a name is at most host/namespace/model:tag)");
  });

  it('HEAD has no digest: @ stays in the model and is invalid', () => {
    const parsed = parseName(`m@sha256:${HEX}`);
    assert.equal(parsed.model, 'm@sha256');
    assert.equal(parsed.tag, HEX);
    assert.equal(isValidName(`m@sha256:${HEX}`), false);
    assert.equal(isValidName('m@x'), false);
  });

  it('rejects non-ASCII characters in every part', () => {
    assert.equal(reasonFor('modèle'), 'the model name contains a non-ASCII character (U+00E8 "è")');
    assert.equal(reasonFor('ns/m:tāg'), 'the tag contains a non-ASCII character (U+0101 "ā")');
    assert.equal(reasonFor('nä/m'), 'the namespace contains a non-ASCII character (U+00E4 "ä")');
    assert.equal(reasonFor('h😀/n/m'), 'the host contains a non-ASCII character (U+1F600 "😀")');
    assert.equal(isValidName('ｍ'), false);
  });

  it('rejects control characters', () => {
    assert.equal(isValidName('m\n'), false);
    assert.equal(isValidName('m\u0000'), false);
  });
});

describe('validation: length limits (spec §2.1)', () => {
  const of = (length: number, first = 'a'): string => first + 'b'.repeat(length - 1);

  for (const part of ['namespace', 'model', 'tag'] as const) {
    const build = (value: string): string =>
      part === 'namespace' ? `${value}/m` : part === 'model' ? `${value}:t` : `m:${value}`;
    const label = part === 'model' ? 'the model name' : `the ${part}`;
    it(`${part}: 79 and 80 are valid, 81 is not`, () => {
      assert.equal(isValidName(build(of(79))), true);
      assert.equal(isValidName(build(of(80))), true);
      assert.equal(reasonFor(build(of(81))), `${label} is longer than 80 characters`);
    });
  }

  it('host: 349 and 350 are valid, 351 is not', () => {
    assert.equal(isValidName(`${of(349)}/ns/m`), true);
    assert.equal(isValidName(`${of(350)}/ns/m`), true);
    assert.equal(reasonFor(`${of(351)}/ns/m`), 'the host is longer than 350 characters');
  });

  it('checkNamePart judges one part alone', () => {
    assert.equal(checkNamePart('tag', 'a'.repeat(80)), undefined);
    assert.equal(checkNamePart('tag', ''), 'the tag is missing');
    assert.equal(checkNamePart('host', 'h:1'), undefined);
    assert.equal(checkNamePart('model', 'h:1'), "the model name may not contain ':'");
  });
});

describe('schemes in the HEAD parse (spec §2.2 step 4)', () => {
  it('recognises a scheme only in the four-part form', () => {
    assert.deepEqual(parseName('http://h/ns/m:t'), name('h', 'ns', 'm', 't', 'http'));
    assert.deepEqual(parseNameRaw('http://h:5000/ns/m'), name('h:5000', 'ns', 'm', '', 'http'));
    assert.deepEqual(parseName('http://ns/m'), name('http:/', 'ns', 'm', 'latest'));
    assert.equal(isValidName('http://ns/m'), false);
    assert.equal(isValidName('http://m'), false);
  });

  it('does not validate the scheme itself (HEAD)', () => {
    assert.equal(isValidName('foo://h/ns/m'), true);
    assert.equal(parseName('foo://h/ns/m').scheme, 'foo');
  });

  it('an empty scheme or empty host falls back to the defaults (quirk)', () => {
    assert.deepEqual(parseName('://h/ns/m'), name('h', 'ns', 'm', 'latest', 'https'));
    assert.deepEqual(parseName('http:///ns/m'), name('registry.ollama.ai', 'ns', 'm', 'latest', 'http'));
  });

  it('nameString never prints the scheme and leaves out empty parts', () => {
    assert.equal(nameString(parseName('http://h/ns/m:t')), 'h/ns/m:t');
    assert.equal(nameString(parseNameRaw('m')), 'm');
    assert.equal(nameString(parseNameRaw('ns/m:t')), 'ns/m:t');
    assert.equal(nameString(parseName('m')), 'registry.ollama.ai/library/m:latest');
  });
});

describe('display forms (spec §2.2)', () => {
  it('displayShortest drops default host and namespace, ignoring case', () => {
    assert.equal(displayShortest(parseName('llama3.2')), 'llama3.2:latest');
    assert.equal(displayShortest(parseName('jmorgan/m:7b')), 'jmorgan/m:7b');
    assert.equal(displayShortest(parseName('example.com/library/m')), 'example.com/library/m:latest');
    assert.equal(displayShortest(parseName('example.com/ns/m:t')), 'example.com/ns/m:t');
    assert.equal(displayShortest(parseName('Registry.Ollama.AI/Library/M:T')), 'M:T');
    assert.equal(displayShortest(parseName('REGISTRY.OLLAMA.AI/Jmorgan/m')), 'Jmorgan/m:latest');
  });

  it('displayNamespaceModel is namespace/model', () => {
    assert.equal(displayNamespaceModel(parseName('llama3.2:1b')), 'library/llama3.2');
    assert.equal(displayNamespaceModel(parseName('h/ns/m:t')), 'ns/m');
  });
});

describe('digests (spec §3.2)', () => {
  it('accepts both separators and either case, and canonicalises', () => {
    assert.equal(parseDigest(`sha256:${HEX}`), `sha256:${HEX}`);
    assert.equal(parseDigest(`sha256-${HEX}`), `sha256:${HEX}`);
    assert.equal(parseDigest(`sha256:${UPPER_HEX}`), `sha256:${HEX}`);
    assert.equal(parseDigest(`sha256-${UPPER_HEX}`), `sha256:${HEX}`);
    assert.equal(isDigest(`sha256-${UPPER_HEX}`), true);
  });

  it('rejects wrong lengths, other algorithms and path-like text', () => {
    for (const text of [
      `sha256:${HEX.slice(1)}`,
      `sha256:${HEX}0`,
      `SHA256:${HEX}`,
      `sha512:${HEX}`,
      `sha256_${HEX}`,
      `sha256:${HEX}\n`,
      ` sha256:${HEX}`,
      `sha256:${HEX.slice(1)}g`,
      'sha256:../../x',
      `sha256:../../${HEX.slice(6)}`,
      HEX,
      '',
    ]) {
      assert.throws(() => parseDigest(text), DigestInvalid, JSON.stringify(text));
      assert.equal(tryParseDigest(text), undefined);
      assert.throws(() => digestToFileName(text), DigestInvalid);
    }
  });

  it('maps digests to blob file names and back', () => {
    assert.equal(digestToFileName(`sha256:${UPPER_HEX}`), `sha256-${HEX}`);
    assert.equal(digestToFileName(`sha256-${HEX}`), `sha256-${HEX}`);
    assert.equal(fileNameToDigest(`sha256-${HEX}`), `sha256:${HEX}`);
    assert.equal(isBlobFileName(`sha256-${HEX}`), true);
  });

  it('only finished, canonical blob names count as blobs', () => {
    for (const fileName of [
      `sha256-${HEX}-partial`,
      `sha256-${HEX}-partial-0`,
      `sha256:${HEX}`,
      `sha256-${UPPER_HEX}`,
      `sha256-${HEX.slice(1)}`,
      `.sha256-${HEX}`,
      'sha256-../../x',
    ]) {
      assert.equal(isBlobFileName(fileName), false, fileName);
      assert.equal(fileNameToDigest(fileName), undefined, fileName);
    }
  });
});

describe('extended references (spec §2.4)', () => {
  it('parses scheme, name and digest', () => {
    const reference = parseReference(`https+insecure://host/ns/m:t@sha256:${UPPER_HEX}`);
    assert.equal(reference.scheme, 'https+insecure');
    assert.deepEqual(reference.name, name('host', 'ns', 'm', 't', 'https+insecure'));
    assert.equal(reference.digest, `sha256:${HEX}`);
  });

  it('accepts the three schemes and defaults to https', () => {
    assert.equal(parseReference('http://h/n/m').scheme, 'http');
    assert.equal(parseReference('https://h/n/m').scheme, 'https');
    assert.equal(parseReference('https+insecure://h/n/m').scheme, 'https+insecure');
    assert.equal(parseReference('m').scheme, 'https');
    assert.equal(parseReference('://h/n/m').scheme, 'https');
  });

  it('rejects other schemes with the exact message', () => {
    for (const scheme of ['x', 'HTTP', 'ftp', 'a@b']) {
      const checked = checkReference(`${scheme}://h/n/m`);
      assert.equal(checked.valid, false);
      assert.equal(
        checked.valid ? '' : checked.reason,
        `unsupported scheme: "${scheme}": supported schemes are http, https, https+insecure`,
      );
    }
    assert.throws(
      () => parseReference('x://'),
      (error: unknown) =>
        error instanceof NameInvalid &&
        error instanceof NamePartInvalid &&
        error.part === 'scheme' &&
        error.reason === 'unsupported scheme: "x": supported schemes are http, https, https+insecure',
    );
  });

  it('accepts a scheme only with the full host/namespace/model form, as HEAD does', () => {
    const checked = checkReference('http://ns/m');
    assert.equal(checked.valid, false);
    assert.equal(checked.valid ? '' : checked.part, 'scheme');
    assert.equal(checkReference('http://m').valid, false);
    const empty = checkReference('https://');
    assert.equal(empty.valid ? '' : empty.reason, 'the model name is missing');
  });

  it('takes the digest after the last @, in either form', () => {
    assert.equal(parseReference(`m@sha256-${HEX}`).digest, `sha256:${HEX}`);
    assert.deepEqual(parseReference(`m:t@sha256-${HEX}`).name, name('registry.ollama.ai', 'library', 'm', 't'));
    assert.equal(parseReference(`m@sha256:${HEX}`).name?.tag, 'latest');
    const checked = checkReference(`a@b@sha256:${HEX}`);
    assert.equal(checked.valid ? '' : checked.part, 'model');
  });

  it('rejects bad digests with the exact message', () => {
    const cases: Array<[string, string]> = [
      ['m@sha123-1234', 'sha123-1234'],
      ['@sha123-1234', 'sha123-1234'],
      ['m@sha256:../../x', 'sha256:../../x'],
      [`m@sha256:${HEX}00`, `sha256:${HEX}00`],
      ['m@', ''],
      ['m@x', 'x'],
    ];
    for (const [input, digest] of cases) {
      const checked = checkReference(input);
      assert.equal(checked.valid, false, input);
      if (!checked.valid) {
        assert.equal(checked.part, 'digest');
        assert.equal(checked.reason, `invalid digest: ${JSON.stringify(digest)}`);
      }
    }
  });

  it('allows a bare digest without a name (local lookup only)', () => {
    const reference = parseReference(`@sha256:${HEX}`);
    assert.equal(reference.name, undefined);
    assert.equal(reference.digest, `sha256:${HEX}`);
    assert.equal(reference.scheme, 'https');
  });

  it('fills the mask registry.ollama.ai/library/_:latest, keeping sentinels invalid', () => {
    assert.deepEqual(parseReference('m').name, name('registry.ollama.ai', 'library', 'm', 'latest'));
    for (const input of ['/m', 'h//m', 'm:', ':t', 'a/b/', '', 'm:a:b']) {
      assert.equal(checkReference(input).valid, false, input);
    }
  });

  it('throws NameInvalid with the part reason for bad names', () => {
    assert.throws(
      () => parseReference('n.s/m'),
      (error: unknown) =>
        error instanceof NamePartInvalid &&
        error.code === 'NameInvalid' &&
        error.part === 'namespace' &&
        error.message === `invalid model name "n.s/m": the namespace may not contain '.'`,
    );
  });
});

describe('manifest paths (spec §2.3)', () => {
  it('uses the parts exactly as cased', () => {
    assert.deepEqual(manifestPath('llama3.2'), ['registry.ollama.ai', 'library', 'llama3.2', 'latest']);
    assert.deepEqual(manifestPath('Localhost:5000/NS/Model:V1'), ['Localhost:5000', 'NS', 'Model', 'V1']);
    assert.deepEqual(manifestPath(name('h', 'n', 'm', 't')), ['h', 'n', 'm', 't']);
  });

  it('refuses invalid names with NameInvalid', () => {
    for (const input of ['', '/m', 'm:', '..', 'a/b/c/d', 'n.s/m', 'm@x']) {
      assert.throws(() => manifestPath(input), NameInvalid, input);
    }
    assert.throws(() => manifestPath(name('h', '..', 'm', 't')), NameInvalid);
    assert.throws(() => manifestPath(name('h', 'n', 'm', '')), NameInvalid);
  });

  it('maps back from exactly four valid components', () => {
    assert.deepEqual(nameFromManifestPath(['registry.ollama.ai', 'library', 'm', 'latest']), parseName('m'));
    assert.deepEqual(nameFromManifestPath(['localhost:5000', 'NS', 'M', 'T']), name('localhost:5000', 'NS', 'M', 'T'));
    assert.equal(nameFromManifestPath(['library', 'm', 'latest']), undefined);
    assert.equal(nameFromManifestPath(['h', 'library', 'm', 'latest', 'x']), undefined);
    assert.equal(nameFromManifestPath(['h', '..', 'm', 'latest']), undefined);
    assert.equal(nameFromManifestPath(['h', 'library', 'm', '.hidden']), undefined);
    // Spec §6.13: a temp file with a valid-looking name is a model to Ollama, so the cache must not put one there.
    const temporary = ['h', 'library', 'm', 'latest.tmp-1234'];
    assert.deepEqual(nameFromManifestPath(temporary), name('h', 'library', 'm', 'latest.tmp-1234'));
  });

  it('round-trips name → path → name', () => {
    for (const input of ['m', 'ns/m:t', 'h:1/ns/m.x:t_1', 'Host/NS/M:T']) {
      assert.deepEqual(nameFromManifestPath(manifestPath(input)), parseName(input));
    }
  });
});

describe('case rules (spec §2.3)', () => {
  it('equalFold compares every part ignoring case, but not the scheme', () => {
    assert.equal(equalFold(parseName('Llama3.2:Latest'), parseName('llama3.2')), true);
    assert.equal(equalFold(parseName('http://H/NS/m'), parseName('h/ns/M')), true);
    assert.equal(equalFold(parseName('m:a'), parseName('m:b')), false);
    assert.equal(equalFold(parseName('ns/m'), parseName('m')), false);
    assert.equal(equalFold(parseName('modÈle'), parseName('modèle')), false);
  });

  it('findExistingName returns the stored spelling, the first in path order', () => {
    const existing = [parseName('other'), parseName('MyNS/Model:Latest'), parseName('myns/model:LATEST')];
    assert.deepEqual(findExistingName(parseName('myns/model'), existing), parseName('MyNS/Model:Latest'));
    const reversed = [...existing].reverse();
    assert.deepEqual(findExistingName(parseName('myns/model'), reversed), parseName('MyNS/Model:Latest'));
    assert.equal(findExistingName(parseName('myns/model:v2'), existing), undefined);
  });

  it('adoptExistingSpelling reuses existing directories level by level', () => {
    const existing = [parseName('MyNS/Model:v1'), parseName('Other/x')];
    assert.deepEqual(adoptExistingSpelling(parseName('myns/model:V2'), existing), parseName('MyNS/Model:V2'));
    assert.deepEqual(adoptExistingSpelling(parseName('myns/new:t'), existing), parseName('MyNS/new:t'));
    assert.deepEqual(adoptExistingSpelling(parseName('myns/model:V1'), existing), parseName('MyNS/Model:v1'));
    assert.deepEqual(adoptExistingSpelling(parseName('fresh/m'), []), parseName('fresh/m'));
  });
});

describe('source suffixes (spec §2.5)', () => {
  it('strips :cloud, :local and -cloud', () => {
    assert.deepEqual(stripSourceSuffix('gpt-oss:20b:cloud'), {
      original: 'gpt-oss:20b:cloud',
      base: 'gpt-oss:20b',
      source: 'cloud',
    });
    assert.equal(stripSourceSuffix('gpt-oss:20b-cloud').base, 'gpt-oss:20b');
    assert.equal(stripSourceSuffix('gpt-oss:20b-CLOUD').source, 'cloud');
    assert.equal(stripSourceSuffix('gpt-oss:CLOUD').base, 'gpt-oss');
    assert.deepEqual(stripSourceSuffix('m:Local'), { original: 'm:Local', base: 'm', source: 'local' });
    assert.deepEqual(stripSourceSuffix('  m:cloud  '), { original: 'm:cloud', base: 'm', source: 'cloud' });
  });

  it('leaves other references alone', () => {
    for (const input of ['m', 'm:7b', 'ns/m-cloud', 'host:5000/ns/m-cloud', 'm:cloudy']) {
      assert.deepEqual(stripSourceSuffix(input), { original: input, base: input, source: 'unspecified' });
    }
  });

  it('refuses two suffixes with Ollama’s message', () => {
    for (const input of ['m:local:cloud', 'm:cloud:local', 'm:20b-cloud:local', 'm:cloud:cloud']) {
      assert.throws(
        () => stripSourceSuffix(input),
        (error: unknown) =>
          error instanceof SourceSuffixConflict &&
          error.message === `use either :local or :cloud, not both: "${input}"` &&
          error.message.startsWith('use either :local or :cloud, not both'),
      );
    }
  });

  it('refuses a blank reference', () => {
    assert.throws(() => stripSourceSuffix('  '), NameInvalid);
  });

  it('builds the legacy cloud pull name', () => {
    assert.equal(legacyCloudPullName('gpt-oss:20b'), 'gpt-oss:20b-cloud');
    assert.equal(legacyCloudPullName('gpt-oss'), 'gpt-oss:cloud');
    assert.equal(legacyCloudPullName('host:5000/ns/m'), 'host:5000/ns/m:cloud');
  });
});

describe('describeName (the `modelfile name` report)', () => {
  it('prints a valid name with path and display, keys in order', () => {
    assert.equal(
      JSON.stringify(describeName('llama3.2')),
      JSON.stringify({
        input: 'llama3.2',
        valid: true,
        scheme: 'https',
        host: 'registry.ollama.ai',
        namespace: 'library',
        model: 'llama3.2',
        tag: 'latest',
        path: 'registry.ollama.ai/library/llama3.2/latest',
        display: 'llama3.2:latest',
      }),
    );
  });

  it('prints the digest of an extended reference', () => {
    const report = describeName(`https+insecure://host/ns/m:t@sha256:${UPPER_HEX}`);
    assert.deepEqual(Object.keys(report), [
      'input',
      'valid',
      'scheme',
      'host',
      'namespace',
      'model',
      'tag',
      'digest',
      'path',
      'display',
    ]);
    assert.equal(report.valid, true);
    assert.equal(report.scheme, 'https+insecure');
    assert.equal(report.digest, `sha256:${HEX}`);
    assert.equal(report.path, 'host/ns/m/t');
    assert.equal(report.display, `host/ns/m:t@sha256:${HEX}`);
  });

  it('prints the error, and no path or display, for an invalid name', () => {
    const report = describeName('n.s/m');
    assert.deepEqual(Object.keys(report), ['input', 'valid', 'scheme', 'host', 'namespace', 'model', 'tag', 'error']);
    assert.equal(report.valid, false);
    assert.equal(report.namespace, 'n.s');
    assert.equal(report.error, "the namespace may not contain '.'");
    assert.equal(describeName('m:').tag, MISSING_PART);
    assert.equal(describeName('').error, 'the model name is missing');
  });

  it('reports scheme and digest problems with the exact texts', () => {
    assert.equal(
      describeName('x://h/n/m').error,
      'unsupported scheme: "x": supported schemes are http, https, https+insecure',
    );
    const badDigest = describeName('m@sha256:abc');
    assert.equal(badDigest.error, 'invalid digest: "sha256:abc"');
    assert.equal(badDigest.digest, 'sha256:abc');
  });

  it('describes a bare digest without a path', () => {
    const report = describeName(`@sha256-${HEX}`);
    assert.equal(report.valid, true);
    assert.equal(report.model, '');
    assert.equal(report.digest, `sha256:${HEX}`);
    assert.equal(report.path, undefined);
    assert.equal(report.display, `@sha256:${HEX}`);
  });

  it('validates plain names exactly as HEAD does', () => {
    for (const input of ['m', '/m', 'm:', 'h/n/m:t', 'a/b/c/d', 'm:a:b', 'localhost:5000/n/m', 'foo.bar/m']) {
      assert.equal(describeName(input).valid, isValidName(input), input);
    }
  });
});

describe('properties', () => {
  const WORD = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_'.split('');
  const part = (extra: string[], maxLength: number): fc.Arbitrary<string> =>
    fc
      .tuple(fc.constantFrom(...WORD), fc.stringOf(fc.constantFrom(...WORD, ...extra), { maxLength: maxLength - 1 }))
      .map(([first, rest]) => first + rest);
  const hostPart = part(['-', '.', ':'], 350);
  const namespacePart = part(['-'], 80);
  const modelPart = part(['-', '.'], 80);
  const tagPart = part(['-', '.'], 80);
  /** Strings over the characters that matter to the grammar, so that valid names come up often. */
  const nameLike = fc.stringOf(fc.constantFrom('a', 'B', '1', '_', '-', '.', ':', '/', '@', '\\', 'é', ' '), {
    maxLength: 24,
  });
  const anyText = fc.oneof(fc.string(), fc.fullUnicodeString(), nameLike);

  it('building a name from valid parts and parsing it gives the parts back', () => {
    fc.assert(
      fc.property(hostPart, namespacePart, modelPart, tagPart, (host, namespace, model, tag) => {
        const full = `${host}/${namespace}/${model}:${tag}`;
        assert.deepEqual(parseName(full), name(host, namespace, model, tag));
        assert.equal(isValidName(full), true);
        assert.deepEqual(parseName(`${namespace}/${model}`), name('registry.ollama.ai', namespace, model, 'latest'));
        assert.deepEqual(parseName(`${model}:${tag}`), name('registry.ollama.ai', 'library', model, tag));
        assert.deepEqual(parseName(`http://${host}/${namespace}/${model}`).scheme, 'http');
        assert.deepEqual(parseName(nameString(parseName(full))), parseName(full));
      }),
      { numRuns: 500 },
    );
  });

  it('parseName, validateName and describeName never throw', () => {
    fc.assert(
      fc.property(anyText, (input) => {
        validateName(parseName(input));
        checkReference(input);
        describeName(input);
      }),
      { numRuns: 2000 },
    );
  });

  it('manifestPath never yields an unsafe component', () => {
    fc.assert(
      fc.property(anyText, (input) => {
        let parts: readonly string[];
        try {
          parts = manifestPath(input);
        } catch (error) {
          assert.ok(error instanceof NameInvalid);
          return;
        }
        assert.equal(parts.length, 4);
        for (const component of parts) {
          assert.ok(component !== '' && component !== '.' && component !== '..', component);
          assert.ok(!component.includes('/') && !component.includes('\\'), component);
        }
        assert.deepEqual(nameFromManifestPath(parts), { ...parseName(input), scheme: 'https' });
      }),
      { numRuns: 3000 },
    );
  });

  it('plain names: the extended parser agrees with HEAD', () => {
    fc.assert(
      fc.property(
        anyText.filter((input) => !input.includes('@') && !input.includes('://')),
        (input) => {
          assert.equal(checkReference(input).valid, isValidName(input), input);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('digests in either form and case give one canonical digest and file name', () => {
    const hex = fc.stringOf(fc.constantFrom(...'0123456789abcdefABCDEF'.split('')), { minLength: 64, maxLength: 64 });
    fc.assert(
      fc.property(hex, fc.constantFrom(':', '-'), (digits, separator) => {
        const canonical = parseDigest(`sha256${separator}${digits}`);
        assert.equal(canonical, `sha256:${digits.toLowerCase()}`);
        assert.equal(fileNameToDigest(digestToFileName(canonical)), canonical);
      }),
    );
  });
});
