/**
 * The deployment files, checked without a cluster or a Docker engine:
 *  - every Kubernetes manifest in deploy/kubernetes validates against the
 *    Kubernetes API schemas (kubernetes-models), and they agree with each
 *    other (selectors, named ports, probes, HPA target, grace period vs drain
 *    timeout, Secret keys the token provider reads);
 *  - the ConfigMap's capability files are valid, and the runtime started with
 *    the Deployment's environment and those files answers the probe paths;
 *  - the Dockerfile passes a Dockerfile linter (dockerfile-utils) and keeps its
 *    promises (multi-stage, non-root, tini as PID 1, health check on the
 *    control port, every COPY source exists and is not dockerignored).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadCapabilities } from '../../../src/capability/loader.js';
import { repoRoot } from '../../helpers/paths.js';
import { scratch, startReplica } from '../deploy-helpers/services.js';

const manifestsDir = join(repoRoot, 'deploy/kubernetes');
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment as never,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler as never,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget as never,
  'v1/ConfigMap': ConfigMap as never,
  'v1/Secret': Secret as never,
  'v1/Service': Service as never,
};

type Doc = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any; data?: Record<string, string>; stringData?: Record<string, string> };

function manifests(): Doc[] {
  const docs: Doc[] = [];
  for (const file of readdirSync(manifestsDir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')) {
    for (const doc of parseAllDocuments(readFileSync(join(manifestsDir, file), 'utf8'))) {
      expect(doc.errors, file).toEqual([]);
      docs.push(doc.toJS() as Doc);
    }
  }
  return docs;
}

function validateDoc(doc: Doc): void {
  const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
  if (!Model) throw new Error(`no schema for ${doc.apiVersion} ${doc.kind}`);
  new Model(doc as never).validate();
}

const docs = manifests();
const one = (kind: string) => {
  const found = docs.filter((d) => d.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
};
const deployment = one('Deployment');
const container = deployment.spec.template.spec.containers[0];
const env = Object.fromEntries((container.env as { name: string; value: string }[]).map((e) => [e.name, e.value]));

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  it('validate against the Kubernetes API schemas', () => {
    expect(docs.map((d) => d.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Secret', 'Service']);
    for (const doc of docs) expect(() => validateDoc(doc), `${doc.kind} ${doc.metadata.name}`).not.toThrow();
  });

  it('the schema check catches a broken manifest (the validator is not a no-op)', () => {
    const broken = structuredClone(deployment);
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'eighty';
    expect(() => validateDoc(broken)).toThrow(/containerPort/);
  });

  it('agree with each other: selectors, named ports, probes, HPA target', () => {
    const podLabels = deployment.spec.template.metadata.labels;
    const matches = (selector: Record<string, string>) => Object.entries(selector).every(([k, v]) => podLabels[k] === v);
    expect(matches(deployment.spec.selector.matchLabels)).toBe(true);
    expect(matches(one('Service').spec.selector)).toBe(true);
    expect(matches(one('PodDisruptionBudget').spec.selector.matchLabels)).toBe(true);

    const ports = new Map((container.ports as { name: string; containerPort: number }[]).map((p) => [p.name, p.containerPort]));
    expect(ports.get('control')).toBe(Number(env.RUNTIME_CONTROL_PORT));
    expect(ports.get('http')).toBe(Number(env.RUNTIME_REST_PORT));
    expect(ports.get('mcp')).toBe(Number(env.RUNTIME_MCP_PORT));
    expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'control' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'control' });
    for (const p of one('Service').spec.ports as { targetPort: string }[]) expect(ports.has(p.targetPort)).toBe(true);
    // the control port (no authentication) is not published by the Service
    expect((one('Service').spec.ports as { targetPort: string }[]).map((p) => p.targetPort)).not.toContain('control');

    const hpa = one('HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.spec.metrics[0].resource.name).toBe('cpu');
    expect(container.resources.requests.cpu).toBeDefined(); // CPU utilisation needs a request
    expect(deployment.spec.replicas).toBeUndefined(); // the HPA owns the count
    expect(one('PodDisruptionBudget').spec.maxUnavailable).toBeLessThan(hpa.spec.minReplicas);
  });

  it('terminationGracePeriodSeconds covers preStop + the drain timeout (and not much more)', () => {
    const preStop = Number(container.lifecycle.preStop.exec.command.at(-1));
    const drainS = Number(env.RUNTIME_DRAIN_TIMEOUT_MS) / 1000;
    const grace = deployment.spec.template.spec.terminationGracePeriodSeconds;
    expect(grace).toBeGreaterThanOrEqual(preStop + drainS);
    expect(grace).toBeLessThanOrEqual(preStop + drainS + 10);
  });

  it('mounts the ConfigMap at /capabilities, runs as non-root, reads credentials from the Secret', () => {
    const mount = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === env.RUNTIME_PATHS);
    expect(env.RUNTIME_PATHS).toBe('/capabilities');
    const volume = deployment.spec.template.spec.volumes.find((v: { name: string }) => v.name === mount.name);
    expect(volume.configMap.name).toBe(one('ConfigMap').metadata.name);
    expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    const secret = one('Secret');
    expect(container.envFrom[0].secretRef.name).toBe(secret.metadata.name);
    for (const name of [...env.RUNTIME_TOKEN_PROVIDERS!.matchAll(/_env=([A-Z_]+)/g)].map((m) => m[1]!)) expect(Object.keys(secret.stringData!)).toContain(name);
    expect(Object.keys(secret.stringData!)).toContain('RUNTIME_STATE_KEY');
  });

  it('the ConfigMap holds valid capability files', async () => {
    const dir = scratch('configmap-');
    try {
      for (const [name, text] of Object.entries(one('ConfigMap').data!)) writeFileSync(join(dir.path, name), text);
      const loaded = await loadCapabilities([dir.path]);
      expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(loaded.capabilities.length).toBeGreaterThan(0);
    } finally {
      dir.cleanup();
    }
  });

  it('the runtime started with the Deployment environment and the ConfigMap answers the probes', async () => {
    const dir = scratch('configmap-');
    try {
      for (const [name, text] of Object.entries(one('ConfigMap').data!)) writeFileSync(join(dir.path, name), text);
      // Loopback and ephemeral ports here; everything else as in the pod. No Redis (the Secret's URL is a placeholder).
      const podEnv = { ...env, RUNTIME_PATHS: dir.path, RUNTIME_HOST: '127.0.0.1', RUNTIME_REST_PORT: '0', RUNTIME_MCP_PORT: '0', RUNTIME_CONTROL_PORT: '0', LEAN_CLIENT_ID: 'id', LEAN_CLIENT_SECRET: 'secret' };
      const replica = await startReplica([], podEnv);
      try {
        expect((await fetch(`${replica.control}${container.readinessProbe.httpGet.path}`)).status).toBe(200);
        expect((await fetch(`${replica.control}${container.livenessProbe.httpGet.path}`)).status).toBe(200);
        // Logged once the watcher has started, after `ready` and independently of the probes: wait for the line.
        expect(await replica.child.waitForLine(/watching capability files/)).toContain('watching capability files');
        replica.child.process.kill('SIGTERM');
        expect(await replica.child.exited).toBe(0);
      } finally {
        await replica.stop('SIGKILL');
      }
    } finally {
      dir.cleanup();
    }
  }, 30_000);

  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!kubectl)('kubectl kustomize deploy/kubernetes renders the same, valid set (when kubectl is installed)', () => {
    const rendered = spawnSync('kubectl', ['kustomize', manifestsDir], { encoding: 'utf8' });
    expect(rendered.status, rendered.stderr).toBe(0);
    const out = parseAllDocuments(rendered.stdout).map((d) => d.toJS() as Doc);
    expect(out.map((d) => d.kind).sort()).toEqual(docs.map((d) => d.kind).sort());
    for (const doc of out) {
      expect(doc.metadata.labels?.['app.kubernetes.io/part-of']).toBe('capability-runtime');
      validateDoc(doc);
    }
  });
});

describe.skipIf(spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status !== 0)('README commands (when kubectl is installed)', () => {
  it('kubectl create configmap --from-file=capabilities/ --dry-run=client makes a valid ConfigMap of the folder', async () => {
    const run = spawnSync('kubectl', ['create', 'configmap', 'capability-runtime-capabilities', '--from-file=capabilities/', '--dry-run=client', '-o', 'yaml'], { cwd: repoRoot, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const doc = parseAllDocuments(run.stdout)[0]!.toJS() as Doc;
    validateDoc(doc);
    expect(doc.metadata.name).toBe(one('ConfigMap').metadata.name);
    expect(Object.keys(doc.data!).sort()).toEqual(readdirSync(join(repoRoot, 'capabilities')).filter((f) => f.endsWith('.yaml')).sort());
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
  const lines = text.replace(/\\\n\s*/g, ' ').split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));

  it('passes the Dockerfile linter (dockerfile-utils)', () => {
    expect(lintDockerfile(text).map((d) => `${d.range.start.line + 1}: ${typeof d.message === 'string' ? d.message : d.message.value}`)).toEqual([]);
    // and the linter does find problems (not a no-op)
    expect(lintDockerfile('FROM node\nEXPOSE http\nHEALTHCHECK --interval=soon CMD true\n').length).toBeGreaterThan(0);
  });

  it('builds in one stage and runs in another, as a non-root user, under tini, with a health check on the control port', () => {
    const stages = lines.filter((l) => /^FROM\s/i.test(l));
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const finalStage = lines.slice(lines.lastIndexOf(stages.at(-1)!));
    expect(finalStage.some((l) => /^RUN .*npm (ci|install|run build)/.test(l))).toBe(false); // nothing built in the runtime image
    const user = finalStage.filter((l) => /^USER\s/.test(l)).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/\b(root|0)\b/);
    expect(finalStage.find((l) => l.startsWith('ENTRYPOINT'))).toMatch(/"\/usr\/bin\/tini", "--"/);
    const health = finalStage.find((l) => l.startsWith('HEALTHCHECK'))!;
    expect(health).toContain('RUNTIME_CONTROL_PORT');
    expect(health).toContain('/health/');
    const envLine = finalStage.find((l) => l.startsWith('ENV'))!;
    expect(envLine).toContain('RUNTIME_PATHS=/capabilities');
    expect(envLine).toContain(`RUNTIME_CONTROL_PORT=${env.RUNTIME_CONTROL_PORT}`);
    expect(envLine).toContain(`RUNTIME_DRAIN_TIMEOUT_MS=${env.RUNTIME_DRAIN_TIMEOUT_MS}`);
  });

  it('copies only files that exist and that .dockerignore lets through', () => {
    const ignored = readFileSync(join(repoRoot, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const sources = lines.filter((l) => /^COPY\s/.test(l) && !l.includes('--from=')).flatMap((l) => l.split(/\s+/).slice(1, -1).filter((a) => !a.startsWith('--')));
    expect(sources.length).toBeGreaterThan(3);
    for (const source of sources) {
      expect(existsSync(join(repoRoot, source)), source).toBe(true);
      expect(ignored.some((pattern) => pattern === source || pattern === source.replace(/\/$/, '')), `${source} is dockerignored`).toBe(false);
    }
    // secrets and build output never enter the context
    for (const must of ['.git', 'node_modules', 'dist', '.env', 'test']) expect(ignored).toContain(must);
  });
});
