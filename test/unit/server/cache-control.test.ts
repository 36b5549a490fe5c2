import { loadTypeDefsText } from '../../../src/schema';

describe('cache control', () => {
  it('the schema carries no @cacheControl hints, so src/server.ts may keep the cache-control plugin off', () => {
    // With a hint, the plugin must come back: without it Apollo would ignore the hint silently.
    expect(loadTypeDefsText()).not.toMatch(/@cacheControl/);
  });
});
