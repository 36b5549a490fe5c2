import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
// `yaml` (eemeli/yaml 2.x) is already in node_modules through @graphql-codegen/cli; no Docker engine, hadolint or
// kubeconform can run here, so these checks parse the files and assert what matters to operations.
import { parseAllDocuments } from 'yaml';

const ROOT = join(__dirname, '..', '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** Dockerfile → stages of instructions (comments dropped, `\` continuations joined). */
function parseDockerfile(text: string): { args: Instruction[]; stages: Stage[] } {
  const logical = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const args: Instruction[] = [];
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, op, rest] = /^(\S+)\s*(.*)$/.exec(line)!;
    const instruction = { op: op.toUpperCase(), args: rest };
    if (instruction.op === 'FROM') {
      const [, from, name] = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest)!;
      stages.push({ from, name, instructions: [] });
    } else if (stages.length === 0) {
      args.push(instruction);
    } else {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return { args, stages };
}

describe('Dockerfile (multi-stage, production dependencies only, non-root)', () => {
  const { args, stages } = parseDockerfile(read('Dockerfile'));
  const build = stages.find((s) => s.name === 'build')!;
  const runtime = stages[stages.length - 1];
  const runs = (s: Stage) => s.instructions.filter((i) => i.op === 'RUN').map((i) => i.args);
  const last = (s: Stage, op: string) => [...s.instructions].reverse().find((i) => i.op === op)?.args;

  it('has a build stage and a separate runtime stage, both on Node 22 LTS', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'runtime']);
    const image = args.find((a) => a.op === 'ARG' && a.args.startsWith('NODE_IMAGE='))?.args.split('=')[1];
    expect(image).toMatch(/^node:22[.-]/);
    for (const s of stages) expect(s.from).toBe('${NODE_IMAGE}');
  });

  it('build stage: npm ci with dev dependencies, then npm run build', () => {
    const r = runs(build);
    expect(r.some((x) => /^npm ci\b/.test(x) && !x.includes('--omit=dev'))).toBe(true);
    expect(r).toContain('npm run build');
  });

  it('runtime stage: npm ci --omit=dev, only dist/src from the build, schema/, NODE_ENV=production', () => {
    expect(runs(runtime).some((x) => /npm ci\b.*--omit=dev/.test(x))).toBe(true);
    const copies = runtime.instructions.filter((i) => i.op === 'COPY').map((i) => i.args);
    expect(copies).toContain('--from=build /app/dist/src ./dist/src');
    expect(copies).toContain('schema ./schema');
    // Never the whole context (sources, tests, maybe secrets) into the image that ships.
    expect(copies.some((c) => /^\.\s/.test(c) || /\s\.\s/.test(c))).toBe(false);
    expect(
      runtime.instructions
        .filter((i) => i.op === 'ENV')
        .map((i) => i.args)
        .join(' '),
    ).toMatch(/NODE_ENV=production/);
  });

  it('runs as the non-root node user, exposes 4001, and starts node dist/src/index.js in exec form', () => {
    expect(last(runtime, 'USER')).toBe('node');
    const ops = runtime.instructions.map((i) => i.op);
    expect(ops.lastIndexOf('USER')).toBeLessThan(ops.lastIndexOf('CMD'));
    expect(last(runtime, 'EXPOSE')).toBe('4001');
    expect(JSON.parse(last(runtime, 'CMD')!)).toEqual(['node', 'dist/src/index.js']);
    expect(last(runtime, 'HEALTHCHECK')).toContain('/health/live');
    expect(existsSync(join(ROOT, 'src', 'index.ts'))).toBe(true);
  });

  it('every path copied from the build context exists and is not excluded by .dockerignore', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#') && !l.startsWith('!'));
    for (const stage of stages) {
      for (const copy of stage.instructions.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))) {
        const sources = copy.args.split(/\s+/).slice(0, -1);
        for (const source of sources) {
          expect(existsSync(join(ROOT, source))).toBe(true);
          expect(ignored).not.toContain(source);
        }
      }
    }
  });

  it('.dockerignore keeps dependencies, build output, logs and secrets out of the context', () => {
    const lines = read('.dockerignore').split('\n');
    for (const entry of ['node_modules', 'dist', '.git', 'test-logs', '.env', '*.pem', '*.p12', '*.key']) {
      expect(lines).toContain(entry);
    }
  });
});

// Only the parts of the Kubernetes objects these checks read.
type Labels = Record<string, string>;
interface Probe {
  httpGet: { path: string; port: string | number };
}
interface Container {
  ports: { name: string; containerPort: number }[];
  envFrom: ({ configMapRef: { name: string } } | { secretRef: { name: string } })[];
  volumeMounts: { name: string; mountPath: string }[];
  livenessProbe: Probe;
  readinessProbe: Probe;
  startupProbe: Probe;
  lifecycle: { preStop: { exec: { command: string[] } } };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: Record<string, unknown>;
}
interface DeploymentSpec {
  replicas: number;
  selector: { matchLabels: Labels };
  template: {
    metadata: { labels: Labels };
    spec: {
      terminationGracePeriodSeconds: number;
      securityContext: { runAsNonRoot?: boolean; runAsUser?: number };
      containers: Container[];
      volumes: { name: string; secret?: { secretName: string } }[];
    };
  };
}
interface ServiceSpec {
  selector: Labels;
  ports: { port: number; targetPort: string | number }[];
}
interface HpaSpec {
  scaleTargetRef: { apiVersion: string; kind: string; name: string };
  minReplicas: number;
  maxReplicas: number;
  metrics: { resource: { name: string } }[];
}
interface K8s<Spec = unknown> {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Labels };
  spec: Spec;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  resources?: string[];
}

describe('deploy/ (Kubernetes manifests)', () => {
  const files = readdirSync(join(ROOT, 'deploy')).filter((f) => /\.ya?ml$/.test(f));
  const docs: { file: string; doc: K8s }[] = [];
  for (const file of files) {
    for (const d of parseAllDocuments(read(`deploy/${file}`))) {
      // Parse errors surface in the first test.
      docs.push({ file, doc: (d.errors.length ? { __errors: d.errors.map((e) => e.message) } : d.toJS()) as K8s });
    }
  }
  const one = <Spec = unknown>(kind: string) => docs.filter((d) => d.doc.kind === kind).map((d) => d.doc as K8s<Spec>);
  const deployment = one<DeploymentSpec>('Deployment')[0];
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];

  it('every manifest is valid YAML with apiVersion, kind and metadata.name', () => {
    expect(files.length).toBeGreaterThan(0);
    for (const { file, doc } of docs) {
      expect({ file, errors: (doc as unknown as { __errors?: string[] }).__errors }).toEqual({
        file,
        errors: undefined,
      });
      expect(typeof doc.apiVersion).toBe('string');
      expect(typeof doc.kind).toBe('string');
      if (doc.kind !== 'Kustomization') expect(typeof doc.metadata?.name).toBe('string');
    }
  });

  it('has the expected kinds at the expected API versions', () => {
    const kinds = Object.fromEntries(docs.map(({ doc }) => [doc.kind, doc.apiVersion]));
    expect(kinds).toMatchObject({
      Deployment: 'apps/v1',
      Service: 'v1',
      HorizontalPodAutoscaler: 'autoscaling/v2',
      PodDisruptionBudget: 'policy/v1',
      ConfigMap: 'v1',
      Secret: 'v1',
      Kustomization: 'kustomize.config.k8s.io/v1beta1',
    });
  });

  it('kustomization lists files that exist, and not the example Secret', () => {
    const k = one('Kustomization')[0];
    for (const r of k.resources!) expect(files).toContain(r);
    expect(k.resources).not.toContain('secret.example.yaml');
  });

  it('Deployment: replicas, probes on /health/live and /health/ready, resources, non-root read-only container', () => {
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    for (const [k, v] of Object.entries(deployment.spec.selector.matchLabels)) {
      expect(deployment.spec.template.metadata.labels[k]).toBe(v);
    }
    expect(container.livenessProbe.httpGet.path).toBe('/health/live');
    expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(container.startupProbe.httpGet.path).toBe('/health/live');
    expect(container.ports).toEqual([expect.objectContaining({ name: 'http', containerPort: 4001 })]);
    expect(container.resources.requests).toEqual(
      expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }),
    );
    expect(container.resources.limits).toEqual(expect.objectContaining({ memory: expect.any(String) }));
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).not.toBe(0);
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
  });

  it('Deployment: configuration from the ConfigMap, credentials from Secrets (nothing secret in the ConfigMap)', () => {
    const configMap = one('ConfigMap')[0];
    expect(container.envFrom).toEqual(
      expect.arrayContaining([
        { configMapRef: { name: configMap.metadata.name } },
        { secretRef: { name: 'kjoretoy-subgraph-secrets' } },
      ]),
    );
    const secretNames = one('Secret').map((s) => s.metadata.name);
    expect(secretNames).toContain('kjoretoy-subgraph-secrets');
    for (const v of pod.volumes.filter((v) => v.secret)) expect(secretNames).toContain(v.secret!.secretName);
    expect(configMap.data!.NODE_ENV).toBe('production');
    for (const key of Object.keys(configMap.data!)) expect(key).not.toMatch(/PASSWORD|SECRET|CLIENT_ID|_KID$/);
    const keyMount = container.volumeMounts.find((m) => m.name === 'maskinporten-key')!;
    expect(configMap.data!.MASKINPORTEN_KEY_FILE.startsWith(`${keyMount.mountPath}/`)).toBe(true);
  });

  it('every configured variable is one the service knows (src/config.ts)', () => {
    const known = new Set([...read('src/config.ts').matchAll(/^\s{2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]));
    const used = [
      ...Object.keys(one('ConfigMap')[0].data!),
      ...one('Secret')
        .flatMap((s) => Object.keys(s.stringData ?? {}))
        .filter((k) => /^[A-Z_]+$/.test(k)),
    ];
    expect(used.filter((k) => !known.has(k))).toEqual([]);
  });

  it('terminationGracePeriodSeconds exceeds preStop sleep + the upstream deadline of an in-flight request', () => {
    const preStop = Number(container.lifecycle.preStop.exec.command.at(-1));
    const deadlineS = Number(one('ConfigMap')[0].data!.UPSTREAM_DEADLINE_MS) / 1000;
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStop + deadlineS);
  });

  it('Service selects the pods and targets the named container port; HPA scales the Deployment', () => {
    const service = one<ServiceSpec>('Service')[0];
    for (const [k, v] of Object.entries(service.spec.selector))
      expect(deployment.spec.template.metadata.labels[k]).toBe(v);
    expect(service.spec.ports[0]).toMatchObject({ port: 4001, targetPort: 'http' });
    const hpa = one<HpaSpec>('HorizontalPodAutoscaler')[0];
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: deployment.metadata.name,
    });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.maxReplicas).toBeGreaterThanOrEqual(hpa.spec.minReplicas);
    expect(hpa.spec.metrics[0].resource.name).toBe('cpu');
    const pdb = one<{ selector: { matchLabels: Labels } }>('PodDisruptionBudget')[0];
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
  });
});
