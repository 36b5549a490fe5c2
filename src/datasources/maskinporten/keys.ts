import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import forge from 'node-forge';
import { ConfigError, readFileOrFail, type Env } from '../../config';

/** What MaskinportenConfig needs from key material. */
export interface SigningKey {
  /** PKCS#8 PEM. */
  privateKeyPem: string;
  kid?: string;
  /** base64 DER certificates, leaf first. */
  x5c?: string[];
}

/**
 * Loads the grant signing key from MASKINPORTEN_KEY_FILE (PEM, PKCS#8 or PKCS#1) or MASKINPORTEN_P12_FILE +
 * MASKINPORTEN_P12_PASSWORD (virksomhetssertifikat), plus the optional MASKINPORTEN_CERT_CHAIN_FILE and
 * MASKINPORTEN_KID. Errors are ConfigErrors naming the variable; they never contain key material or the password.
 */
export function loadSigningKey(env: Env): SigningKey {
  if (env.MASKINPORTEN_KEY_FILE && env.MASKINPORTEN_P12_FILE) {
    throw new ConfigError('Set only one of MASKINPORTEN_KEY_FILE and MASKINPORTEN_P12_FILE');
  }
  let loaded: { key: KeyObject; x5c?: string[] };
  if (env.MASKINPORTEN_KEY_FILE) {
    loaded = { key: parsePemKey(readFileOrFail('MASKINPORTEN_KEY_FILE', env.MASKINPORTEN_KEY_FILE)) };
  } else if (env.MASKINPORTEN_P12_FILE) {
    if (env.MASKINPORTEN_P12_PASSWORD === undefined) {
      throw new ConfigError('MASKINPORTEN_P12_PASSWORD must be set when MASKINPORTEN_P12_FILE is set');
    }
    loaded = loadP12(env.MASKINPORTEN_P12_FILE, env.MASKINPORTEN_P12_PASSWORD);
  } else {
    throw new ConfigError('MASKINPORTEN_KEY_FILE or MASKINPORTEN_P12_FILE must be set');
  }

  let x5c = loaded.x5c;
  if (env.MASKINPORTEN_CERT_CHAIN_FILE) {
    x5c = parseCertChain(readFileOrFail('MASKINPORTEN_CERT_CHAIN_FILE', env.MASKINPORTEN_CERT_CHAIN_FILE), loaded.key);
  }
  const privateKeyPem = loaded.key.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    privateKeyPem,
    ...(env.MASKINPORTEN_KID ? { kid: env.MASKINPORTEN_KID } : {}),
    ...(x5c?.length ? { x5c } : {}),
  };
}

function parsePemKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    // Accepts PKCS#8 ("PRIVATE KEY") and PKCS#1 ("RSA PRIVATE KEY"); exported as PKCS#8 by the caller.
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new ConfigError('MASKINPORTEN_KEY_FILE: not an unencrypted PEM private key (PKCS#8 or PKCS#1)');
  }
  if (key.asymmetricKeyType !== 'rsa') throw new ConfigError('MASKINPORTEN_KEY_FILE: an RSA key is required (RS256)');
  return key;
}

/** PKCS#12 via node-forge: the RSA private key plus its certificate chain (leaf first). */
function loadP12(path: string, password: string): { key: KeyObject; x5c: string[] } {
  let der: Buffer;
  try {
    der = readFileSync(path);
  } catch {
    throw new ConfigError(`MASKINPORTEN_P12_FILE: cannot read file ${path}`);
  }
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der.toString('binary')), password);
  } catch {
    throw new ConfigError(
      'MASKINPORTEN_P12_FILE: cannot be decrypted with MASKINPORTEN_P12_PASSWORD, or is not PKCS#12',
    );
  }

  const keyBags = [
    ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag] ?? []),
  ];
  const forgeKey = keyBags.find((bag) => bag.key)?.key as forge.pki.rsa.PrivateKey | undefined;
  if (!forgeKey) throw new ConfigError('MASKINPORTEN_P12_FILE: contains no RSA private key');
  const key = createPrivateKey(forge.pki.privateKeyToPem(forgeKey));

  const certs = (p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [])
    .map((bag) => bag.cert)
    .filter((cert): cert is forge.pki.Certificate => cert !== undefined);
  return { key, x5c: orderChain(certs, forgeKey).map(certToBase64Der) };
}

/** Leaf = the certificate for our key; then follow issuer → subject. Certificates not on the path are dropped. */
function orderChain(certs: forge.pki.Certificate[], key: forge.pki.rsa.PrivateKey): forge.pki.Certificate[] {
  const leaf = certs.find((cert) => {
    const pub = cert.publicKey as forge.pki.rsa.PublicKey;
    return pub.n !== undefined && pub.n.equals(key.n) && pub.e.equals(key.e);
  });
  if (!leaf) {
    if (certs.length === 0) return [];
    throw new ConfigError('MASKINPORTEN_P12_FILE: no certificate matches the private key');
  }
  const chain = [leaf];
  let current = leaf;
  while (chain.length < certs.length) {
    const issuer = certs.find((c) => !chain.includes(c) && current.isIssuer(c));
    if (!issuer) break;
    chain.push(issuer);
    current = issuer;
  }
  return chain;
}

function certToBase64Der(cert: forge.pki.Certificate): string {
  return forge.util.encode64(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes());
}

/** PEM bundle → x5c (leaf first, as in the file). The first certificate must belong to the signing key. */
function parseCertChain(pem: string, key: KeyObject): string[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new ConfigError('MASKINPORTEN_CERT_CHAIN_FILE: contains no PEM certificate');
  const certs = blocks.map((block) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw new ConfigError('MASKINPORTEN_CERT_CHAIN_FILE: contains an unreadable certificate');
    }
  });
  if (!certs[0].checkPrivateKey(key)) {
    throw new ConfigError('MASKINPORTEN_CERT_CHAIN_FILE: the first certificate does not match the signing key');
  }
  return certs.map((cert) => cert.raw.toString('base64'));
}
