import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * `kubectl kustomize DIR` for the parts of kustomize that deploy/ uses: resources (files and directories), labels,
 * images and strategic-merge patches of maps. Hand-written because no kustomize runs on Node (npm has none, and a
 * machine may lack kubectl); anything else in a kustomization.yaml is refused rather than silently ignored, and
 * test/unit/tools/kubernetes-manifests.test.ts compares the output with kubectl's wherever kubectl exists.
 */

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonMap = { [key: string]: Json };

interface LabelEntry {
  pairs: Record<string, string>;
  includeSelectors?: boolean;
  includeTemplates?: boolean;
}
interface ImageEntry {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}
interface Kustomization {
  apiVersion?: string;
  kind?: string;
  resources?: string[];
  labels?: LabelEntry[];
  images?: ImageEntry[];
  patches?: { path: string }[];
}

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'labels', 'images', 'patches']);
const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export class KustomizeError extends Error {}

/** Renders the kustomization in `dir` to its Kubernetes objects (in resource order, not kubectl's kind order). */
export function kustomize(dir: string): K8sObject[] {
  const root = resolve(dir);
  const file = KUSTOMIZATION_FILES.map((f) => join(root, f)).find((f) => existsSync(f));
  if (!file) throw new KustomizeError(`${root}: no kustomization.yaml`);
  const k = readYaml(file)[0] as Kustomization;
  const unsupported = Object.keys(k).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length) throw new KustomizeError(`${file}: unsupported fields ${unsupported.join(', ')}`);

  const objects: K8sObject[] = [];
  for (const entry of k.resources ?? []) {
    const path = join(root, entry);
    objects.push(...(statSync(path).isDirectory() ? kustomize(path) : (readYaml(path) as K8sObject[])));
  }
  for (const { path } of k.patches ?? []) {
    for (const patch of readYaml(join(root, path)) as K8sObject[]) applyPatch(objects, patch, path);
  }
  for (const label of k.labels ?? []) applyLabels(objects, label);
  for (const image of k.images ?? []) applyImage(objects, image);
  return objects;
}

function readYaml(path: string): unknown[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((doc) => {
      if (doc.errors.length) throw new KustomizeError(`${path}: ${doc.errors[0].message}`);
      return doc.toJS() as unknown;
    })
    .filter((doc) => doc !== null);
}

const sameObject = (a: K8sObject, b: K8sObject) =>
  a.apiVersion === b.apiVersion &&
  a.kind === b.kind &&
  a.metadata.name === b.metadata.name &&
  a.metadata.namespace === b.metadata.namespace;

function applyPatch(objects: K8sObject[], patch: K8sObject, path: string): void {
  const target = objects.find((o) => sameObject(o, patch));
  if (!target) throw new KustomizeError(`${path}: no ${patch.kind} ${patch.metadata.name} to patch`);
  mergeMap(target as unknown as JsonMap, patch as unknown as JsonMap, path);
}

/** Strategic merge for maps: keys merge recursively, null deletes. Lists need merge keys, which this leaves out. */
function mergeMap(target: JsonMap, patch: JsonMap, path: string): void {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete target[key];
    else if (Array.isArray(value)) throw new KustomizeError(`${path}: patching lists (${key}) is not supported`);
    else if (typeof value === 'object' && isMap(target[key])) mergeMap(target[key] as JsonMap, value, path);
    else target[key] = value;
  }
}

const isMap = (v: Json | undefined): v is JsonMap => typeof v === 'object' && v !== null && !Array.isArray(v);

interface PodTemplateHolder {
  spec?: { template?: { metadata?: { labels?: Record<string, string> }; spec?: PodSpec } };
}
interface PodSpec {
  containers?: { image?: string }[];
  initContainers?: { image?: string }[];
}

function applyLabels(objects: K8sObject[], { pairs, includeSelectors, includeTemplates }: LabelEntry): void {
  if (includeSelectors) throw new KustomizeError('labels: includeSelectors is not supported');
  for (const o of objects) {
    o.metadata.labels = { ...o.metadata.labels, ...pairs };
    const template = (o as PodTemplateHolder).spec?.template;
    if (includeTemplates && template) {
      template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, ...pairs } };
    }
  }
}

/** kustomize's image transformer: `name[:tag][@digest]` whose name matches gets newName, and newTag or digest. */
function applyImage(objects: K8sObject[], { name, newName, newTag, digest }: ImageEntry): void {
  for (const o of objects) {
    const pod = (o as PodTemplateHolder).spec?.template?.spec;
    for (const container of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
      if (!container.image) continue;
      const [nameAndTag, oldDigest] = container.image.split('@');
      const tagAt = nameAndTag.lastIndexOf(':');
      const hasTag = tagAt > nameAndTag.lastIndexOf('/');
      const imageName = hasTag ? nameAndTag.slice(0, tagAt) : nameAndTag;
      if (imageName !== name) continue;
      const oldSuffix = oldDigest ? `@${oldDigest}` : hasTag ? nameAndTag.slice(tagAt) : '';
      const suffix = digest ? `@${digest}` : newTag ? `:${newTag}` : oldSuffix;
      container.image = `${newName ?? imageName}${suffix}`;
    }
  }
}
