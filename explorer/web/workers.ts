/**
 * Monaco (GraphiQL's editor) runs its language services in web workers. GraphiQL ships setups for Vite, webpack and
 * esm.sh only; this is the webpack one with the worker files that explorer/build.ts bundles next to main.js.
 */
const workerUrl = (name: string) => new URL(`workers/${name}.worker.js`, document.baseURI).toString();

(globalThis as { MonacoEnvironment?: unknown }).MonacoEnvironment = {
  getWorker(_workerId: string, label: string): Worker {
    if (label === 'json') return new Worker(workerUrl('json'));
    if (label === 'graphql') return new Worker(workerUrl('graphql'));
    return new Worker(workerUrl('editor'));
  },
};
