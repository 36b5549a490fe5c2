import { generateKeyPairSync, randomUUID } from 'node:crypto';
import forge from 'node-forge';
import { startTestEmulator, type TestEmulator } from './helpers';

/** The Maskinporten-like token endpoint: what it accepts and each rejection rule (docs/upstreams.md §9). */

let t: TestEmulator;
beforeAll(async () => {
  t = await startTestEmulator({ vehicles: 50, tokenTtlSeconds: 300 });
});
afterAll(() => t.close());

async function expectRejected(assertion: string, error: string, describes: RegExp): Promise<void> {
  const res = await t.grant(assertion);
  expect(res.status).toBe(400);
  const text = await res.text();
  const body = JSON.parse(text);
  expect(body.error).toBe(error);
  expect(body.error_description).toMatch(describes);
  // Maskinporten never echoes the grant; neither do we.
  expect(text).not.toContain(assertion);
  const signature = assertion.split('.')[2];
  if (signature) expect(text).not.toContain(signature);
}

describe('POST /token', () => {
  it('issues an opaque bearer token for a valid kid-signed grant', async () => {
    const before = await t.admin('stats');
    const res = await t.grant(await t.assertion({ scope: 'ks:fiks svv:kjoretoy/ecoc' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as any;
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 300,
      scope: 'ks:fiks svv:kjoretoy/ecoc',
    });
    expect(body.access_token.split('.')).toHaveLength(1); // opaque, not a JWT
    const after = await t.admin('stats');
    expect(after.tokenGrants).toBe(before.tokenGrants + 1);
    expect(after.routes.token.requests).toBe(before.routes.token.requests + 1);
    const last = after.grants[after.grants.length - 1];
    expect(last.header).toEqual({ alg: 'RS256', kid: t.client.kid });
    expect(last.claims).toMatchObject({
      iss: t.client.clientId,
      aud: t.emulator.issuer,
      scope: 'ks:fiks svv:kjoretoy/ecoc',
    });
  });

  it.each(['RS384', 'RS512'])('accepts %s', async (alg) => {
    expect((await t.grant(await t.assertion({}, { alg }))).status).toBe(200);
  });

  it('accepts the optional resource and consumer_org claims', async () => {
    const res = await t.grant(
      await t.assertion({ resource: 'https://www.utv.vegvesen.no', consumer_org: '0192:310000001' }),
    );
    expect(res.status).toBe(200);
  });

  it('accepts an x5c grant whose leaf certificate carries the registered key', async () => {
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(t.client.publicKeyPem);
    cert.serialNumber = '01';
    cert.validity.notBefore = new Date(Date.now() - 60_000);
    cert.validity.notAfter = new Date(Date.now() + 3_600_000);
    const attrs = [{ name: 'commonName', value: 'SYNTETISK VIRKSOMHET AS' }];
    cert.setSubject(attrs);
    cert.setIssuer(attrs);
    cert.sign(forge.pki.privateKeyFromPem(t.client.privateKeyPem), forge.md.sha256.create());
    const der = forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes();
    const x5c = [forge.util.encode64(der)];
    const res = await t.grant(await t.assertion({}, { kid: null, x5c }));
    expect(res.status).toBe(200);
    const stats = await t.admin('stats');
    expect(stats.grants[stats.grants.length - 1].header).toEqual({ alg: 'RS256', x5c: true });
  });

  it('rejects a bad signature', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    await expectRejected(await t.assertion({}, { key: other }), 'invalid_grant', /signature/);
  });

  it('rejects a tampered payload', async () => {
    const good = await t.assertion();
    const [h, , s] = good.split('.');
    const forged = Buffer.from(
      JSON.stringify({ iss: t.client.clientId, aud: t.emulator.issuer, scope: 'ks:fiks' }),
    ).toString('base64url');
    await expectRejected(`${h}.${forged}.${s}`, 'invalid_grant', /signature/);
  });

  it('rejects an unknown kid and a grant with neither kid nor x5c', async () => {
    await expectRejected(await t.assertion({}, { kid: 'no-such-key' }), 'invalid_grant', /kid/);
    await expectRejected(await t.assertion({}, { kid: null }), 'invalid_grant', /kid/);
  });

  it('rejects a wrong aud, and aud given as an array', async () => {
    await expectRejected(await t.assertion({ aud: 'https://maskinporten.no/' }), 'invalid_grant', /aud/);
    await expectRejected(await t.assertion({ aud: [t.emulator.issuer] }), 'invalid_grant', /aud/);
  });

  it('rejects an iss that is not the client', async () => {
    await expectRejected(await t.assertion({ iss: randomUUID() }), 'invalid_grant', /iss/);
  });

  it('rejects iat more than 10 s off', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRejected(await t.assertion({ iat: now - 30, exp: now + 60 }), 'invalid_grant', /iat/);
    await expectRejected(await t.assertion({ iat: now + 30, exp: now + 90 }), 'invalid_grant', /iat/);
  });

  it('rejects exp - iat > 120 s and an expired grant', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRejected(await t.assertion({ iat: now, exp: now + 121 }), 'invalid_grant', /120/);
    await expectRejected(await t.assertion({ iat: now - 5, exp: now - 1 }), 'invalid_grant', /expired/);
  });

  it('rejects a reused jti', async () => {
    const jti = randomUUID();
    expect((await t.grant(await t.assertion({ jti }))).status).toBe(200);
    await expectRejected(await t.assertion({ jti }), 'invalid_grant', /jti/);
  });

  it('rejects a grant without jti', async () => {
    await expectRejected(await t.assertion({ jti: undefined }), 'invalid_grant', /jti/);
  });

  it('rejects any claim outside the allowed set', async () => {
    await expectRejected(await t.assertion({ sub: 'someone' }), 'invalid_grant', /unknown claim sub/);
  });

  it('rejects a missing scope and unknown scopes', async () => {
    await expectRejected(await t.assertion({ scope: undefined }), 'invalid_request', /scope/);
    await expectRejected(await t.assertion({ scope: 'ks:fiks ks:nope' }), 'invalid_scope', /ks:nope/);
  });

  it('rejects a non-RSA algorithm', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', kid: t.client.kid })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ iss: t.client.clientId })).toString('base64url');
    await expectRejected(`${header}.${payload}.c2ln`, 'invalid_grant', /alg/);
  });

  it('rejects malformed requests', async () => {
    await expectRejected('not-a-jwt', 'invalid_grant', /malformed/);
    const wrongGrant = await t.grant(await t.assertion(), 'client_credentials');
    expect(wrongGrant.status).toBe(400);
    expect(((await wrongGrant.json()) as any).error).toBe('unsupported_grant_type');
    const json = await fetch(t.emulator.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ assertion: 'x' }),
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as any).error).toBe('invalid_request');
  });

  it('counts rejected grants', async () => {
    await t.admin('reset', { method: 'POST' });
    await t.grant(await t.assertion({ aud: 'https://elsewhere/' }));
    await t.grant(await t.assertion());
    const stats = await t.admin('stats');
    expect(stats.grantsRejected).toBe(1);
    expect(stats.tokenGrants).toBe(1);
    expect(stats.grants).toHaveLength(2);
    expect(stats.routes.token.statuses).toEqual({ '200': 1, '400': 1 });
  });
});
