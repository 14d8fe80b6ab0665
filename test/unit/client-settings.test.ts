// Tests for the extension's settings as the client reads them (client/model/settings.ts) and the registry options
// they become (client/model/registryOptions.ts): defaults and clamping, registry hosts normalised, the three
// credential sources against a real Docker config file and the environment, the refusal of unlisted http://
// names, OLLAMA_NOPRUNE — and that package.json declares exactly these settings, with the server's section names.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { credentialsFor, dockerConfigPath, insecureRefusal, registryOptionsFor } from '../../client/model/registryOptions';
import { DEFAULT_STREAMS, keepUnusedBlobs, normaliseRegistryHost, readStudioSettings, SETTINGS_SECTION } from '../../client/model/settings';
import { readSettings, SETTINGS_SECTION as SERVER_SECTION } from '../../server/settings';

const root = join(__dirname, '..', '..', '..');
const temp = mkdtempSync(join(tmpdir(), 'mfs-client-settings-'));
after(() => rmSync(temp, { recursive: true, force: true }));

function settingsFrom(values: Record<string, unknown>): ReturnType<typeof readStudioSettings> {
  return readStudioSettings((key) => values[key]);
}

describe('readStudioSettings', () => {
  it('gives defaults for missing or wrong values', () => {
    assert.deepEqual(settingsFrom({}), { modelsDirectory: '', insecureRegistries: [], streams: DEFAULT_STREAMS, credentialsSource: 'auto' });
    assert.deepEqual(settingsFrom({ modelsDirectory: 3, insecureRegistries: 'x', streams: 'many', 'credentials.source': 'vault' }), settingsFrom({}));
  });

  it('trims, normalises, de-duplicates and clamps', () => {
    const settings = settingsFrom({
      modelsDirectory: '  ~/models ',
      insecureRegistries: ['HTTP://127.0.0.1:5000/v2/', '127.0.0.1:5000', ' localhost ', '', 7],
      streams: 200.7,
      'credentials.source': 'dockerConfig',
    });
    assert.deepEqual(settings, {
      modelsDirectory: '~/models',
      insecureRegistries: ['127.0.0.1:5000', 'localhost'],
      streams: 64,
      credentialsSource: 'dockerConfig',
    });
    assert.equal(settingsFrom({ streams: 0 }).streams, 1);
    assert.equal(settingsFrom({ 'credentials.source': 'none' }).credentialsSource, 'none');
    assert.equal(normaliseRegistryHost('https://Registry.Example.com'), 'registry.example.com');
  });

  it('OLLAMA_NOPRUNE follows Go\'s envconfig.Bool', () => {
    assert.equal(keepUnusedBlobs({}), false);
    assert.equal(keepUnusedBlobs({ OLLAMA_NOPRUNE: '' }), false);
    assert.equal(keepUnusedBlobs({ OLLAMA_NOPRUNE: 'false' }), false);
    assert.equal(keepUnusedBlobs({ OLLAMA_NOPRUNE: '"0"' }), false);
    assert.equal(keepUnusedBlobs({ OLLAMA_NOPRUNE: '1' }), true);
    assert.equal(keepUnusedBlobs({ OLLAMA_NOPRUNE: 'yes' }), true);
  });
});

describe('registry options', () => {
  const dockerDir = join(temp, 'docker');
  const home = join(temp, 'home');
  const auth = (user: string, password: string): string => Buffer.from(`${user}:${password}`).toString('base64');

  it('finds Docker\'s config in $DOCKER_CONFIG, else in the home folder', () => {
    assert.equal(dockerConfigPath({ DOCKER_CONFIG: dockerDir }, home), join(dockerDir, 'config.json'));
    assert.equal(dockerConfigPath({}, home), join(home, '.docker', 'config.json'));
  });

  it('auto: the environment first, then Docker; dockerConfig: Docker only; none: nothing', async () => {
    mkdirSync(dockerDir, { recursive: true });
    writeFileSync(join(dockerDir, 'config.json'), JSON.stringify({ auths: { 'reg.example:5000': { auth: auth('docker', 'pw1') }, 'other.example': { auth: auth('d2', 'pw2') } } }));
    const env = { DOCKER_CONFIG: dockerDir, MODELFILE_REGISTRY_AUTH_REG_EXAMPLE_5000: 'env:pw3' };
    const automatic = credentialsFor({ credentialsSource: 'auto' }, env, home);
    assert.deepEqual(await automatic('reg.example:5000'), { username: 'env', password: 'pw3' });
    assert.deepEqual(await automatic('other.example'), { username: 'd2', password: 'pw2' });
    const docker = credentialsFor({ credentialsSource: 'dockerConfig' }, env, home);
    assert.deepEqual(await docker('reg.example:5000'), { username: 'docker', password: 'pw1' });
    const none = credentialsFor({ credentialsSource: 'none' }, env, home);
    assert.equal(await none('reg.example:5000'), undefined);
  });

  it('passes hosts and streams to the client', () => {
    const options = registryOptionsFor(settingsFrom({ insecureRegistries: ['127.0.0.1:5000'], streams: 4 }), {}, home);
    assert.deepEqual(options.insecureHosts, ['127.0.0.1:5000']);
    assert.equal(options.streams, 4);
    assert.equal(typeof options.credentials, 'function');
  });

  it('refuses http:// names for hosts that are not listed', () => {
    const settings = settingsFrom({ insecureRegistries: ['127.0.0.1:5000'] });
    assert.equal(insecureRefusal('http', '127.0.0.1:5000', settings), undefined);
    assert.equal(insecureRefusal('https', 'example.com', settings), undefined);
    assert.match(insecureRefusal('http', 'Example.com:80', settings) ?? '', /add "example\.com:80" to the setting modelfileStudio\.insecureRegistries/);
  });
});

describe('package.json settings', () => {
  interface Property {
    type: string;
    default: unknown;
    enum?: string[];
    markdownDescription?: string;
    description?: string;
    patternProperties?: Record<string, { enum: string[] }>;
  }
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, Property> } } };
  const properties = manifest.contributes.configuration.properties;

  it('declares the five settings under the section the server reads, each described', () => {
    assert.equal(SETTINGS_SECTION, SERVER_SECTION);
    assert.deepEqual(Object.keys(properties).sort(), [
      'modelfileStudio.credentials.source',
      'modelfileStudio.diagnostics.severity',
      'modelfileStudio.insecureRegistries',
      'modelfileStudio.modelsDirectory',
      'modelfileStudio.streams',
    ]);
    for (const [key, property] of Object.entries(properties)) {
      assert.ok((property.markdownDescription ?? property.description ?? '').length > 40, `${key} is described`);
      assert.ok(!key.includes('ollama.'), key);
    }
    assert.deepEqual(properties['modelfileStudio.credentials.source']?.enum, ['auto', 'dockerConfig', 'none']);
    assert.equal(properties['modelfileStudio.streams']?.default, DEFAULT_STREAMS);
  });

  it('offers exactly the severity levels the server accepts', () => {
    const levels = Object.values(properties['modelfileStudio.diagnostics.severity']?.patternProperties ?? {})[0]?.enum ?? [];
    const table = Object.fromEntries(levels.map((level, i) => [`MF00${i + 1}`, level]));
    const read = readSettings({ modelfileStudio: { diagnostics: { severity: table }, modelsDirectory: ' /m ' } });
    assert.deepEqual(Object.values(read.severities), levels);
    assert.equal(read.modelsDirectory, '/m');
  });
});
