// The grammars of the ImageSpec fields, as regular expressions. This file is the single source of
// truth: the CRDs in crds/ are generated from api/crd-schema.ts, which takes its patterns from
// here, and api/validate.ts compiles that same schema. So the API server (Go's RE2) and the CLI and
// controller (JavaScript) apply exactly the same rules.
//
// Rules for every pattern here:
// - The syntax common to RE2 and ECMAScript with the `u` flag: no lookaround, no backreferences,
//   no inline flags, no quote characters (written \x22 and \x27: the CRD puts each pattern in
//   a CEL raw string r'...').
// - Linear matching time in a backtracking engine: every repetition is unambiguous (runs of one
//   character class separated by characters outside it), so a hostile string cannot stall the
//   CLI or the controller.
// - Packages: nothing that can start an option (a leading `-`, or ` -` for pip), a comment (`#`),
//   a path or a URL, a shell or list-file metacharacter, or a second line. Only the characters
//   each package manager's requirement syntax needs. Surrounding spaces are tolerated and trimmed
//   (see normalizePackages), since they carry no meaning; tabs and other control characters are not.
// api/field-rules.ts adds, for each field, the refusals that explain in a sentence why a value
// does not fit its grammar; the CRD turns both into CEL rules with messages.

const SPACE = '\\x20';
/** Optional spaces, and at least one space, written `\x20` so the YAML of the CRDs never folds a pattern. */
const SPACES = `${SPACE}*`;
const SPACES1 = `${SPACE}+`;

/** Wraps a grammar so the whole value must match, allowing surrounding spaces. */
function padded(grammar: string): string {
  return `^${SPACES}(?:${grammar})${SPACES}$`;
}

function exact(grammar: string): string {
  return `^(?:${grammar})$`;
}

/** C0 controls, DEL and C1 controls, as a character class (the syntax RE2 and JavaScript share). */
export const CONTROL_CHARACTER = '[\\x00-\\x1f\\x7f-\\x9f]';

// A DNS-1123 label written without ambiguous repetition: alphanumeric runs joined by hyphen runs.
const DNS_LABEL = '[a-z0-9]+(?:-+[a-z0-9]+)*';
const DNS_SUBDOMAIN = `${DNS_LABEL}(?:\\.${DNS_LABEL})*`;

// ---------------------------------------------------------------------------------------------
// apt: `name`, `name:arch`, `name=version`, `name:arch=version`, `name/release`.
// Debian Policy 5.6.1: names are lowercase alphanumerics and + - . , at least two characters,
// starting with an alphanumeric. 5.6.12: versions are [epoch:]upstream[-revision] with
// alphanumerics and . + ~ - (a colon only after the epoch).
// A trailing `-` is refused everywhere (name, version, release): apt-get reads an argument ending
// in `-` as "remove this package". Hyphen runs must be followed by another character, which also
// keeps the repetition unambiguous.
const APT_NAME = '[a-z0-9](?:[a-z0-9+.]|-+[a-z0-9+.])+';
const APT_ARCH = '[a-z0-9]+(?:-[a-z0-9]+)*';
const APT_VERSION_TAIL = '(?:[A-Za-z0-9.+~]|-+[A-Za-z0-9.+~])*';
const APT_VERSION = `(?:[0-9]+:)?[A-Za-z0-9]${APT_VERSION_TAIL}`;
const APT_RELEASE = `[A-Za-z0-9]${APT_VERSION_TAIL}`;
const APT = `${APT_NAME}(?::${APT_ARCH})?(?:=${APT_VERSION}|/${APT_RELEASE})?`;

// ---------------------------------------------------------------------------------------------
// pip: a PEP 508 requirement as a line of requirements.txt: name, optional extras, optional
// comma-separated PEP 440 version specifiers, optional environment marker after `;`. Spaces are
// allowed between the parts (never inside a name, a version or a quoted value), so no token can
// start with `-` (pip reads a space-separated token starting with `-` as an option).
// Not accepted: URL and path requirements (`pkg @ https://...`, `git+https://...`), the
// parenthesised specifier form, per-requirement options, anything pip would expand or strip
// (`${VAR}`, ` #comment`, a trailing `\`).
const PIP_NAME = '[A-Za-z0-9]+(?:[._-]+[A-Za-z0-9]+)*';
const PIP_EXTRAS = `\\[${SPACES}${PIP_NAME}(?:${SPACES},${SPACES}${PIP_NAME})*${SPACES}\\]`;
// PEP 440 versions (public and local parts, epochs, pre/post/dev, `v` prefix), with the `.*`
// wildcard suffix that == and != allow.
const PIP_VERSION = '[A-Za-z0-9]+(?:[!+._-]+[A-Za-z0-9]+)*(?:\\.\\*)?';
const VERSION_OPERATOR = '(?:===|~=|==|!=|<=|>=|<|>)';
const PIP_SPECIFIER = `${VERSION_OPERATOR}${SPACES}${PIP_VERSION}`;
const PIP_SPECIFIERS = `${PIP_SPECIFIER}(?:${SPACES},${SPACES}${PIP_SPECIFIER})*`;
// Environment markers (PEP 508): comparisons of a marker variable and a quoted string, joined by
// `and`/`or`, a term possibly opening or closing a parenthesis. Two shorter patterns complete it
// (each rule's CEL cost grows with its pattern's length): MARKER_VARIABLES names the variables
// allowed where this one writes their general shape (every PEP 508 variable but `extra` has an
// underscore, which keeps `and`, `or`, `in` and `not` out), and BALANCED_PARENTHESES makes the
// parentheses pairs, one level deep. Quoted values hold no spaces, quotes, `#`, `$` or
// backslashes. Quotes are written \x22 and \x27: a pattern holds no quote characters.
const DQUOTE = '\\x22';
const SQUOTE = '\\x27';
const MARKER_VALUE = '[A-Za-z0-9._+*-]*';
const MARKER_OPERAND = `(?:[a-z]+(?:_[a-z]+)+|extra|${DQUOTE}${MARKER_VALUE}${DQUOTE}|${SQUOTE}${MARKER_VALUE}${SQUOTE})`;
const MARKER_OPERATOR = `(?:${SPACES}${VERSION_OPERATOR}${SPACES}|${SPACES1}(?:not${SPACES1})?in${SPACES1})`;
const MARKER_COMPARISON = `${MARKER_OPERAND}${MARKER_OPERATOR}${MARKER_OPERAND}`;
const MARKER_JOIN = `${SPACES1}(?:and|or)${SPACES1}`;
const MARKER_TERM = `(?:\\(${SPACES})?${MARKER_COMPARISON}(?:${SPACES}\\))?`;
const MARKER = `${MARKER_TERM}(?:${MARKER_JOIN}${MARKER_TERM})*`;
// Parentheses in pairs, none inside another (no other part of a requirement uses them).
const BALANCED_PARENTHESES = '^[^()]*(?:\\([^()]*\\)[^()]*)*$';
const PIP = `${PIP_NAME}(?:${SPACES}${PIP_EXTRAS})?(?:${SPACES}${PIP_SPECIFIERS})?(?:${SPACES};${SPACES}${MARKER})?`;

/** The variables PEP 508 defines for environment markers. */
export const PEP508_MARKER_VARIABLES = [
  'python_version',
  'python_full_version',
  'os_name',
  'sys_platform',
  'platform_release',
  'platform_system',
  'platform_version',
  'platform_machine',
  'platform_python_implementation',
  'implementation_name',
  'implementation_version',
  'extra',
] as const;

// After the first `;`, every word outside quotes is a marker variable or a keyword. A word is
// followed by a character that cannot continue it (or the end), so each is read whole.
const MARKER_WORD =
  '(?:python_(?:full_)?version|os_name|sys_platform|platform_(?:release|system|version|machine|python_implementation)|implementation_(?:name|version)|extra|and|or|not|in)';
const NOT_WORD = `[^a-z_${DQUOTE}${SQUOTE}]`;
const QUOTED = `${DQUOTE}[^${DQUOTE}]*${DQUOTE}|${SQUOTE}[^${SQUOTE}]*${SQUOTE}`;
const MARKER_VARIABLES = `^[^;]*(?:;(?:${NOT_WORD}|${QUOTED}|${MARKER_WORD}(?:$|${NOT_WORD}))*)?$`;

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
// Archive file names: pip reads a requirement ending in one of .whl .zip .egg .tar .tgz .tbz
// .tbz2 .txz .tlz .tar.gz .tar.bz2 .tar.xz .tar.lz .tar.lzma (in any letter case) as a local file
// to install, conda a match spec ending in .tar.bz2 or .conda. Refused wherever a name or version
// ends with one (followed by the end or by a character that cannot continue a name). Written as a
// tree of cases (RE2 and JavaScript share no case-insensitive syntax), short for the CEL cost.
const ARCHIVE_NAME =
  '\\.(?:[tT](?:[aA][rR](?:\\.(?:[gG][zZ]|[bB][zZ]2|[xX][zZ]|[lL][zZ](?:[mM][aA])?))?|[gG][zZ]|[bB][zZ]2?|[xX][zZ]|[lL][zZ])|[wW][hH][lL]|[zZ][iI][pP]|[eE][gG][gG]|[cC][oO][nN][dD][aA])(?:$|[^A-Za-z0-9._-])';

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
  /** pip: every word of the environment marker is a PEP 508 variable or a keyword. */
  pipMarkerVariables: MARKER_VARIABLES,
  /** pip: the environment marker's parentheses pair up, one level deep. */
  pipMarkerParentheses: BALANCED_PARENTHESES,
  /** Searched for: a name or version ending in an archive extension. */
  archiveName: ARCHIVE_NAME,
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
  /** A Dockerfile ARG name as a shell variable name: it reaches RUN steps as an environment variable. */
  buildArgName: exact('[A-Za-z_][A-Za-z0-9_]*'),
  /** One line: the build step reads the arguments from a list file, one NAME=value per line. */
  buildArgValue: exact('[^\\x00-\\x1f\\x7f-\\x9f]*'),
  /** Where a tenant's image goes: a repository and an optional tag, never a digest. */
  outputImage: exact(`${REPOSITORY}(?::${TAG})?`),
  /**
   * A relative path inside the build context: components of letters, digits, ., _ and -, none of
   * them . or .. (a component may start with one dot: .devcontainer/Dockerfile), no leading /.
   */
  contextPath: exact('\\.?[A-Za-z0-9_][A-Za-z0-9._-]*(?:/\\.?[A-Za-z0-9_][A-Za-z0-9._-]*)*'),
  /**
   * Where a context archive is downloaded from: http or https, a host name or an IP address
   * (IPv6 in brackets), an optional port, then visible ASCII (percent-encode the rest).
   */
  archiveUrl: exact(
    '[Hh][Tt][Tt][Pp][Ss]?://(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]{1,5})?(?:[/?#][\\x21-\\x7e]*)?',
  ),
  /** A Dockerfile stage name (FROM ... AS name), as buildah accepts it for --target. */
  buildTarget: exact('[A-Za-z][A-Za-z0-9._-]*'),
  /** A shell variable name: the build step's environment. */
  envName: exact('[A-Za-z_][A-Za-z0-9_]*'),
  /** One line: a container environment value never needs more. */
  envValue: exact('[^\\x00-\\x1f\\x7f-\\x9f]*'),
} as const;

export type PatternName = keyof typeof PATTERNS;

/** What each grammar accepts, in words: shown in errors and in the CRD field descriptions. */
export const GRAMMAR_HELP: Record<PatternName, string> = {
  apt: 'an apt package: name, name:arch, name=version, name:arch=version or name/release with a lowercase Debian name (libpq-dev, curl=7.88.1-10+deb12u5, libc6:amd64, vim/bookworm-backports)',
  pip: 'a pip requirement: name[extras], optional comma-separated version specifiers and an optional environment marker after ";" (numpy>=1.26,<2, numpy >= 1.26, requests[socks]>=2.31,<3; python_version > "3.8", torch==2.3.1+cpu, pkg==1.*)',
  conda: 'a conda match spec written without spaces: [channel::]name[=version[=build]] or name with comma-separated constraints (numpy, numpy=1.26, numpy=1.26=py311*, conda-forge::numpy>=1.20,<2)',
  pipMarkerVariables: `an environment marker using only the PEP 508 variables ${PEP508_MARKER_VARIABLES.join(', ')}`,
  archiveName: 'not an archive file name',
  pipMarkerParentheses: 'an environment marker whose parentheses pair up, one level deep',
  imageReference: 'an image reference [registry[:port]/]path[:tag][@sha256:digest] with lowercase path components (python:3.11, quay.io/jupyter/base-notebook:2024-07-29, 127.0.0.1:5001/base/python:3.11)',
  repository: 'a repository [registry[:port]/]path with lowercase path components',
  repoPrefix: 'a registry host[:port], optionally followed by /path with lowercase path components',
  dnsLabel: 'a DNS-1123 label: lowercase letters, digits and -, starting and ending with a letter or digit',
  dnsSubdomain: 'a Kubernetes object name (DNS-1123 subdomain): lowercase letters, digits, - and ., starting and ending with a letter or digit',
  optionalDnsSubdomain: 'a Secret name (DNS-1123 subdomain): lowercase letters, digits, - and ., starting and ending with a letter or digit; or empty',
  optionalDateTime: 'an RFC 3339 date-time such as 2026-11-20T08:00:00Z; or empty',
  revision: 'a SHA-256 hex digest (64 lowercase hex characters)',
  buildArgName: 'a build argument name: letters, digits and _, not starting with a digit (PIP_INDEX_URL, APP_VERSION)',
  buildArgValue: 'one line of text: no newlines, tabs or other control characters',
  outputImage: 'a repository [registry[:port]/]path with lowercase path components and an optional :tag (registry.example.com/team/notebook, 127.0.0.1:5002/team/notebook:v1)',
  contextPath: 'a relative path inside the build context: letters, digits, ., _ and - between single slashes, no . or .. component (Dockerfile, docker/Dockerfile.gpu, .devcontainer/Dockerfile)',
  archiveUrl: 'an http:// or https:// URL of a host or IP address, with an optional port and path, without spaces (https://example.com/src/app-1.2.tar.gz, http://127.0.0.1:8000/context.zip)',
  buildTarget: 'a Dockerfile stage name: a letter, then letters, digits, ., _ and - (runtime, build-env)',
  envName: 'an environment variable name: letters, digits and _, not starting with a digit (HTTP_PROXY, NO_PROXY)',
  envValue: 'one line of text: no newlines, tabs or other control characters',
};

/** Length and size limits, shared by the CRDs and the validator. */
export const LIMITS = {
  packageLength: 256,
  /**
   * A pip requirement, markers included (the longest real ones are about 120 characters). The API
   * server estimates a CEL rule's cost from its strings' maxLength; at 256 the pip grammar's rule
   * would come within 5% of the 10 million a rule may cost (see api/cel-cost.ts).
   */
  pipRequirementLength: 200,
  packagesPerManager: 256,
  imageReferenceLength: 512,
  secretNameLength: 253,
  imageSpecNameLength: 63,
  dateTimeLength: 64,
  /** Status strings written by the controller: generous, so a long failure message is never refused. */
  statusMessageLength: 32768,
  statusShortLength: 1024,
  conditions: 16,
  buildArgs: 32,
  buildArgNameLength: 128,
  buildArgValueLength: 512,
  env: 16,
  envNameLength: 128,
  contextPathLength: 255,
  buildTargetLength: 63,
  archiveUrlLength: 2048,
  /** NO_PROXY lists grow long. */
  envValueLength: 1024,
} as const;
