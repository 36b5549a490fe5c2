import { generateKeyPair, randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';

const generateKeyPairAsync = promisify(generateKeyPair);

export interface DevClient {
  clientId: string;
  kid: string;
  privateKeyPem: string;
  publicKeyPem: string;
}

/**
 * A Maskinporten-style client for the emulator: a fresh RSA 2048 key pair made at run time (nothing secret lives in
 * the repository), a `kid` and a client id (Maskinporten client ids are UUIDs).
 */
export async function generateDevClient(): Promise<DevClient> {
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    clientId: randomUUID(),
    kid: `emulator-${randomBytes(8).toString('hex')}`,
    privateKeyPem: privateKey,
    publicKeyPem: publicKey,
  };
}
