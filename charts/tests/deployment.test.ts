import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NAMESPACE, only, RELEASE, render, type K8sObject } from './chart.ts';

interface Probe {
  httpGet?: { path: string; port: string | number };
  exec?: { command: string[] };
}
interface Container {
  name: string;
  image: string;
  env: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  ports?: { name: string; containerPort: number }[];
  readinessProbe: Probe;
  livenessProbe: Probe;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: Record<string, unknown>;
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface PodSpec {
  hostNetwork?: boolean;
  dnsPolicy?: string;
  securityContext: Record<string, unknown>;
  containers: Container[];
  volumes: { name: string; emptyDir?: Record<string, unknown> }[];
  nodeSelector?: Record<string, string>;
  tolerations?: unknown[];
  affinity?: Record<string, unknown>;
}
interface DeploymentSpec {
  replicas: number;
  selector: { matchLabels: Record<string, string> };
  template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
}

const specOf = (objects: K8sObject[]) => only(objects, 'Deployment')['spec'] as DeploymentSpec;
const containerOf = (objects: K8sObject[]) => {
  const { containers } = specOf(objects).template.spec;
  assert.equal(containers.length, 1);
  return containers[0]!;
};
const envValue = (container: Container, name: string) => container.env.find((e) => e.name === name);

test('two replicas, each with a strict security context, resources and HTTP probes on port 8080', async () => {
  const objects = await render();
  const spec = specOf(objects);
  assert.equal(spec.replicas, 2);
  assert.deepEqual(spec.template.spec.securityContext, {
    runAsNonRoot: true,
    runAsUser: 65532,
    runAsGroup: 65532,
    fsGroup: 65532,
    seccompProfile: { type: 'RuntimeDefault' },
  });
  const container = containerOf(objects);
  assert.equal(container.securityContext['readOnlyRootFilesystem'], true);
  assert.equal(container.securityContext['allowPrivilegeEscalation'], false);
  assert.equal(container.securityContext['privileged'], false);
  assert.deepEqual(container.securityContext['capabilities'], { drop: ['ALL'] });
  assert.match(container.image, /^imagespec-controller:\d+\.\d+\.\d+$/);
  for (const kind of ['requests', 'limits'] as const) {
    assert.ok(container.resources[kind]['cpu'] && container.resources[kind]['memory'], `resources.${kind}`);
  }
  assert.deepEqual(container.ports, [
    { name: 'http-metrics', containerPort: 8080, protocol: 'TCP' },
    { name: 'upload', containerPort: 8081, protocol: 'TCP' },
  ]);
  assert.deepEqual(container.readinessProbe.httpGet, { path: '/readyz', port: 'http-metrics' });
  assert.deepEqual(container.livenessProbe.httpGet, { path: '/healthz', port: 'http-metrics' });
  assert.equal(envValue(container, 'IMAGESPEC_HTTP_PORT')?.value, '8080');
  assert.equal(envValue(container, 'IMAGESPEC_HTTP_PORT_FILE'), undefined);
  // The read-only root filesystem leaves /tmp writable through an emptyDir.
  assert.ok(container.volumeMounts.some((m) => m.mountPath === '/tmp'));
  assert.equal(spec.template.spec.hostNetwork, undefined);
});

test('the Pod knows its name and namespace, and elects a leader', async () => {
  const container = containerOf(await render());
  assert.deepEqual(envValue(container, 'POD_NAME')?.valueFrom, { fieldRef: { fieldPath: 'metadata.name' } });
  assert.deepEqual(envValue(container, 'POD_NAMESPACE')?.valueFrom, { fieldRef: { fieldPath: 'metadata.namespace' } });
  assert.equal(envValue(container, 'IMAGESPEC_LEADER_ELECT')?.value, 'true');
});

test('the metrics Service selects the Pods on port 8080 named http-metrics; scrape annotations are opt-in', async () => {
  const objects = await render();
  const service = only(objects, 'Service', `${RELEASE}-imagespec-controller-metrics`);
  const spec = service['spec'] as { selector: Record<string, string>; ports: { name: string; port: number; targetPort: string }[] };
  assert.deepEqual(spec.ports, [{ name: 'http-metrics', port: 8080, targetPort: 'http-metrics', protocol: 'TCP' }]);
  const podLabels = specOf(objects).template.metadata.labels;
  for (const [key, value] of Object.entries(spec.selector)) assert.equal(podLabels[key], value, key);
  assert.equal(service.metadata.annotations, undefined);

  const annotated = only(await render({ values: { metrics: { scrapeAnnotations: true } } }), 'Service', `${RELEASE}-imagespec-controller-metrics`);
  assert.deepEqual(annotated.metadata.annotations, { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080', 'prometheus.io/path': '/metrics' });
});

test('build Pods upload through the upload Service, whose address the controller passes on', async () => {
  const objects = await render();
  const service = only(objects, 'Service', `${RELEASE}-imagespec-controller-upload`);
  const spec = service['spec'] as { selector: Record<string, string>; ports: { name: string; port: number; targetPort: string }[] };
  assert.deepEqual(spec.ports, [{ name: 'upload', port: 8081, targetPort: 'upload', protocol: 'TCP' }]);
  const podLabels = specOf(objects).template.metadata.labels;
  for (const [key, value] of Object.entries(spec.selector)) assert.equal(podLabels[key], value, key);
  const container = containerOf(objects);
  assert.equal(envValue(container, 'IMAGESPEC_UPLOAD_PORT')?.value, '8081');
  assert.equal(envValue(container, 'IMAGESPEC_UPLOAD_URL')?.value, `http://${RELEASE}-imagespec-controller-upload.${NAMESPACE}.svc:8081`);
  const moved = containerOf(await render({ values: { upload: { port: 9443 } } }));
  assert.equal(envValue(moved, 'IMAGESPEC_UPLOAD_URL')?.value, `http://${RELEASE}-imagespec-controller-upload.${NAMESPACE}.svc:9443`);
});

test('a PodDisruptionBudget keeps one replica, unless disabled or there is only one', async () => {
  const objects = await render();
  const pdb = only(objects, 'PodDisruptionBudget')['spec'] as { minAvailable: number; selector: { matchLabels: Record<string, string> } };
  assert.equal(pdb.minAvailable, 1);
  assert.deepEqual(pdb.selector, specOf(objects).selector);
  for (const values of [{ podDisruptionBudget: { enabled: false } }, { replicaCount: 1 }]) {
    assert.equal((await render({ values })).filter((o) => o.kind === 'PodDisruptionBudget').length, 0, JSON.stringify(values));
  }
});

test('hostNetwork: any free port written to a file on an emptyDir, exec probes, no container port, no Service', async () => {
  const objects = await render({ values: { hostNetwork: true } });
  const pod = specOf(objects).template.spec;
  assert.equal(pod.hostNetwork, true);
  assert.equal(pod.dnsPolicy, 'ClusterFirstWithHostNet');
  const container = containerOf(objects);
  assert.equal(envValue(container, 'IMAGESPEC_HTTP_PORT')?.value, '0');
  const portFile = envValue(container, 'IMAGESPEC_HTTP_PORT_FILE')?.value ?? '';
  const mount = container.volumeMounts.find((m) => portFile.startsWith(`${m.mountPath}/`));
  assert.ok(mount, `the port file ${portFile} is on a mounted volume`);
  assert.ok(pod.volumes.find((v) => v.name === mount.name)?.emptyDir, 'an emptyDir');
  assert.deepEqual(container.readinessProbe.exec?.command, ['node', 'controllers/probe.ts', '/readyz']);
  assert.deepEqual(container.livenessProbe.exec?.command, ['node', 'controllers/probe.ts', '/healthz']);
  // A container port on the host network is a host port: two replicas could not share a node.
  assert.equal(container.ports, undefined);
  assert.equal(objects.filter((o) => o.kind === 'Service').length, 0);
  // Uploads: a fixed port the replicas share, reached by build Pods on the same host network.
  assert.equal(envValue(container, 'IMAGESPEC_UPLOAD_PORT')?.value, '8081');
  assert.equal(envValue(container, 'IMAGESPEC_UPLOAD_URL')?.value, 'http://127.0.0.1:8081');
});

test('extraEnv, scheduling values and the image are passed through', async () => {
  const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'a', operator: 'Exists' }] }] } } };
  const tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'build', effect: 'NoSchedule' }];
  const objects = await render({
    values: {
      extraEnv: [{ name: 'KUBERNETES_SERVICE_HOST', value: '127.0.0.1' }],
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations,
      affinity,
      image: { repository: '127.0.0.1:5001/imagespec/controller', tag: '0.1.0-abc' },
    },
  });
  const pod = specOf(objects).template.spec;
  const container = containerOf(objects);
  assert.equal(envValue(container, 'KUBERNETES_SERVICE_HOST')?.value, '127.0.0.1');
  assert.equal(container.image, '127.0.0.1:5001/imagespec/controller:0.1.0-abc');
  assert.deepEqual(pod.nodeSelector, { 'kubernetes.io/os': 'linux' });
  assert.deepEqual(pod.tolerations, tolerations);
  assert.deepEqual(pod.affinity, affinity);
});

test('registryCA mounts the ConfigMap\'s bundle read-only and names the file for the controller', async () => {
  const without = containerOf(await render({ values: {} }));
  assert.equal(envValue(without, 'IMAGESPEC_REGISTRY_CA_FILE'), undefined);
  const objects = await render({ values: { registryCA: { configMap: 'registry-ca', key: 'bundle.pem' } } });
  const container = containerOf(objects);
  assert.equal(envValue(container, 'IMAGESPEC_REGISTRY_CA_FILE')?.value, '/etc/imagespec-registry-ca/bundle.pem');
  assert.ok(container.volumeMounts.some((m) => m.name === 'registry-ca' && m.mountPath === '/etc/imagespec-registry-ca' && m.readOnly === true));
  const volume = specOf(objects).template.spec.volumes.find((v) => v.name === 'registry-ca') as unknown as { configMap: { name: string; items: { key: string; path: string }[] } };
  assert.deepEqual(volume.configMap, { name: 'registry-ca', items: [{ key: 'bundle.pem', path: 'bundle.pem' }] });
});

test('without affinity values, replicas prefer different nodes', async () => {
  const objects = await render();
  const anti = specOf(objects).template.spec.affinity?.['podAntiAffinity'] as {
    preferredDuringSchedulingIgnoredDuringExecution: { podAffinityTerm: { topologyKey: string; labelSelector: { matchLabels: unknown } } }[];
  };
  const [term] = anti.preferredDuringSchedulingIgnoredDuringExecution;
  assert.equal(term!.podAffinityTerm.topologyKey, 'kubernetes.io/hostname');
  assert.deepEqual(term!.podAffinityTerm.labelSelector.matchLabels, specOf(objects).selector.matchLabels);
});
