import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { startStack, type Stack } from '../../helpers/stack';
import { TOKEN_REQUEST_DEFAULTS } from '../../../src/datasources/maskinporten/token-provider';
import { kustomize, type K8sObject } from '../../../scripts/kustomize';
import { canRead, containerRuntime, secretFileOwnership } from '../../../scripts/pod-runtime';

/**
 * deploy/ rendered as `kubectl kustomize` renders it, every object validated against the Kubernetes schemas
 * (kubernetes-models, offline), and the settings checked against what the server and the image really do.
 */

const ROOT = join(__dirname, '..', '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const OVERLAYS = { production: 'deploy', test: 'deploy/test' } as const;

const secretExamples = parseAllDocuments(read('deploy/secret.example.yaml')).map(
  (d) => d.toJS() as K8sObject & { stringData: Record<string, string> },
);
const secretKeys = Object.fromEntries(secretExamples.map((s) => [s.metadata.name, Object.keys(s.stringData)]));

type Model = new (data: unknown) => { validate(): void };
/** kubernetes-models' class for an object, e.g. apps/v1 Deployment → kubernetes-models/apps/v1/Deployment. */
function modelFor(o: K8sObject): Model {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(`kubernetes-models/${o.apiVersion}/${o.kind}`) as Record<string, Model>;
  return mod[o.kind];
}

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

describe.each(Object.entries(OVERLAYS))('deploy (%s: kustomize %s)', (_env, dir) => {
  const objects = kustomize(join(ROOT, dir));

  it('renders the Deployment, Service, HPA, PDB and ConfigMap, each valid against the Kubernetes schema', () => {
    expect(objects.map((o) => `${o.apiVersion} ${o.kind}`).sort()).toEqual(
      [
        'apps/v1 Deployment',
        'autoscaling/v2 HorizontalPodAutoscaler',
        'policy/v1 PodDisruptionBudget',
        'v1 ConfigMap',
        'v1 Service',
      ].sort(),
    );
    for (const o of objects) {
      expect(() => new (modelFor(o))(o).validate()).not.toThrow();
      expect(o.metadata.labels).toMatchObject({ 'app.kubernetes.io/part-of': 'supergraph' });
    }
  });

  (hasKubectl ? it : it.skip)('is exactly what `kubectl kustomize` renders', () => {
    const out = spawnSync('kubectl', ['kustomize', join(ROOT, dir)], { encoding: 'utf8' });
    expect(out.stderr).toBe('');
    const theirs = parseAllDocuments(out.stdout).map((d) => d.toJS() as K8sObject);
    const key = (o: K8sObject) => `${o.apiVersion} ${o.kind} ${o.metadata.name}`;
    expect(theirs.map(key).sort()).toEqual(objects.map(key).sort());
    for (const o of objects) {
      const same = theirs.find((t) => key(t) === key(o));
      expect({ object: key(o), equal: isDeepStrictEqual(o, same) }).toEqual({ object: key(o), equal: true });
    }
  });

  it('image comes from the `images:` override, not a placeholder in the Deployment', () => {
    const rt = containerRuntime(objects, secretKeys);
    expect(rt.image).toBe('registry.example/kjoretoy-subgraph:0.1.0');
    const raw = parseAllDocuments(read('deploy/base/deployment.yaml'))[0].toJS();
    expect(raw.spec.template.spec.containers[0].image).toBe('kjoretoy-subgraph');
  });
});

describe('deploy: production and test endpoints', () => {
  const config = (dir: string) =>
    kustomize(join(ROOT, dir)).find((o) => o.kind === 'ConfigMap')!.data as Record<string, string>;

  it('production points at the production upstreams; test only swaps the upstream endpoints', () => {
    const production = config(OVERLAYS.production);
    expect(production).toMatchObject({
      NODE_ENV: 'production',
      FIKS_BASE_URL: 'https://api.fiks.ks.no/kjoretoyregister/api',
      ECOC_BASE_URL: 'https://www.vegvesen.no/ws/no/vegvesen/kjoretoy/felles/innmelding',
      MASKINPORTEN_TOKEN_URL: 'https://maskinporten.no/token',
      MASKINPORTEN_AUDIENCE: 'https://maskinporten.no/',
    });
    expect(Object.values(production).filter((v) => /\btest\b|utv\./.test(v))).toEqual([]);

    const test = config(OVERLAYS.test);
    expect(test).toMatchObject({
      NODE_ENV: 'production',
      FIKS_BASE_URL: 'https://api.fiks.test.ks.no/kjoretoyregister/api',
      MASKINPORTEN_TOKEN_URL: 'https://test.maskinporten.no/token',
      MASKINPORTEN_AUDIENCE: 'https://test.maskinporten.no/',
    });
    const changed = Object.keys(test).filter((k) => test[k] !== production[k]);
    expect(changed.sort()).toEqual(
      ['ECOC_BASE_URL', 'FIKS_BASE_URL', 'MASKINPORTEN_AUDIENCE', 'MASKINPORTEN_TOKEN_URL'].sort(),
    );
  });

  it('every configured variable is one the service knows (src/config.ts), and none is a secret', () => {
    const known = new Set([...read('src/config.ts').matchAll(/^\s{2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]));
    const used = [...Object.keys(config(OVERLAYS.production)), ...Object.values(secretKeys).flat()].filter((k) =>
      /^[A-Z_]+$/.test(k),
    );
    expect(used.filter((k) => !known.has(k))).toEqual([]);
    for (const key of Object.keys(config(OVERLAYS.production)))
      expect(key).not.toMatch(/PASSWORD|SECRET|CLIENT_ID|_KID$/);
  });

  it('the example Secrets are valid and not part of any rendering', () => {
    for (const s of secretExamples) expect(() => new (modelFor(s))(s).validate()).not.toThrow();
    for (const dir of Object.values(OVERLAYS)) {
      expect(kustomize(join(ROOT, dir)).filter((o) => o.kind === 'Secret')).toEqual([]);
    }
  });
});

describe('deploy: the pod as Kubernetes runs it', () => {
  const objects = kustomize(join(ROOT, OVERLAYS.production));
  const rt = containerRuntime(objects, secretKeys);
  const deployment = objects.find((o) => o.kind === 'Deployment') as K8sObject & {
    spec: { replicas: number; template: { spec: { securityContext: Record<string, unknown> } } };
  };
  const keyFile = rt.secretFiles.find((f) => `${f.mountPath}/${f.key}` === rt.env.MASKINPORTEN_KEY_FILE)!;

  it('the schema validation is live: a wrong type fails it', () => {
    const broken = structuredClone(deployment) as unknown as K8sObject;
    (broken as any).spec.template.spec.volumes[0].secret.defaultMode = '0440';
    expect(() => new (modelFor(broken))(broken).validate()).toThrow(/defaultMode must be integer/);
  });

  it('runs as the image’s user 1000:1000, non-root, read-only, no capabilities, no privilege escalation', () => {
    const dockerfileUser = /^USER\s+(\S+)\s*$/m.exec(read('Dockerfile').split(/^FROM .* AS runtime$/m)[1])![1];
    expect(`${rt.runAs.uid}:${rt.runAs.gid}`).toBe(dockerfileUser);
    expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(rt).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      dropCapabilities: ['ALL'],
    });
    expect(rt.tmpfs.map((t) => t.path)).toEqual(['/tmp']);
    expect(rt.memoryLimitBytes).toBeGreaterThan(0);
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
  });

  it('the Maskinporten key file is readable by the container’s user as the kubelet writes it (finding: crash loop)', () => {
    expect(keyFile).toBeDefined();
    expect(keyFile.mode & 0o004).toBe(0); // never world-readable
    expect(canRead(keyFile, rt.runAs)).toBe(true);
    // Without fsGroup the kubelet writes root:root with the mode alone, which user 1000 cannot read.
    expect(canRead(secretFileOwnership(0o440, undefined), { ...rt.runAs, supplementalGroups: [] })).toBe(false);
  });

  it('port, probe paths and timeouts agree with the image and the server', () => {
    expect(rt.port).toBe(Number(rt.env.PORT));
    const runtimeStage = read('Dockerfile').split(/^FROM .* AS runtime$/m)[1];
    expect(/^EXPOSE\s+(\d+)/m.exec(runtimeStage)![1]).toBe(String(rt.port));
    expect(/^\s*PORT=(\d+)/m.exec(runtimeStage)![1]).toBe(String(rt.port));
    expect(rt.probes.startup?.path).toBe('/health/live');
    expect(rt.probes.liveness?.path).toBe('/health/live');
    expect(rt.probes.readiness?.path).toBe('/health/ready');
    for (const p of Object.values(rt.probes)) expect(p!.port).toBe(rt.port);
    // Readiness may have to fetch a Maskinporten token: every attempt, plus the longest backoff between them.
    const { timeoutMs, maxRetries, maxBackoffMs } = TOKEN_REQUEST_DEFAULTS;
    const worstTokenFetchMs = (maxRetries + 1) * timeoutMs + maxRetries * maxBackoffMs;
    expect(rt.probes.readiness!.timeoutSeconds * 1000).toBeGreaterThan(worstTokenFetchMs);
    expect(rt.probes.readiness!.periodSeconds).toBeGreaterThanOrEqual(rt.probes.readiness!.timeoutSeconds);
  });

  it('terminationGracePeriodSeconds exceeds the preStop sleep plus the upstream deadline of a request in flight', () => {
    expect(rt.terminationGracePeriodSeconds).toBeGreaterThan(
      (rt.preStopSleepSeconds ?? 0) + Number(rt.env.UPSTREAM_DEADLINE_MS) / 1000,
    );
  });

  it('Service, HPA and PDB select and target this Deployment', () => {
    const labels = (deployment as any).spec.template.metadata.labels as Record<string, string>;
    const service = objects.find((o) => o.kind === 'Service') as any;
    for (const [k, v] of Object.entries(service.spec.selector)) expect(labels[k]).toBe(v);
    expect(service.spec.ports[0]).toMatchObject({ port: rt.port, targetPort: 'http' });
    const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler') as any;
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: deployment.metadata.name,
    });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget') as any;
    expect(pdb.spec.selector.matchLabels).toEqual((deployment as any).spec.selector.matchLabels);
  });

  describe('against the running server', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack();
    });
    afterAll(async () => {
      await stack?.close();
    });

    it('every probe path answers 200 on the server', async () => {
      const origin = new URL(stack.url).origin;
      for (const probe of Object.values(rt.probes)) {
        const res = await fetch(`${origin}${probe!.path}`);
        expect({ path: probe!.path, status: res.status }).toEqual({ path: probe!.path, status: 200 });
      }
    });
  });
});
