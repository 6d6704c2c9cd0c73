import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse, parseAllDocuments } from 'yaml';
import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as batch from 'kubernetes-models/batch/v1';
import * as core from 'kubernetes-models/v1';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as policy from 'kubernetes-models/policy/v1';

const root = join(__dirname, '..', '..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };

type Service = {
  image?: string;
  build?: unknown;
  command?: string[];
  ports?: string[];
  expose?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
  volumes?: string[];
};

/**
 * docker/compose.yml, checked without Docker: it must scale (`--scale api=3 --scale worker=3`), and stay honest
 * by running the same commands and build as `npm start` and the tests.
 */
describe('docker compose', () => {
  const compose = parse(read('docker/compose.yml')) as { services: Record<string, Service> };
  const s = compose.services;

  it('publishes a host port only on the proxy, so api and worker replicas can scale', () => {
    const published = Object.entries(s)
      .filter(([, svc]) => svc.ports?.length)
      .map(([name]) => name);
    expect(published).toEqual(['proxy']);
    expect(s.api.expose).toEqual(['3000']);
    const conf = read('docker/nginx.conf');
    // The proxy resolves `api` per request, so replicas added by --scale are reached.
    expect(conf).toMatch(/resolver 127\.0\.0\.11/);
    expect(conf).toMatch(/set \$api_upstream http:\/\/api:3000;/);
    expect(conf).toMatch(/proxy_pass \$api_upstream;/);
    expect(s.proxy.volumes).toContain('./nginx.conf:/etc/nginx/conf.d/default.conf:ro');
    expect(existsSync(join(root, 'docker/nginx.conf'))).toBe(true);
  });

  it('the API trusts exactly the one proxy hop; Redis keeps an AOF', () => {
    expect(s.api.environment?.TRUST_PROXY ?? '').toMatch(/^\$\{TRUST_PROXY:-1\}$/);
    expect(s.redis.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
  });

  it('migrates once before api and workers start; every long-running service has a healthcheck', () => {
    expect(s.migrate.restart).toBe('no');
    for (const name of ['api', 'worker']) {
      expect(s[name].depends_on?.migrate).toEqual({ condition: 'service_completed_successfully' });
      expect(s[name].depends_on?.redis).toEqual({ condition: 'service_healthy' });
    }
    for (const name of ['postgres', 'redis', 'api', 'worker', 'proxy'])
      expect(s[name].healthcheck?.test.length).toBeGreaterThan(0);
    expect(s.worker.environment).toMatchObject({ WORKER_HTTP_PORT: '3001' });
    expect(JSON.stringify(s.worker.healthcheck)).toContain('3001/health/live');
    expect(JSON.stringify(s.api.healthcheck)).toContain('3000/health/ready');
  });

  it('runs the same commands as npm start, on the image the Dockerfile builds with npm run build', () => {
    expect(s.api.command).toEqual(pkg.scripts['start:api'].split(' '));
    expect(s.worker.command).toEqual(pkg.scripts['start:worker'].split(' '));
    const setup = /node (\S+)/.exec(pkg.scripts['db:setup'])![1];
    expect(s.migrate.command).toEqual(['node', setup]);
    const dockerfile = read('docker/Dockerfile');
    expect(dockerfile).toMatch(/RUN npm ci/);
    expect(dockerfile).toMatch(/RUN npm run build/);
    // Every source folder `npm run build` compiles is copied into the build stage.
    const built = /swc (.+?) -d dist/.exec(pkg.scripts.build)![1].split(' ');
    for (const dir of built) expect(dockerfile).toContain(`COPY ${dir} ./${dir}`);
    expect(dockerfile).toMatch(/USER 10001:10001/);
  });
});

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec?: unknown };
type PodSpec = {
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: {
    name: string;
    image: string;
    command?: string[];
    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
    securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
    livenessProbe?: { httpGet?: { path: string } };
    readinessProbe?: { httpGet?: { path: string } };
    env?: { name: string; value?: string; valueFrom?: unknown }[];
    envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  }[];
};

const MODELS: Record<string, new (o: never) => { validate(): void }> = {
  'v1/Namespace': core.Namespace,
  'v1/ConfigMap': core.ConfigMap,
  'v1/Service': core.Service,
  'apps/v1/Deployment': apps.Deployment,
  'batch/v1/Job': batch.Job,
  'networking.k8s.io/v1/Ingress': networking.Ingress,
  'autoscaling/v2/HorizontalPodAutoscaler': autoscaling.HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': policy.PodDisruptionBudget,
};

/** deploy/k8s rendered by `kubectl kustomize` (Debian's kubectl) and every object validated against the Kubernetes schemas. */
describe('Kubernetes manifests', () => {
  let objects: K8sObject[];
  beforeAll(() => {
    const out = execFileSync('kubectl', ['kustomize', join(root, 'deploy/k8s')], { encoding: 'utf8' });
    objects = parseAllDocuments(out).map((d) => d.toJSON() as K8sObject);
  });
  const byKind = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!;
  const podOf = (o: K8sObject) => (o.spec as { template: { spec: PodSpec } }).template.spec;

  it('renders every object the deployment needs, each valid against its schema', () => {
    const kinds = objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(kinds).toEqual(
      [
        'ConfigMap/botfleet-config',
        'Deployment/botfleet-api',
        'Deployment/botfleet-worker',
        'HorizontalPodAutoscaler/botfleet-api',
        'Ingress/botfleet-api',
        'Job/botfleet-migrate',
        'Namespace/botfleet',
        'PodDisruptionBudget/botfleet-worker',
        'Service/botfleet-api',
      ].sort(),
    );
    for (const o of objects) {
      const Model = MODELS[`${o.apiVersion}/${o.kind}`];
      expect(Model).toBeDefined();
      expect(() => new Model(o as never).validate()).not.toThrow();
      if (o.kind !== 'Namespace') expect(o.metadata.namespace).toBe('botfleet');
    }
  });

  it('a schema violation is caught (the validation can fail)', () => {
    const broken = JSON.parse(JSON.stringify(byKind('Deployment', 'botfleet-api')));
    broken.spec.replicas = 'two';
    expect(() => new apps.Deployment(broken).validate()).toThrow();
  });

  it('pods run as non-root on a read-only root filesystem, with requests, limits and probes on the health endpoints', () => {
    for (const o of objects.filter((x) => x.kind === 'Deployment' || x.kind === 'Job')) {
      const pod = o.kind === 'Job' ? podOf(o) : podOf(o);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
      for (const c of pod.containers) {
        expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
        expect(Object.keys(c.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
        expect(Object.keys(c.resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
        if (o.kind === 'Deployment') {
          expect(c.livenessProbe?.httpGet?.path).toBe('/health/live');
          expect(c.readinessProbe?.httpGet?.path).toBe('/health/ready');
        }
      }
    }
  });

  it('runs the same commands as npm start; secrets only by reference, never a value', () => {
    expect(podOf(byKind('Deployment', 'botfleet-api')).containers[0].command).toEqual(
      pkg.scripts['start:api'].split(' '),
    );
    expect(podOf(byKind('Deployment', 'botfleet-worker')).containers[0].command).toEqual(
      pkg.scripts['start:worker'].split(' '),
    );
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
    const config = byKind('ConfigMap', 'botfleet-config') as unknown as { data: Record<string, string> };
    for (const secret of ['DATABASE_URL', 'REDIS_URL', 'ENCRYPTION_KEY', 'TOKEN_HASH_KEY', 'MASTER_API_TOKEN']) {
      expect(config.data[secret]).toBeUndefined();
    }
    for (const o of objects.filter((x) => x.kind === 'Deployment' || x.kind === 'Job')) {
      for (const c of podOf(o).containers) {
        expect(c.envFrom).toEqual(
          expect.arrayContaining([
            { secretRef: { name: 'botfleet-secrets' } },
            { configMapRef: { name: 'botfleet-config' } },
          ]),
        );
        for (const e of c.env ?? []) expect(e.value).toBeUndefined();
      }
    }
    // The config the pods get is one the apps accept: a hash-tagged Redis prefix (cluster-safe).
    expect(config.data.REDIS_PREFIX).toBe('{bf}');
  });

  it('the worker has a disruption budget and a grace period; the API scales on CPU', () => {
    const pdb = byKind('PodDisruptionBudget', 'botfleet-worker') as unknown as {
      spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } };
    };
    expect(pdb.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'botfleet-worker' });
    const worker = byKind('Deployment', 'botfleet-worker') as unknown as {
      spec: { replicas: number; template: { spec: { terminationGracePeriodSeconds: number } } };
    };
    expect(pdb.spec.minAvailable).toBeLessThan(worker.spec.replicas);
    expect(worker.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30);
    const hpa = byKind('HorizontalPodAutoscaler', 'botfleet-api') as unknown as {
      spec: { scaleTargetRef: { name: string }; minReplicas: number };
    };
    expect(hpa.spec.scaleTargetRef.name).toBe('botfleet-api');
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
  });
});

/** Prometheus alert rules (promtool from Debian's prometheus) and the Grafana dashboard (a JSON schema). */
describe('monitoring', () => {
  const rulesFile = join(root, 'deploy/monitoring/alerts.yml');
  const sourceMetricNames = (): Set<string> => {
    const names = new Set<string>();
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.ts') && !e.name.includes('spec')) {
          for (const m of readFileSync(p, 'utf8').matchAll(/name: '(botfleet_[a-z_]+)'/g)) names.add(m[1]);
        }
      }
    };
    walk(join(root, 'apps'));
    walk(join(root, 'libs'));
    return names;
  };
  /** Every botfleet_* series an expression names, without the _count/_bucket/_sum suffix of a histogram. */
  const namedIn = (text: string) =>
    [...text.matchAll(/\b(botfleet_[a-z_]+)/g)].map((m) => m[1].replace(/_(count|bucket|sum)$/, ''));

  it('promtool accepts the alert rules', () => {
    const out = execFileSync('promtool', ['check', 'rules', rulesFile], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('alerts cover what the operator must know, each on a metric the apps export', () => {
    const rules = parse(readFileSync(rulesFile, 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] };
    const all = rules.groups.flatMap((g) => g.rules);
    expect(all.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'BotfleetProvisioningFailures',
        'BotfleetQueueBacklog',
        'BotfleetBotsNotRunning',
        'BotfleetTelegramRateLimited',
        'BotfleetLeaseTakeovers',
        'BotfleetBotTokenRevoked',
        'BotfleetPanelDown',
      ]),
    );
    const exported = sourceMetricNames();
    for (const r of all)
      for (const name of namedIn(r.expr))
        expect({ alert: r.alert, name, exported: exported.has(name) }).toEqual({
          alert: r.alert,
          name,
          exported: true,
        });
  });

  it('the Grafana dashboard matches the dashboard schema and charts exported metrics', () => {
    const schema = JSON.parse(read('deploy/monitoring/grafana-dashboard.schema.json'));
    const validate = new Ajv({ allErrors: true }).compile(schema);
    const dashboard = JSON.parse(read('deploy/monitoring/grafana-dashboard.json'));
    const ok = validate(dashboard);
    expect(ok ? [] : validate.errors).toEqual([]);
    const ids = dashboard.panels.map((p: { id: number }) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const exported = sourceMetricNames();
    for (const p of dashboard.panels as { targets: { expr: string }[] }[]) {
      for (const t of p.targets)
        for (const name of namedIn(t.expr)) expect(exported.has(name) ? name : `missing ${name}`).toBe(name);
    }
    // The schema really rejects a broken dashboard.
    expect(validate({ ...dashboard, panels: [{ title: 'no id, no type' }] })).toBe(false);
  });
});
