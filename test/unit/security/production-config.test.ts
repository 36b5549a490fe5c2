import { authFromEnv, checkProductionEnv, ConfigError, parseEnv } from '../../../src/config';

/** Everything production needs, so each test can take one variable away. */
const PRODUCTION: Record<string, string> = {
  DATABASE_URL: 'postgresql://kjoretoy@db.example:5432/kjoretoy',
  NODE_ENV: 'production',
  FIKS_BASE_URL: 'https://api.fiks.test.ks.no/kjoretoyregister/api',
  FIKS_ORG_ID: '6f1c2a7e-0000-4000-8000-000000000009',
  FIKS_INTEGRATION_ID: 'integration-id',
  FIKS_INTEGRATION_PASSWORD: 'integration-password',
  ECOC_BASE_URL: 'https://www.vegvesen.no/ws/no/vegvesen/kjoretoy/felles/innmelding',
  MASKINPORTEN_TOKEN_URL: 'https://test.maskinporten.no/token',
  MASKINPORTEN_AUDIENCE: 'https://test.maskinporten.no/',
  MASKINPORTEN_CLIENT_ID: 'client-id',
  MASKINPORTEN_KEY_FILE: '/run/secrets/maskinporten.pem',
  AUTH_JWKS_URL: 'https://idp.example/.well-known/jwks.json',
  AUTH_ISSUER: 'https://idp.example/',
  AUTH_AUDIENCE: 'kjoretoy-subgraph',
};

const without = (...names: string[]) =>
  Object.fromEntries(Object.entries(PRODUCTION).filter(([k]) => !names.includes(k)));
const refusal = (env: Record<string, string>): string => {
  try {
    checkProductionEnv(parseEnv(env));
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected production start-up to be refused');
};

describe('production start-up refusals (parseEnv + checkProductionEnv)', () => {
  it('refuses the offline explorer, which is for development only', () => {
    expect(refusal({ ...PRODUCTION, EXPLORER_ENABLED: 'true' })).toMatch(/EXPLORER_ENABLED is for development only/);
    expect(() => checkProductionEnv(parseEnv({ ...PRODUCTION, EXPLORER_ENABLED: 'false' }))).not.toThrow();
  });

  it('refuses a bulk batch whose answer could pass the 10 MiB answer limit (over 500 vehicles), naming the variable', () => {
    expect(() => parseEnv({ ...PRODUCTION, FIKS_BULK_MAX_BATCH: '500' })).not.toThrow();
    expect(() => parseEnv({ ...PRODUCTION, FIKS_BULK_MAX_BATCH: '501' })).toThrow(/FIKS_BULK_MAX_BATCH/);
  });

  it('accepts a complete production configuration', () => {
    expect(() => checkProductionEnv(parseEnv(PRODUCTION))).not.toThrow();
    expect(authFromEnv(parseEnv(PRODUCTION))).toEqual({
      jwksUrl: PRODUCTION.AUTH_JWKS_URL,
      jwksFile: undefined,
      issuer: PRODUCTION.AUTH_ISSUER,
      audience: PRODUCTION.AUTH_AUDIENCE,
    });
  });

  it('without any caller-auth configuration: refused, naming the variables', () => {
    expect(refusal(without('AUTH_JWKS_URL', 'AUTH_ISSUER', 'AUTH_AUDIENCE'))).toMatch(/AUTH_ISSUER/);
    expect(refusal(without('AUTH_JWKS_URL'))).toBe(
      'NODE_ENV=production requires AUTH_JWKS_URL or AUTH_JWKS_FILE to be set',
    );
    expect(refusal(without('AUTH_ISSUER'))).toBe('NODE_ENV=production requires AUTH_ISSUER to be set');
    expect(refusal(without('AUTH_AUDIENCE'))).toBe('NODE_ENV=production requires AUTH_AUDIENCE to be set');
  });

  it.each([
    'FIKS_BASE_URL',
    'FIKS_ORG_ID',
    'FIKS_INTEGRATION_ID',
    'FIKS_INTEGRATION_PASSWORD',
    'ECOC_BASE_URL',
    'MASKINPORTEN_TOKEN_URL',
    'MASKINPORTEN_AUDIENCE',
    'MASKINPORTEN_CLIENT_ID',
  ])('without %s: refused, naming it', (name) => {
    expect(refusal(without(name))).toBe(`NODE_ENV=production requires ${name} to be set`);
  });

  it('names every missing required variable at once', () => {
    expect(refusal(without('FIKS_ORG_ID', 'ECOC_BASE_URL', 'DATABASE_URL'))).toBe(
      'NODE_ENV=production requires FIKS_ORG_ID, ECOC_BASE_URL and DATABASE_URL to be set',
    );
  });

  it('without a Maskinporten key: refused, naming both ways to give one', () => {
    expect(refusal(without('MASKINPORTEN_KEY_FILE'))).toMatch(/MASKINPORTEN_KEY_FILE or MASKINPORTEN_P12_FILE/);
  });

  it('half an auth configuration is refused in any mode, naming the missing variable', () => {
    expect(() => authFromEnv(parseEnv({ AUTH_JWKS_FILE: '.dev-auth/jwks.json', AUTH_AUDIENCE: 'x' }))).toThrow(
      /AUTH_ISSUER must be set/,
    );
    expect(() => authFromEnv(parseEnv({ AUTH_JWKS_FILE: '.dev-auth/jwks.json', AUTH_ISSUER: 'x' }))).toThrow(
      /AUTH_AUDIENCE must be set/,
    );
    expect(authFromEnv(parseEnv({}))).toBeUndefined(); // dev mode
  });

  it('a too-short ROUTER_SECRET is refused naming the variable', () => {
    expect(() => parseEnv({ ROUTER_SECRET: 'short' })).toThrow(/ROUTER_SECRET/);
  });

  it('development and test need nothing', () => {
    expect(() => checkProductionEnv(parseEnv({}))).not.toThrow();
    expect(() => checkProductionEnv(parseEnv({ NODE_ENV: 'test' }))).not.toThrow();
  });
});
