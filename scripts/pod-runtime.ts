import type { K8sObject } from './kustomize';

/**
 * What a container of a rendered Deployment gets from Kubernetes at run time: user and groups, the hardening of
 * its securityContext, its limits, its environment, its memory-backed emptyDirs, and the Secret files as the kubelet
 * writes them. `npm run container:smoke` runs the image with exactly this; the manifest tests check it offline.
 */

export interface RunAs {
  uid: number;
  gid: number;
  /** fsGroup and supplementalGroups, which Kubernetes adds to the process's groups. */
  supplementalGroups: number[];
}

export interface FileOwnership {
  uid: number;
  gid: number;
  mode: number;
}

export interface SecretFile extends FileOwnership {
  secretName: string;
  /** The key in the Secret and the file name under the mount path. */
  key: string;
  mountPath: string;
}

export interface Probe {
  path: string;
  port: number;
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
}

export interface ContainerRuntime {
  image: string;
  port: number;
  runAs: RunAs;
  readOnlyRootFilesystem: boolean;
  allowPrivilegeEscalation: boolean;
  dropCapabilities: string[];
  memoryLimitBytes?: number;
  cpuLimit?: number;
  /** emptyDir volumes with medium Memory (tmpfs). */
  tmpfs: { path: string; sizeBytes?: number }[];
  /** From the ConfigMaps in envFrom, then the container's own `env` values (later wins, as in Kubernetes). */
  env: Record<string, string>;
  /** Secrets whose keys become environment variables (envFrom secretRef). */
  envSecrets: string[];
  /** Every file of every Secret volume, for the keys a Secret is known to hold (`secretKeys`). */
  secretFiles: SecretFile[];
  probes: { startup?: Probe; liveness?: Probe; readiness?: Probe };
  terminationGracePeriodSeconds: number;
  preStopSleepSeconds?: number;
}

interface SecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  fsGroup?: number;
  supplementalGroups?: number[];
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { drop?: string[] };
}
interface HttpProbe {
  httpGet: { path: string; port: string | number };
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}
interface Container {
  name: string;
  image: string;
  ports?: { name?: string; containerPort: number }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  env?: { name: string; value?: string }[];
  volumeMounts?: { name: string; mountPath: string }[];
  securityContext?: SecurityContext;
  resources?: { limits?: { memory?: string; cpu?: string } };
  startupProbe?: HttpProbe;
  livenessProbe?: HttpProbe;
  readinessProbe?: HttpProbe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
}
interface Volume {
  name: string;
  secret?: { secretName: string; defaultMode?: number; items?: { key: string; path: string; mode?: number }[] };
  emptyDir?: { medium?: string; sizeLimit?: string };
}
interface DeploymentObject extends K8sObject {
  spec: {
    template: {
      spec: {
        securityContext?: SecurityContext;
        containers: Container[];
        volumes?: Volume[];
        terminationGracePeriodSeconds?: number;
      };
    };
  };
}

/** Kubernetes' defaults (core/v1 types.go). */
const SECRET_DEFAULT_MODE = 0o644;
const PROBE_DEFAULTS = { periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 };
const TERMINATION_GRACE_DEFAULT_SECONDS = 30;

/**
 * The first container of Deployment `name` (default: the only Deployment). `secretKeys` names the keys each Secret
 * holds (Secrets are created outside the manifests); volumes with `items` list their own.
 */
export function containerRuntime(
  objects: K8sObject[],
  secretKeys: Record<string, string[]>,
  name?: string,
): ContainerRuntime {
  const deployments = objects.filter((o) => o.kind === 'Deployment' && (!name || o.metadata.name === name));
  if (deployments.length !== 1) throw new Error(`expected one Deployment, found ${deployments.length}`);
  const pod = (deployments[0] as DeploymentObject).spec.template.spec;
  const container = pod.containers[0];
  const podSc = pod.securityContext ?? {};
  const sc = container.securityContext ?? {};
  const uid = sc.runAsUser ?? podSc.runAsUser;
  const gid = sc.runAsGroup ?? podSc.runAsGroup;
  if (uid === undefined || gid === undefined) throw new Error('the Deployment must set runAsUser and runAsGroup');
  const fsGroup = podSc.fsGroup;

  const configMaps = new Map(
    objects
      .filter((o) => o.kind === 'ConfigMap')
      .map((o) => [o.metadata.name, (o.data ?? {}) as Record<string, string>]),
  );
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    if (!from.configMapRef) continue;
    const data = configMaps.get(from.configMapRef.name);
    if (!data) throw new Error(`ConfigMap ${from.configMapRef.name} is not in the manifests`);
    Object.assign(env, data);
  }
  for (const e of container.env ?? []) if (e.value !== undefined) env[e.name] = e.value;

  const port = (ref: string | number): number => {
    if (typeof ref === 'number') return ref;
    const named = container.ports?.find((p) => p.name === ref);
    if (!named) throw new Error(`no container port named ${ref}`);
    return named.containerPort;
  };
  const probe = (p?: HttpProbe): Probe | undefined =>
    p && { ...PROBE_DEFAULTS, ...p, path: p.httpGet.path, port: port(p.httpGet.port) };

  const mountOf = (volume: string) => container.volumeMounts?.find((m) => m.name === volume)?.mountPath;
  const secretFiles: SecretFile[] = [];
  const tmpfs: ContainerRuntime['tmpfs'] = [];
  for (const volume of pod.volumes ?? []) {
    const mountPath = mountOf(volume.name);
    if (!mountPath) continue;
    if (volume.emptyDir?.medium === 'Memory') {
      tmpfs.push({
        path: mountPath,
        sizeBytes: volume.emptyDir.sizeLimit ? bytes(volume.emptyDir.sizeLimit) : undefined,
      });
    }
    if (volume.secret) {
      const { secretName, defaultMode, items } = volume.secret;
      const files = items ?? (secretKeys[secretName] ?? []).map((key) => ({ key, path: key, mode: undefined }));
      for (const item of files) {
        secretFiles.push({
          secretName,
          key: item.path,
          mountPath,
          ...secretFileOwnership(item.mode ?? defaultMode ?? SECRET_DEFAULT_MODE, fsGroup),
        });
      }
    }
  }

  const preStop = container.lifecycle?.preStop?.exec?.command;
  return {
    image: container.image,
    port: container.ports?.[0]?.containerPort ?? Number(env.PORT),
    runAs: {
      uid,
      gid,
      supplementalGroups: [...(fsGroup !== undefined ? [fsGroup] : []), ...(podSc.supplementalGroups ?? [])],
    },
    readOnlyRootFilesystem: sc.readOnlyRootFilesystem ?? false,
    allowPrivilegeEscalation: sc.allowPrivilegeEscalation ?? true,
    dropCapabilities: sc.capabilities?.drop ?? [],
    memoryLimitBytes: container.resources?.limits?.memory ? bytes(container.resources.limits.memory) : undefined,
    cpuLimit: container.resources?.limits?.cpu ? cpus(container.resources.limits.cpu) : undefined,
    tmpfs,
    env,
    envSecrets: (container.envFrom ?? []).flatMap((f) => (f.secretRef ? [f.secretRef.name] : [])),
    secretFiles,
    probes: {
      startup: probe(container.startupProbe),
      liveness: probe(container.livenessProbe),
      readiness: probe(container.readinessProbe),
    },
    terminationGracePeriodSeconds: pod.terminationGracePeriodSeconds ?? TERMINATION_GRACE_DEFAULT_SECONDS,
    preStopSleepSeconds: preStop?.[0] === 'sleep' ? Number(preStop[1]) : undefined,
  };
}

/**
 * How the kubelet writes a Secret volume's file: owned by root, in group fsGroup when set; with fsGroup it also adds
 * read for owner and group (read-only volume), otherwise the mode is exactly the one asked for.
 */
export function secretFileOwnership(mode: number, fsGroup: number | undefined): FileOwnership {
  return fsGroup === undefined ? { uid: 0, gid: 0, mode } : { uid: 0, gid: fsGroup, mode: mode | 0o440 };
}

/** POSIX read permission for a non-root process. */
export function canRead(file: FileOwnership, user: RunAs): boolean {
  if (file.uid === user.uid) return (file.mode & 0o400) !== 0;
  if (file.gid === user.gid || user.supplementalGroups.includes(file.gid)) return (file.mode & 0o040) !== 0;
  return (file.mode & 0o004) !== 0;
}

const UNITS: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
};

/** A Kubernetes quantity of bytes ("512Mi", "1G", "16777216"). */
export function bytes(quantity: string): number {
  const match = /^(\d+)(|k|M|G|Ki|Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`unsupported quantity ${quantity}`);
  return Number(match[1]) * UNITS[match[2]];
}

/** A Kubernetes CPU quantity ("1", "250m") in cores. */
export function cpus(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(m?)$/.exec(quantity);
  if (!match) throw new Error(`unsupported CPU quantity ${quantity}`);
  return match[2] ? Number(match[1]) / 1000 : Number(match[1]);
}
