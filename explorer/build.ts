import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

/**
 * Bundles the offline explorer (GraphiQL + React + Monaco's workers, all from node_modules) into static files the
 * subgraph serves at /explorer in development. Nothing is fetched at run time: no CDN, no font service.
 *
 *   npm run build:explorer            → dist/explorer/
 */

export const EXPLORER_DIR = join(__dirname, '..', 'dist', 'explorer');
const WEB = join(__dirname, 'web');

const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>kjoretoy-subgraph explorer (offline GraphiQL)</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="main.css" />
    <style>
      body { margin: 0; }
      #graphiql { height: 100dvh; }
    </style>
  </head>
  <body>
    <div id="graphiql">Loading the explorer…</div>
    <script src="main.js"></script>
  </body>
</html>
`;

/** Monaco's language workers, each its own classic-script bundle (see web/workers.ts). */
const WORKERS = {
  editor: 'monaco-editor/esm/vs/editor/editor.worker.js',
  json: 'monaco-editor/esm/vs/language/json/json.worker.js',
  graphql: 'monaco-graphql/esm/graphql.worker.js',
};

export async function buildExplorer(outDir = EXPLORER_DIR): Promise<string> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const common = {
    bundle: true,
    minify: true,
    format: 'iife' as const,
    target: 'es2022',
    logLevel: 'warning' as const,
    define: { 'process.env.NODE_ENV': '"production"' },
  };
  await build({
    ...common,
    entryPoints: { main: join(WEB, 'main.tsx') },
    outdir: outDir,
    jsx: 'automatic',
    // Monaco's codicon font, referenced from its CSS, is emitted next to main.css.
    loader: { '.ttf': 'file' },
  });
  await build({
    ...common,
    entryPoints: Object.fromEntries(Object.entries(WORKERS).map(([name, path]) => [`${name}.worker`, path])),
    outdir: join(outDir, 'workers'),
  });
  writeFileSync(join(outDir, 'index.html'), INDEX_HTML);
  return outDir;
}

/** Builds once when the bundle is missing (npm start, the browser test); `npm run build:explorer` always rebuilds. */
export async function ensureExplorerBuilt(outDir = EXPLORER_DIR): Promise<string> {
  return existsSync(join(outDir, 'index.html')) ? outDir : buildExplorer(outDir);
}

if (require.main === module) {
  buildExplorer().then(
    (dir) => process.stdout.write(`explorer bundled into ${dir}\n`),
    (error: unknown) => {
      process.stderr.write(`explorer build failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
