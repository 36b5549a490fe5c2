/** Where UpstreamClient gets bearer tokens. Implemented by MaskinportenTokenProvider (and by fakes in tests). */
export interface TokenSource {
  /** A valid access token for `scope`; throws UpstreamError (upstream 'maskinporten') when none can be had. */
  getToken(scope: string): Promise<string>;
  /** The upstream refused `token` (HTTP 401): forget it, but only if it is still the cached one. */
  invalidate(scope: string, token: string): void;
}
