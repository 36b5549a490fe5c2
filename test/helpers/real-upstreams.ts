/** Production with real upstreams configured (unreachable hosts: start-up must stop before using them). */
export const PRODUCTION_UPSTREAMS: Record<string, string> = {
  NODE_ENV: 'production',
  PORT: '0',
  FIKS_BASE_URL: 'https://fiks.invalid/kjoretoyregister/api',
  FIKS_ORG_ID: '6f1c2a7e-0000-4000-8000-000000000009',
  FIKS_INTEGRATION_ID: 'integration-id',
  FIKS_INTEGRATION_PASSWORD: 'integration-password-for-startup-test',
  ECOC_BASE_URL: 'https://svv.invalid/ws/no/vegvesen/kjoretoy/felles/innmelding',
  MASKINPORTEN_TOKEN_URL: 'https://maskinporten.invalid/token',
  MASKINPORTEN_AUDIENCE: 'https://maskinporten.invalid/',
  MASKINPORTEN_CLIENT_ID: 'client-id',
  MASKINPORTEN_KEY_FILE: '/nonexistent/maskinporten.pem',
  DATABASE_URL: 'postgresql://kjoretoy@db.invalid:5432/kjoretoy',
};
