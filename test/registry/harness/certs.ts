// Test-only: self-signed EC P-256 certificates made with the openssl command-line tool, for the registry's TLS and
// for signing tokens (its certificate goes into the registry's root bundle).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SelfSignedCert {
  certPath: string;
  keyPath: string;
  certPem: string;
  keyPem: string;
  /** base64 DER of the certificate (for a JWS `x5c` header). */
  derBase64: string;
}

/** Creates `<name>.crt` / `<name>.key` in `dir`, valid for 127.0.0.1 and localhost. */
export function makeSelfSignedCert(dir: string, name: string, commonName = '127.0.0.1'): SelfSignedCert {
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', `/CN=${commonName}`,
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 },
  );
  const certPem = readFileSync(certPath, 'utf8');
  const keyPem = readFileSync(keyPath, 'utf8');
  const derBase64 = certPem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return { certPath, keyPath, certPem, keyPem, derBase64 };
}
