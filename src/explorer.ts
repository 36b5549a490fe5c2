import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';
import express, { type NextFunction, type Request, type Response } from 'express';

/**
 * The offline explorer (development only): GraphiQL bundled from the npm registry by `npm run build:explorer`
 * (explorer/build.ts) into dist/explorer, served from the subgraph's own origin at /explorer/. The embedded Sandbox
 * stays the landing page; it loads from Apollo's CDN, and when that fails the landing page sends the browser here.
 */

export const EXPLORER_PATH = '/explorer/';

/** dist/explorer, seen from src/ (tsx, ts-jest) or from dist/src/ (the build). */
export function explorerDir(): string {
  const candidates = [resolve(__dirname, '..', 'dist', 'explorer'), resolve(__dirname, '..', 'explorer')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0];
}

/**
 * Everything the page loads comes from this origin; the policy makes the browser hold the bundle to that, so a
 * dependency that starts reaching for a CDN fails visibly here instead of silently needing the internet.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  // GraphiQL and Monaco set inline styles at run time.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "worker-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function explorerRoutes(dir = explorerDir()): express.Router {
  const router = express.Router();
  router.use((_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
    next();
  });
  router.use(express.static(dir, { index: 'index.html', fallthrough: true }));
  router.use((_req: Request, res: Response) => {
    res
      .status(404)
      .type('text/plain')
      .send(
        existsSync(join(dir, 'index.html'))
          ? 'Not found'
          : 'The explorer is not built: run `npm run build:explorer` (npm start does it for you).',
      );
  });
  return router;
}

/**
 * Wraps Apollo's landing page (the embedded Sandbox, loaded from Apollo's CDN) so that a browser which cannot load
 * the Sandbox script (offline, or a network that blocks the CDN) goes to the offline explorer instead of a blank
 * page. The script runs under the page's own CSP nonce; `load` fires once every script has loaded or failed.
 */
export function withOfflineFallback<T extends object>(
  landingPage: ApolloServerPlugin<T>,
  explorerUrl = EXPLORER_PATH,
): ApolloServerPlugin<T> {
  return {
    async serverWillStart(service) {
      const listener = await landingPage.serverWillStart?.(service);
      const render = listener?.renderLandingPage;
      if (!listener || !render) return listener;
      return {
        ...listener,
        async renderLandingPage() {
          const page = await render();
          const html = typeof page.html === 'string' ? page.html : await page.html();
          return { html: injectFallback(html, explorerUrl) };
        },
      };
    },
  };
}

export function injectFallback(html: string, explorerUrl: string): string {
  const nonce = /nonce="?([A-Za-z0-9+/=_-]+)"?/.exec(html)?.[1];
  const target = JSON.stringify(explorerUrl);
  const script =
    `<script${nonce ? ` nonce="${nonce}"` : ''}>` +
    `window.addEventListener('load', function () {` +
    ` if (!window.EmbeddedSandbox) window.location.replace(${target});` +
    ` });</script>`;
  // A link as well, for a CDN that neither answers nor fails (the load event waits for it).
  const link =
    `<div class="fallback"><p>Offline? The self-hosted explorer works without the CDN: ` +
    `<a href="${explorerUrl}">${explorerUrl}</a></p></div>`;
  return html.replace('</head>', `${script}</head>`).replace('<div id="embeddableSandbox">', `${link}$&`);
}
