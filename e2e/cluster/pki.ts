// Certificates for the local cluster, made with openssl: one CA signs every serving and
// client certificate; the service-account key pair signs tokens. Keys are ECDSA P-256
// (fast to generate, accepted by every component).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface CertSpec {
  /** File stem: <dir>/<name>.crt and <dir>/<name>.key */
  name: string;
  commonName: string;
  /** Kubernetes reads organizations as group names (O=system:masters is cluster-admin). */
  organizations?: string[];
  usage: 'server' | 'client' | 'server+client';
  ips?: string[];
  dnsNames?: string[];
  /** File stem of the signing CA; the cluster CA unless given. */
  issuer?: string;
}

const validityDays = '3650';
const keyArgs = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export const caName = 'ca';
/** Signs only the API server's client certificate for aggregated APIs (request-header authentication). */
export const frontProxyCaName = 'front-proxy-ca';

export function subject(spec: Pick<CertSpec, 'commonName' | 'organizations'>): string {
  const parts = [...(spec.organizations ?? []).map((o) => `O=${o}`), `CN=${spec.commonName}`];
  for (const part of parts) {
    if (/[/\\]/.test(part)) throw new Error(`certificate subject part ${part} may not contain / or \\`);
  }
  return `/${parts.join('/')}`;
}

export function caArgs(dir: string, name = caName, commonName = 'imagespec-local-ca'): string[] {
  return [
    'req', '-x509', '-new', ...keyArgs,
    '-keyout', join(dir, `${name}.key`),
    '-out', join(dir, `${name}.crt`),
    '-days', validityDays,
    '-subj', subject({ commonName }),
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  ];
}

/** `openssl req -x509 -CA` makes the key and the CA-signed certificate in one step. */
export function certArgs(spec: CertSpec, dir: string): string[] {
  const extendedKeyUsage = {
    server: 'serverAuth',
    client: 'clientAuth',
    'server+client': 'serverAuth,clientAuth',
  }[spec.usage];
  const altNames = [...(spec.ips ?? []).map((ip) => `IP:${ip}`), ...(spec.dnsNames ?? []).map((dns) => `DNS:${dns}`)];
  return [
    'req', '-x509', '-new', ...keyArgs,
    '-keyout', join(dir, `${spec.name}.key`),
    '-out', join(dir, `${spec.name}.crt`),
    '-CA', join(dir, `${spec.issuer ?? caName}.crt`),
    '-CAkey', join(dir, `${spec.issuer ?? caName}.key`),
    '-days', validityDays,
    '-subj', subject(spec),
    '-addext', 'basicConstraints=critical,CA:FALSE',
    '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment',
    '-addext', `extendedKeyUsage=${extendedKeyUsage}`,
    ...(altNames.length > 0 ? ['-addext', `subjectAltName=${altNames.join(',')}`] : []),
  ];
}

/** The first address of the service range is the `kubernetes` Service's ClusterIP. */
export function firstServiceIp(cidr: string): string {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!match) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  const base = octets.reduce((value, octet) => value * 256 + octet, 0);
  const size = 2 ** (32 - prefix);
  const first = base - (base % size) + 1;
  return [24, 16, 8, 0].map((shift) => Math.floor(first / 2 ** shift) % 256).join('.');
}

/** Certificates the control plane itself needs. */
export function controlPlaneCerts(serviceCidr: string): CertSpec[] {
  return [
    {
      name: 'kube-apiserver',
      commonName: 'kube-apiserver',
      usage: 'server',
      ips: ['127.0.0.1', firstServiceIp(serviceCidr)],
      dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
    },
    // Lets kube-apiserver reach kubelets for logs and exec.
    { name: 'apiserver-kubelet-client', commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'], usage: 'client' },
    { name: 'admin', commonName: 'admin', organizations: ['system:masters'], usage: 'client' },
    { name: 'kube-controller-manager', commonName: 'system:kube-controller-manager', usage: 'client' },
    { name: 'kube-scheduler', commonName: 'system:kube-scheduler', usage: 'client' },
    { name: 'front-proxy-client', commonName: 'front-proxy-client', usage: 'client', issuer: frontProxyCaName },
  ];
}

/** A kubelet's client identity as the Node authorizer expects it. */
export function kubeletClientCert(nodeName: string): CertSpec {
  return { name: `kubelet-client-${nodeName}`, commonName: `system:node:${nodeName}`, organizations: ['system:nodes'], usage: 'client' };
}

/** A kubelet's serving certificate for 127.0.0.1. */
export function kubeletServingCert(nodeName: string): CertSpec {
  return { name: `kubelet-serving-${nodeName}`, commonName: nodeName, usage: 'server', ips: ['127.0.0.1'], dnsNames: ['localhost', nodeName] };
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Creates the certificate unless its files exist; returns the paths. */
export function ensureCert(dir: string, spec: CertSpec): { cert: string; key: string } {
  const cert = join(dir, `${spec.name}.crt`);
  const key = join(dir, `${spec.name}.key`);
  if (!existsSync(cert) || !existsSync(key)) openssl(certArgs(spec, dir));
  return { cert, key };
}

/** CA, control-plane certificates and the service-account key pair; keeps what exists. */
export function ensurePki(dir: string, serviceCidr: string): void {
  if (!existsSync(join(dir, `${caName}.crt`)) || !existsSync(join(dir, `${caName}.key`))) {
    // Certificates signed by a lost CA are useless: start over.
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    openssl(caArgs(dir));
  }
  if (!existsSync(join(dir, `${frontProxyCaName}.crt`)) || !existsSync(join(dir, `${frontProxyCaName}.key`))) {
    rmSync(join(dir, 'front-proxy-client.crt'), { force: true });
    openssl(caArgs(dir, frontProxyCaName, 'imagespec-local-front-proxy-ca'));
  }
  for (const spec of controlPlaneCerts(serviceCidr)) ensureCert(dir, spec);
  if (!existsSync(join(dir, 'sa.key')) || !existsSync(join(dir, 'sa.pub'))) {
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', join(dir, 'sa.key')]);
    openssl(['pkey', '-in', join(dir, 'sa.key'), '-pubout', '-out', join(dir, 'sa.pub')]);
  }
}
