// What the API server must say when it refuses an ImageSpec: the field path, and the sentence the
// CRD's CEL rule carries, which is the one the controller and the CLI give (api/cel.ts). The
// integration suite creates each case on the real API server.
import type { ImageSpecSpec } from '../../api/types.ts';
import type { PackageManager } from '../../api/packages.ts';
import { fieldRefusals } from '../../api/cel.ts';
import { NAME_LENGTH_RULE } from '../../api/crd-schema.ts';

export interface AdmissionRefusal {
  name: string;
  spec: ImageSpecSpec;
  /** The field the cause names. */
  field: string;
  /** The sentence the cause's message must contain. */
  sentence: string;
  /** The refused value, shown in the message (`Invalid value: "..."`), when the API server shows it. */
  value?: string;
}

const BASE = '127.0.0.1:5001/base/debian:bookworm';

function refusedPackage(name: string, manager: PackageManager, entries: string[], index: number): AdmissionRefusal {
  const value = entries[index]!;
  const [sentence] = fieldRefusals(manager, value);
  if (!sentence) throw new Error(`${manager} ${JSON.stringify(value)} is accepted by the validator`);
  return { name, spec: { baseImage: BASE, packages: { [manager]: entries } }, field: `spec.packages.${manager}[${index}]`, sentence, value };
}

export const ADMISSION_REFUSALS: AdmissionRefusal[] = [
  refusedPackage('shell', 'pip', ['numpy', 'pkg; rm -rf /'], 1),
  refusedPackage('option', 'apt', ['-o=Dpkg::Options::=--force-all'], 0),
  refusedPackage('removal', 'apt', ['git', 'curl=7.88.1-'], 1),
  refusedPackage('release-removal', 'apt', ['ca-certificates/bookworm-'], 0),
  refusedPackage('wheel', 'pip', ['pkg-1.0.tar.gz'], 0),
  refusedPackage('url', 'pip', ['pkg @ https://evil.example/pkg.whl'], 0),
  refusedPackage('marker', 'pip', ['pkg; os_name == "nt" or foo == "x"'], 0),
  refusedPackage('conda-archive', 'conda', ['numpy-1.26.4-py311h64a7726_0.tar.bz2'], 0),
  refusedPackage('newline', 'conda', ['numpy\n--file=/etc/passwd'], 0),
  { name: 'badimage', spec: { baseImage: 'Not An Image!' }, field: 'spec.baseImage', sentence: fieldRefusals('imageReference', 'Not An Image!')[0]!, value: 'Not An Image!' },
  {
    name: 'argname',
    spec: { baseImage: BASE, buildArgs: [{ name: 'A;RUN', value: 'x' }] },
    field: 'spec.buildArgs[0].name',
    sentence: fieldRefusals('buildArgName', 'A;RUN')[0]!,
    value: 'A;RUN',
  },
  {
    name: 'argreserved',
    spec: { baseImage: BASE, buildArgs: [{ name: 'IMAGESPEC_USER', value: 'root' }] },
    field: 'spec.buildArgs[0].name',
    sentence: fieldRefusals('buildArgName', 'IMAGESPEC_USER')[0]!,
    value: 'IMAGESPEC_USER',
  },
  {
    name: 'envcredentials',
    spec: { baseImage: BASE, env: [{ name: 'HTTPS_PROXY', value: 'http://robot:hunter2@proxy.example.com:3128' }] },
    field: 'spec.env[0].value',
    sentence: fieldRefusals('envValue', 'http://robot:hunter2@proxy.example.com:3128')[0]!,
  },
  {
    name: 'envreserved',
    spec: { baseImage: BASE, env: [{ name: 'IMAGESPEC_CONTEXT_DIR', value: '/tmp' }] },
    field: 'spec.env[0].name',
    sentence: fieldRefusals('envName', 'IMAGESPEC_CONTEXT_DIR')[0]!,
    value: 'IMAGESPEC_CONTEXT_DIR',
  },
  {
    name: 'argnewline',
    spec: { baseImage: BASE, buildArgs: [{ name: 'A', value: 'x\nRUN id' }] },
    field: 'spec.buildArgs[0].value',
    sentence: fieldRefusals('buildArgValue', 'x\nRUN id')[0]!,
  },
  {
    name: 'n'.repeat(64),
    spec: { baseImage: BASE },
    field: 'metadata.name',
    sentence: NAME_LENGTH_RULE.message,
  },
];

/** Requirements the API server must accept: spaces around operators, PEP 508 markers. */
export const ADMITTED_PIP = ['requests[socks]>=2.31,<3; python_version > "3.8"', 'numpy >= 1.26', "pandas; (sys_platform == 'linux' or os_name == 'posix') and extra != 'x'"];

export interface Cause {
  field: string;
  message: string;
}

/** The causes of a refusal, from the Status the API server returned (the client's error body). */
export function causesOf(error: unknown): Cause[] {
  const body = (error as { body?: unknown }).body;
  const status = (typeof body === 'string' ? JSON.parse(body) : body) as { details?: { causes?: Array<{ field?: string; message?: string }> } } | undefined;
  return (status?.details?.causes ?? []).map((cause) => ({ field: cause.field ?? '', message: cause.message ?? '' }));
}
