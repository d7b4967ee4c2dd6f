import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as autoscalingV2 from 'kubernetes-models/autoscaling/v2';
import * as batchV1 from 'kubernetes-models/batch/v1';
import * as networkingV1 from 'kubernetes-models/networking.k8s.io/v1';
import * as policyV1 from 'kubernetes-models/policy/v1';
import * as coreV1 from 'kubernetes-models/v1';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '../../src/infrastructure/config.js';
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
  'networking.k8s.io/v1': networkingV1,
};
/** Where the TypeScript type of each kind lives in kubernetes-models. */
const TYPE_MODULES: Record<string, string> = {
  v1: 'v1',
  'apps/v1': 'apps/v1',
  'batch/v1': 'batch/v1',
  'autoscaling/v2': 'autoscaling/v2',
  'policy/v1': 'policy/v1',
  'networking.k8s.io/v1': 'networking.k8s.io/v1',
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
const named = (kind: string, name: string) => byKind(kind).find((manifest) => manifest.metadata.name === name);
const deployment = named('Deployment', 'contacts-api');
const [job] = byKind('Job');
const service = named('Service', 'contacts-api');
const [hpa] = byKind('HorizontalPodAutoscaler');
const [pdb] = byKind('PodDisruptionBudget');
const [configMap] = byKind('ConfigMap');
const secret = named('Secret', 'contacts-api-secrets');
const api = deployment?.spec.template.spec.containers[0];
const redisDeployment = named('Deployment', 'contacts-redis');
const redisService = named('Service', 'contacts-redis');
const redisSecret = named('Secret', 'contacts-redis');
const redisPolicy = named('NetworkPolicy', 'contacts-redis');
const redis = redisDeployment?.spec.template.spec.containers[0];

test('deploy/kubernetes holds the API (Deployment, migration Job, Service, HPA, PodDisruptionBudget, ConfigMap, Secret) and its Redis', (t) => {
  t.deepEqual(all.map(({ manifest }) => `${manifest.kind} ${manifest.metadata.name}`).sort(), [
    'ConfigMap contacts-api-config',
    'Deployment contacts-api',
    'Deployment contacts-redis',
    'HorizontalPodAutoscaler contacts-api',
    'Job contacts-api-migrate',
    'NetworkPolicy contacts-redis',
    'PodDisruptionBudget contacts-api',
    'Secret contacts-api-secrets',
    'Secret contacts-redis',
    'Service contacts-api',
    'Service contacts-redis',
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
  for (const key of ['JWT_SECRET', 'DATABASE_URL', 'SMTP_URL', 'CLOUDINARY_URL']) {
    t.true(key in secret!.stringData, `${key} is a secret`);
    t.false(key in configMap!.data, `${key} must not be in the ConfigMap`);
  }
  // The example's JWT secret is a placeholder production refuses (< 32 bytes), never a usable one.
  t.true(Buffer.byteLength(secret!.stringData.JWT_SECRET) < 32);
});

/** A container's environment variable as `{ name, value }` or `{ name, valueFrom }`. */
const envOf = (container: { env?: { name: string; value?: string; valueFrom?: unknown }[] }, name: string) => container.env?.find((e) => e.name === name);

test('Redis requires a password from a Secret, and the API connects with that same password in REDIS_URL', (t) => {
  const passwordRef = { secretKeyRef: { name: redisSecret!.metadata.name, key: 'password' } };
  t.true('password' in redisSecret!.stringData);
  // Redis: --requirepass with the Secret's value, which Kubernetes substitutes for $(REDIS_PASSWORD).
  t.deepEqual(envOf(redis, 'REDIS_PASSWORD')?.valueFrom, passwordRef);
  const args: string[] = [...(redis.command ?? []), ...(redis.args ?? [])];
  const requirepass = args.indexOf('--requirepass');
  t.true(requirepass >= 0, 'redis-server runs with --requirepass');
  t.is(args[requirepass + 1], '$(REDIS_PASSWORD)');

  // The API: the same key of the same Secret, defined before REDIS_URL (Kubernetes only substitutes earlier variables).
  const env = api.env as { name: string; value?: string; valueFrom?: unknown }[];
  t.deepEqual(envOf(api, 'REDIS_PASSWORD')?.valueFrom, passwordRef);
  const url = envOf(api, 'REDIS_URL')?.value ?? '';
  t.true(env.findIndex((e) => e.name === 'REDIS_PASSWORD') < env.findIndex((e) => e.name === 'REDIS_URL'), 'REDIS_PASSWORD comes before REDIS_URL');
  const parsed = new URL(url);
  t.regex(parsed.protocol, /^rediss?:$/);
  t.is(parsed.password, '$(REDIS_PASSWORD)');
  t.is(parsed.hostname, redisService!.metadata.name);
  t.is(Number(parsed.port || 6379), redisService!.spec.ports[0].port);
  t.false('REDIS_URL' in secret!.stringData, 'one REDIS_URL, the one that carries the password');
  t.false('REDIS_URL' in configMap!.data);
});

test("Redis's Service and NetworkPolicy reach its pods, only from the API's pods; the file says how to add TLS", (t) => {
  const redisLabels = redisDeployment!.spec.template.metadata.labels;
  t.deepEqual(redisDeployment!.spec.selector.matchLabels, redisLabels);
  t.like(redisLabels, redisService!.spec.selector);
  t.is(redisService!.spec.ports[0].targetPort, redis.ports[0].name);
  t.like(redisLabels, redisPolicy!.spec.podSelector.matchLabels);
  t.deepEqual(redisPolicy!.spec.policyTypes, ['Ingress']);
  const from = redisPolicy!.spec.ingress.flatMap((rule: { from: { podSelector: { matchLabels: Record<string, string> } }[] }) => rule.from);
  t.deepEqual(
    from.map((peer: { podSelector: { matchLabels: Record<string, string> } }) => peer.podSelector.matchLabels),
    [deployment!.spec.template.metadata.labels],
  );
  // The API's own Service must not select Redis's pods, nor Redis's the API's.
  t.notDeepEqual(redisLabels, deployment!.spec.template.metadata.labels);
  t.true(redisDeployment!.spec.template.spec.securityContext.runAsNonRoot);
  t.true(redis.securityContext.readOnlyRootFilesystem);
  const text = readFileSync(path.join(DIR, 'redis.yaml'), 'utf8');
  for (const needed of [/--tls-port/, /--tls-cert-file/, /rediss:\/\//]) t.regex(text, needed);
});

test('with real secrets in place of the placeholders, the pods pass the checks of NODE_ENV=production (https PUBLIC_URL, BCRYPT_ROUNDS, REDIS_URL)', (t) => {
  const password = 'a1b2c3d4'.repeat(8); // as `openssl rand -hex 32` makes it
  const podEnv = Object.fromEntries(
    (api.env as { name: string; value?: string }[]).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!.replace('$(REDIS_PASSWORD)', password)]),
  );
  const config = loadConfig({ ...configMap!.data, ...secret!.stringData, JWT_SECRET: 'x'.repeat(48), ...podEnv });
  t.is(config.nodeEnv, 'production');
  t.regex(config.publicUrl, /^https:\/\//);
  t.true(config.bcryptRounds >= 10);
  t.is(new URL(config.redisUrl).password, password);
});
