import { X509Certificate, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { loadSigningKey } from '../../../../src/datasources/maskinporten/keys';
import { ConfigError, parseEnv } from '../../../../src/config';

/** Keys and certificates are generated at test time into a temp dir; none is committed. */
function rsaKey(): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}

function certFor(
  subjectKey: KeyObject,
  cn: string,
  issuer?: { key: KeyObject; cert: forge.pki.Certificate },
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(
    createPublicKey(subjectKey).export({ type: 'spki', format: 'pem' }).toString(),
  );
  cert.serialNumber = String(Math.floor(Math.random() * 1e9) + 1);
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject([{ name: 'commonName', value: cn }]);
  cert.setIssuer(issuer ? issuer.cert.subject.attributes : [{ name: 'commonName', value: cn }]);
  const signer = forge.pki.privateKeyFromPem(
    (issuer?.key ?? subjectKey).export({ type: 'pkcs1', format: 'pem' }).toString(),
  );
  cert.sign(signer, forge.md.sha256.create());
  return cert;
}

function der64(cert: forge.pki.Certificate): string {
  return forge.util.encode64(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes());
}

describe('loadSigningKey', () => {
  let dir: string;
  const key = rsaKey();
  const caKey = rsaKey();
  const caCert = certFor(caKey, 'Test CA');
  const leafCert = certFor(key, 'Test Virksomhet', { key: caKey, cert: caCert });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mp-keys-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const env = (vars: Record<string, string>) => parseEnv(vars);

  it('loads a PKCS#8 PEM, with kid', () => {
    const path = file('k8.pem', key.export({ type: 'pkcs8', format: 'pem' }).toString());
    const loaded = loadSigningKey(env({ MASKINPORTEN_KEY_FILE: path, MASKINPORTEN_KID: 'kid-7' }));
    expect(loaded.privateKeyPem).toContain('-----BEGIN PRIVATE KEY-----');
    expect(loaded.kid).toBe('kid-7');
    expect(loaded.x5c).toBeUndefined();
  });

  it('converts a PKCS#1 PEM to PKCS#8', () => {
    const path = file('k1.pem', key.export({ type: 'pkcs1', format: 'pem' }).toString());
    const loaded = loadSigningKey(env({ MASKINPORTEN_KEY_FILE: path }));
    expect(loaded.privateKeyPem).toContain('-----BEGIN PRIVATE KEY-----');
    expect(loaded.privateKeyPem).toBe(key.export({ type: 'pkcs8', format: 'pem' }).toString());
  });

  it('adds x5c from MASKINPORTEN_CERT_CHAIN_FILE (leaf first) and checks it matches the key', () => {
    const keyPath = file('k.pem', key.export({ type: 'pkcs8', format: 'pem' }).toString());
    const chain = file('chain.pem', forge.pki.certificateToPem(leafCert) + forge.pki.certificateToPem(caCert));
    const loaded = loadSigningKey(env({ MASKINPORTEN_KEY_FILE: keyPath, MASKINPORTEN_CERT_CHAIN_FILE: chain }));
    expect(loaded.x5c).toEqual([der64(leafCert), der64(caCert)]);

    const wrong = file('wrong.pem', forge.pki.certificateToPem(caCert));
    expect(() => loadSigningKey(env({ MASKINPORTEN_KEY_FILE: keyPath, MASKINPORTEN_CERT_CHAIN_FILE: wrong }))).toThrow(
      /MASKINPORTEN_CERT_CHAIN_FILE/,
    );
  });

  it('loads a PKCS#12 file: key plus chain ordered leaf first', () => {
    const forgeKey = forge.pki.privateKeyFromPem(key.export({ type: 'pkcs1', format: 'pem' }).toString());
    // Chain stored CA first, to prove the loader orders it.
    const asn1 = forge.pkcs12.toPkcs12Asn1(forgeKey, [caCert, leafCert], 'p12-secret', { algorithm: '3des' });
    const path = file('cert.p12', Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
    const loaded = loadSigningKey(env({ MASKINPORTEN_P12_FILE: path, MASKINPORTEN_P12_PASSWORD: 'p12-secret' }));
    expect(loaded.privateKeyPem).toBe(key.export({ type: 'pkcs8', format: 'pem' }).toString());
    expect(loaded.x5c).toEqual([der64(leafCert), der64(caCert)]);
    expect(new X509Certificate(Buffer.from(loaded.x5c![0], 'base64')).subject).toContain('Test Virksomhet');
  });

  it('a wrong P12 password is a ConfigError naming the variable, without the password', () => {
    const forgeKey = forge.pki.privateKeyFromPem(key.export({ type: 'pkcs1', format: 'pem' }).toString());
    const asn1 = forge.pkcs12.toPkcs12Asn1(forgeKey, [leafCert], 'right-one', { algorithm: '3des' });
    const path = file('pw.p12', Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
    let error: unknown;
    try {
      loadSigningKey(env({ MASKINPORTEN_P12_FILE: path, MASKINPORTEN_P12_PASSWORD: 'wrong-one' }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('MASKINPORTEN_P12_PASSWORD');
    expect((error as Error).message).not.toContain('wrong-one');
    expect(() => loadSigningKey(env({ MASKINPORTEN_P12_FILE: path }))).toThrow(/MASKINPORTEN_P12_PASSWORD/);
  });

  it('fails with a ConfigError naming the variable for missing or bad files', () => {
    expect(() => loadSigningKey(env({}))).toThrow(ConfigError);
    expect(() => loadSigningKey(env({ MASKINPORTEN_KEY_FILE: join(dir, 'nope.pem') }))).toThrow(
      /MASKINPORTEN_KEY_FILE/,
    );
    const junk = file('junk.pem', 'hello');
    expect(() => loadSigningKey(env({ MASKINPORTEN_KEY_FILE: junk }))).toThrow(/MASKINPORTEN_KEY_FILE/);
    const ec = file(
      'ec.pem',
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    );
    expect(() => loadSigningKey(env({ MASKINPORTEN_KEY_FILE: ec }))).toThrow(/RSA/);
    expect(() => loadSigningKey(env({ MASKINPORTEN_KEY_FILE: junk, MASKINPORTEN_P12_FILE: junk }))).toThrow(/only one/);
  });
});
