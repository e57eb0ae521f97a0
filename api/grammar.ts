// The grammars of the ImageSpec fields, as regular expressions. This file is the single source of
// truth: the CRDs in crds/ are generated from api/crd-schema.ts, which takes its patterns from
// here, and api/validate.ts compiles that same schema. So the API server (Go's RE2) and the CLI and
// controller (JavaScript) apply exactly the same rules.
//
// Rules for every pattern here:
// - The syntax common to RE2 and ECMAScript with the `u` flag: no lookaround, no backreferences.
// - Linear matching time in a backtracking engine: every repetition is unambiguous (runs of one
//   character class separated by characters outside it), so a hostile 1 MB string cannot stall the
//   CLI or the controller.
// - Packages: no internal whitespace, no quotes, no shell or list-file metacharacters
//   (; | & $ ` \ ' " # { } ( ) and spaces), nothing that can start an option (a leading `-`), a
//   comment (`#`), a path (`/`, `.`) or a URL (`:`, `@`). Only the characters each package
//   manager's requirement syntax needs. Surrounding spaces are tolerated and trimmed (see
//   normalizePackages), since they carry no meaning; tabs and other control characters are not.

/**
 * Wraps a grammar so the whole value must match, allowing surrounding spaces. Written `\x20`
 * (not a literal space) so that the YAML of the CRDs never folds a pattern across lines.
 */
function padded(grammar: string): string {
  return `^\\x20*(?:${grammar})\\x20*$`;
}

function exact(grammar: string): string {
  return `^(?:${grammar})$`;
}

// A DNS-1123 label written without ambiguous repetition: alphanumeric runs joined by hyphen runs.
const DNS_LABEL = '[a-z0-9]+(?:-+[a-z0-9]+)*';
const DNS_SUBDOMAIN = `${DNS_LABEL}(?:\\.${DNS_LABEL})*`;

// ---------------------------------------------------------------------------------------------
// apt: `name`, `name:arch`, `name=version`, `name:arch=version`, `name/release`.
// Debian Policy 5.6.1: names are lowercase alphanumerics and + - . , at least two characters,
// starting with an alphanumeric. 5.6.12: versions are [epoch:]upstream[-revision] with
// alphanumerics and . + ~ - (a colon only after the epoch).
// A trailing `-` is refused: apt-get reads `name-` as "remove name". Hyphen runs must be
// followed by another name character, which also keeps the repetition unambiguous.
const APT_NAME = '[a-z0-9](?:[a-z0-9+.]|-+[a-z0-9+.])+';
const APT_ARCH = '[a-z0-9]+(?:-[a-z0-9]+)*';
const APT_VERSION = '(?:[0-9]+:)?[A-Za-z0-9][A-Za-z0-9.+~-]*';
const APT_RELEASE = '[A-Za-z0-9][A-Za-z0-9.+~-]*';
const APT = `${APT_NAME}(?::${APT_ARCH})?(?:=${APT_VERSION}|/${APT_RELEASE})?`;

// ---------------------------------------------------------------------------------------------
// pip: PEP 508 name, optional extras, optional comma-separated PEP 440 version specifiers.
// Not accepted: URL and path requirements (`pkg @ https://...`, `git+https://...`), environment
// markers (they need quotes and spaces), spaces inside the requirement, per-requirement options.
const PIP_NAME = '[A-Za-z0-9]+(?:[._-]+[A-Za-z0-9]+)*';
const PIP_EXTRAS = `\\[${PIP_NAME}(?:,${PIP_NAME})*\\]`;
// PEP 440 versions (public and local parts, epochs, pre/post/dev, `v` prefix), with the `.*`
// wildcard suffix that == and != allow.
const PIP_VERSION = '[A-Za-z0-9]+(?:[!+._-]+[A-Za-z0-9]+)*(?:\\.\\*)?';
const PIP_OPERATOR = '(?:===|~=|==|!=|<=|>=|<|>)';
const PIP_SPECIFIER = `${PIP_OPERATOR}${PIP_VERSION}`;
const PIP = `${PIP_NAME}(?:${PIP_EXTRAS})?(?:${PIP_SPECIFIER}(?:,${PIP_SPECIFIER})*)?`;

// ---------------------------------------------------------------------------------------------
// conda: match specs as `conda install --file` reads them, without spaces:
// `[channel[/subdir]::]name[=version[=build] | op version[,op version]...]`.
// Not accepted: the bracket form (`numpy[version='>=1.20']`, needs quotes), `|` alternatives,
// the space-separated form, channel URLs.
const CONDA_CHANNEL = '[A-Za-z0-9]+(?:[._-]+[A-Za-z0-9]+)*(?:/[A-Za-z0-9]+(?:[._-]+[A-Za-z0-9]+)*)*';
const CONDA_NAME = '[A-Za-z0-9]+(?:[._-]+[A-Za-z0-9]+)*';
const CONDA_VERSION = '[A-Za-z0-9*][A-Za-z0-9.+!_*]*';
const CONDA_BUILD = '[A-Za-z0-9_*][A-Za-z0-9.+_*]*';
const CONDA_OPERATOR = '(?:==|!=|<=|>=|~=|<|>|=)';
const CONDA_CONSTRAINT = `${CONDA_OPERATOR}${CONDA_VERSION}`;
const CONDA = `(?:${CONDA_CHANNEL}::)?${CONDA_NAME}(?:=${CONDA_VERSION}=${CONDA_BUILD}|${CONDA_CONSTRAINT}(?:,${CONDA_CONSTRAINT})*)?`;

// ---------------------------------------------------------------------------------------------
// Image references, after the grammar of the distribution/reference library:
// [registry[:port]/]path[:tag][@sha256:digest], lowercase path components.
const DOMAIN_COMPONENT = '[A-Za-z0-9]+(?:-+[A-Za-z0-9]+)*';
// As Docker decides: the first component is a registry only if it has a dot or a port, or is
// localhost; otherwise it is part of the (lowercase) path, so `UPPER/x` is refused.
const DOMAIN = `${DOMAIN_COMPONENT}(?:(?:\\.${DOMAIN_COMPONENT})+(?::[0-9]+)?|:[0-9]+)|localhost`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REPOSITORY = `(?:(?:${DOMAIN})/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}';
const DIGEST = 'sha256:[a-f0-9]{64}';
const IMAGE_REFERENCE = `${REPOSITORY}(?::${TAG})?(?:@${DIGEST})?`;

// RFC 3339 date-time (what PrimeHub's console writes), fractional seconds optional.
const DATE_TIME =
  '[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\\.[0-9]+)?(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])';

export const PATTERNS = {
  apt: padded(APT),
  pip: padded(PIP),
  conda: padded(CONDA),
  imageReference: exact(IMAGE_REFERENCE),
  /** A repository without tag or digest, e.g. the registry repository prefix. */
  repository: exact(REPOSITORY),
  /** Where images are pushed under: a registry alone (127.0.0.1:5000) or a repository. */
  repoPrefix: exact(`(?:${DOMAIN})(?:/${PATH_COMPONENT})*|${REPOSITORY}`),
  dnsLabel: exact(DNS_LABEL),
  dnsSubdomain: exact(DNS_SUBDOMAIN),
  /** PrimeHub writes `pullSecret: ""` when there is none. */
  optionalDnsSubdomain: `^(?:${DNS_SUBDOMAIN})?$`,
  /** PrimeHub's updateTime is a plain string, "" when never set. */
  optionalDateTime: `^(?:${DATE_TIME})?$`,
  revision: '^[0-9a-f]{64}$',
} as const;

export type PatternName = keyof typeof PATTERNS;

/** What each grammar accepts, in words: shown in errors and in the CRD field descriptions. */
export const GRAMMAR_HELP: Record<PatternName, string> = {
  apt: 'an apt package: name, name:arch, name=version, name:arch=version or name/release (lowercase Debian names such as libpq-dev, curl=7.88.1-10+deb12u5, libc6:amd64); no options, spaces or shell characters',
  pip: 'a pip requirement: name[extras] with optional comma-separated version specifiers, written without spaces (numpy>=1.26,<2, requests[socks]==2.32.3, torch==2.3.1+cpu, pkg~=1.4, pkg==1.*); URLs, paths, environment markers and options are not allowed',
  conda: 'a conda match spec written without spaces: [channel::]name[=version[=build]] or name with comma-separated constraints (numpy, numpy=1.26, numpy=1.26=py311*, conda-forge::numpy>=1.20,<2); URLs, options and the bracket form are not allowed',
  imageReference: 'an image reference [registry[:port]/]path[:tag][@sha256:digest] with lowercase path components (python:3.11, quay.io/jupyter/base-notebook:2024-07-29, 127.0.0.1:5001/base/python:3.11)',
  repository: 'a repository [registry[:port]/]path with lowercase path components',
  repoPrefix: 'a registry host[:port], optionally followed by /path with lowercase path components',
  dnsLabel: 'a DNS-1123 label: lowercase letters, digits and -, starting and ending with a letter or digit',
  dnsSubdomain: 'a Secret name (DNS-1123 subdomain): lowercase letters, digits, - and ., starting and ending with a letter or digit',
  optionalDnsSubdomain: 'a Secret name (DNS-1123 subdomain): lowercase letters, digits, - and ., starting and ending with a letter or digit; or empty',
  optionalDateTime: 'an RFC 3339 date-time such as 2026-11-20T08:00:00Z; or empty',
  revision: 'a SHA-256 hex digest (64 lowercase hex characters)',
};

/** Length and size limits, shared by the CRDs and the validator. */
export const LIMITS = {
  packageLength: 256,
  packagesPerManager: 256,
  imageReferenceLength: 512,
  secretNameLength: 253,
  imageSpecNameLength: 63,
  dateTimeLength: 64,
  /** Status strings written by the controller: generous, so a long failure message is never refused. */
  statusMessageLength: 32768,
  statusShortLength: 1024,
  conditions: 16,
} as const;
