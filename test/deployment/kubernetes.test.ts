import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as autoscalingV2 from 'kubernetes-models/autoscaling/v2';
import * as batchV1 from 'kubernetes-models/batch/v1';
import * as policyV1 from 'kubernetes-models/policy/v1';
import * as coreV1 from 'kubernetes-models/v1';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { CONFIG_VARIABLES } from '../../src/infrastructure/config.js';
import { PRODUCTION_NODE_FLAGS } from '../../src/infrastructure/node-flags.js';

// No cluster runs here: the manifests under deploy/kubernetes/ are checked offline against the
// Kubernetes API's JSON schemas as the `kubernetes-models` package ships them (compiled validators
// generated from the API's OpenAPI document, no network), against its TypeScript types for fields
// the API does not know (the schemas allow unknown fields; `kubectl apply` refuses them), and
// against what the app needs (probes, shutdown timing, settings it reads).

const DIR = 'deploy/kubernetes';
const GROUPS: Record<string, Record<string, unknown>> = {
  v1: coreV1,
  'apps/v1': appsV1,
  'batch/v1': batchV1,
  'autoscaling/v2': autoscalingV2,
  'policy/v1': policyV1,
};
/** Where the TypeScript type of each kind lives in kubernetes-models. */
const TYPE_MODULES: Record<string, string> = {
  v1: 'v1',
  'apps/v1': 'apps/v1',
  'batch/v1': 'batch/v1',
  'autoscaling/v2': 'autoscaling/v2',
  'policy/v1': 'policy/v1',
};

// biome-ignore lint/suspicious/noExplicitAny: a parsed YAML manifest, read field by field in the tests.
type Manifest = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; [key: string]: any };

function readManifests(): { file: string; manifest: Manifest }[] {
  return readdirSync(DIR)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readFileSync(path.join(DIR, file), 'utf8'))
        .map((doc) => doc.toJS() as Manifest | null)
        .filter((manifest): manifest is Manifest => manifest !== null)
        .map((manifest) => ({ file, manifest })),
    );
}

/** Throws with the schema's complaint when the manifest is not a valid object of its kind. */
function validate(manifest: Manifest): void {
  const Model = GROUPS[manifest.apiVersion]?.[manifest.kind] as (new (data: unknown) => { validate(): void }) | undefined;
  if (!Model) throw new Error(`no schema for ${manifest.apiVersion} ${manifest.kind}`);
  new Model(manifest).validate();
}

/** TypeScript's excess-property check over each manifest typed as its kind: names every field the API does not have. */
function unknownFields(manifests: Manifest[]): string[] {
  const lines = manifests.map(
    (m, i) =>
      `import type { I${m.kind} as T${i} } from 'kubernetes-models/${TYPE_MODULES[m.apiVersion]}/${m.kind}';\nexport const m${i}: T${i} = ${JSON.stringify(m, null, 1)};`,
  );
  const fileName = path.resolve('test/deployment/__manifests__.ts');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => (name === fileName ? lines.join('\n') : readFile(name));
  host.getSourceFile = (name, version) => (name === fileName ? ts.createSourceFile(name, lines.join('\n'), version) : getSourceFile(name, version));
  host.fileExists = (
    (exists) => (name: string) =>
      name === fileName || exists(name)
  )(host.fileExists.bind(host));
  const program = ts.createProgram([fileName], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
}

const all = readManifests();
const byKind = (kind: string) => all.filter(({ manifest }) => manifest.kind === kind).map(({ manifest }) => manifest);
const [deployment] = byKind('Deployment');
const [job] = byKind('Job');
const [service] = byKind('Service');
const [hpa] = byKind('HorizontalPodAutoscaler');
const [pdb] = byKind('PodDisruptionBudget');
const [configMap] = byKind('ConfigMap');
const [secret] = byKind('Secret');
const api = deployment?.spec.template.spec.containers[0];

test('deploy/kubernetes holds a Deployment, the migration Job, a Service, an HPA, a PodDisruptionBudget, a ConfigMap and a Secret', (t) => {
  t.deepEqual(all.map(({ manifest }) => manifest.kind).sort(), [
    'ConfigMap',
    'Deployment',
    'HorizontalPodAutoscaler',
    'Job',
    'PodDisruptionBudget',
    'Secret',
    'Service',
  ]);
});

for (const { file, manifest } of all) {
  test(`${file}: ${manifest.kind} ${manifest.metadata.name} is valid against the Kubernetes API schema`, (t) => {
    t.notThrows(() => validate(manifest));
  });
}

test('the schema check can fail: a wrong type or a missing required field is caught', (t) => {
  const wrongType = structuredClone(deployment!);
  wrongType.spec.replicas = 'three';
  t.throws(() => validate(wrongType), { message: /replicas must be integer/ });
  const noImage = structuredClone(job!);
  delete noImage.spec.template.spec.containers[0].name;
  t.throws(() => validate(noImage), { message: /required property/ });
});

test('no manifest has a field the Kubernetes API does not know (and a misspelt one is caught)', (t) => {
  const manifests = all.map(({ manifest }) => manifest);
  t.deepEqual(unknownFields(manifests), []);
  const misspelt = structuredClone(deployment!);
  misspelt.spec.template.spec.containers[0].readinesProbe = misspelt.spec.template.spec.containers[0].readinessProbe;
  t.regex(unknownFields([misspelt]).join('\n'), /readinesProbe/);
});

test('the Deployment probes /health for liveness and /ready for readiness on the container port', (t) => {
  t.is(api.livenessProbe.httpGet.path, '/health');
  t.is(api.readinessProbe.httpGet.path, '/ready');
  t.is(api.startupProbe.httpGet.path, '/health');
  const portName = api.ports[0].name;
  for (const probe of [api.livenessProbe, api.readinessProbe, api.startupProbe]) t.is(probe.httpGet.port, portName);
  t.is(api.ports[0].containerPort, 3000);
  t.true(api.env.some((e: { name: string; value: string }) => e.name === 'PORT' && e.value === '3000'));
});

test('the pods run as a non-root user on a read-only root filesystem, with emptyDir where the app writes', (t) => {
  const pod = deployment!.spec.template.spec;
  t.true(pod.securityContext.runAsNonRoot);
  t.not(pod.securityContext.runAsUser, 0);
  t.true(api.securityContext.readOnlyRootFilesystem);
  t.false(api.securityContext.allowPrivilegeEscalation);
  t.deepEqual(api.securityContext.capabilities.drop, ['ALL']);
  const emptyDirs = new Set(pod.volumes.filter((v: { emptyDir?: unknown }) => v.emptyDir).map((v: { name: string }) => v.name));
  const mounts = new Map(api.volumeMounts.map((m: { name: string; mountPath: string }) => [m.mountPath, m.name]));
  t.true(emptyDirs.has(mounts.get(configMap!.data.DATA_DIR)), 'DATA_DIR is a writable emptyDir');
  t.true(emptyDirs.has(mounts.get('/tmp')), '/tmp is a writable emptyDir');
});

test('requests and a memory limit are set, above the heap cap the image starts Node with', (t) => {
  const heapMb = Number(/--max-old-space-size=(\d+)/.exec(PRODUCTION_NODE_FLAGS.join(' '))?.[1]);
  t.true(heapMb > 0);
  const mebibytes = (quantity: string) => Number(/^(\d+)Mi$/.exec(quantity)?.[1]);
  t.truthy(api.resources.requests.cpu);
  t.true(mebibytes(api.resources.limits.memory) > heapMb * 1.5, 'room beside the heap for the bcrypt threads and buffers');
  t.true(mebibytes(api.resources.requests.memory) > heapMb);
});

test('SIGTERM comes after a preStop pause, and the grace period outlasts it plus SHUTDOWN_TIMEOUT_MS', (t) => {
  const pause = Number(api.lifecycle.preStop.exec.command.at(-1));
  const shutdownS = Number(configMap!.data.SHUTDOWN_TIMEOUT_MS) / 1000;
  t.true(pause > 0 && shutdownS > 0);
  t.true(deployment!.spec.template.spec.terminationGracePeriodSeconds >= pause + shutdownS + 5);
  t.is(deployment!.spec.strategy.rollingUpdate.maxUnavailable, 0);
});

test('replicas do not migrate; the Job runs the compiled `npm run migrate` with the same image and settings', (t) => {
  t.is(configMap!.data.MIGRATE_ON_START, 'false');
  const migrate = job!.spec.template.spec.containers[0];
  t.deepEqual(migrate.command, ['node', 'dist/src/infrastructure/migrate.js']);
  t.is(migrate.image, api.image);
  t.deepEqual(migrate.envFrom, api.envFrom);
  t.is(job!.spec.template.spec.restartPolicy, 'Never');
  t.true(job!.spec.template.spec.securityContext.runAsNonRoot);
  t.true(migrate.securityContext.readOnlyRootFilesystem);
});

test('the Service, HPA and PodDisruptionBudget point at the Deployment and its pods', (t) => {
  const podLabels = deployment!.spec.template.metadata.labels;
  t.like(podLabels, service!.spec.selector);
  t.like(podLabels, pdb!.spec.selector.matchLabels);
  t.deepEqual(deployment!.spec.selector.matchLabels, podLabels);
  t.is(service!.spec.ports[0].targetPort, api.ports[0].name);
  t.like(hpa!.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment!.metadata.name });
  t.true(hpa!.spec.minReplicas >= 2, 'more than one replica at all times');
  t.is(pdb!.spec.maxUnavailable, 1);
});

test('the ConfigMap and Secret the pods read exist, and every key in them is a setting the app reads', (t) => {
  const refs = api.envFrom as { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  t.deepEqual(
    refs.flatMap((r) => (r.configMapRef ? [r.configMapRef.name] : [])),
    [configMap!.metadata.name],
  );
  t.deepEqual(
    refs.flatMap((r) => (r.secretRef ? [r.secretRef.name] : [])),
    [secret!.metadata.name],
  );
  const known = new Set(CONFIG_VARIABLES.map((v) => v.variable));
  const keys = [...Object.keys(configMap!.data), ...Object.keys(secret!.stringData)];
  t.deepEqual(
    keys.filter((key) => !known.has(key)),
    [],
  );
  for (const key of ['JWT_SECRET', 'DATABASE_URL', 'REDIS_URL', 'SMTP_URL', 'CLOUDINARY_URL']) {
    t.true(key in secret!.stringData, `${key} is a secret`);
    t.false(key in configMap!.data, `${key} must not be in the ConfigMap`);
  }
  // The example's JWT secret is a placeholder production refuses (< 32 bytes), never a usable one.
  t.true(Buffer.byteLength(secret!.stringData.JWT_SECRET) < 32);
});
