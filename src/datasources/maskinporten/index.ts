export type { TokenSource } from './types';
export { MaskinportenTokenProvider, type MaskinportenProviderOptions } from './token-provider';
export { loadSigningKey, type SigningKey } from './keys';
