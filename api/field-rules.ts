// What each patterned field refuses, and the sentence that says why. The grammar of a field
// (api/grammar.ts) decides what is accepted; the checks before it name the usual mistakes and
// tricks in words a user can act on. The CRD turns every check into a CEL rule with this message
// (api/cel.ts), and the validator evaluates those same rules, so the API server, the controller
// and the CLI refuse the same values with the same sentences.
import { CONTROL_CHARACTER, GRAMMAR_HELP, PATTERNS, PEP508_MARKER_VARIABLES, type PatternName } from './grammar.ts';

export interface Check {
  /** A regular expression searched for in the value, in the syntax RE2 and JavaScript share. */
  pattern: string;
  /** `found`: the value is refused when the pattern is found in it; `missing`: when it is not. */
  refuseWhen: 'found' | 'missing';
  /** Why the value is refused, without the field path or the value (both are shown with it). */
  message: string;
}

/** The fields whose values are checked against a grammar (the keys of PATTERNS that fields use). */
export type CheckedField = Extract<
  PatternName,
  'apt' | 'pip' | 'conda' | 'imageReference' | 'repoPrefix' | 'dnsSubdomain' | 'optionalDnsSubdomain' | 'optionalDateTime' | 'revision' | 'buildArgName' | 'buildArgValue' | 'envName' | 'envValue' | 'outputImage' | 'contextPath' | 'buildTarget' | 'archiveUrl'
>;

function found(pattern: string, message: string): Check {
  return { pattern, refuseWhen: 'found', message };
}

function controlCharacters(where: string): Check {
  return found(CONTROL_CHARACTER, `must not contain control characters such as newlines or tabs: ${where}`);
}

function leadingDash(tool: string): Check {
  return found('^\\x20*-', `must not start with "-": ${tool} would read it as an option`);
}

function archive(tool: string, example: string): Check {
  return found(PATTERNS.archiveName, `must not be an archive file name (.whl, .tar.gz, .tar.bz2, .conda, .zip, .egg...): ${tool} would install it from a local path; name the package and its version instead (e.g. ${example})`);
}

const PACKAGE_CHECKS: Record<'apt' | 'pip' | 'conda', readonly Check[]> = {
  apt: [
    controlCharacters('each entry is one line of the apt list'),
    leadingDash('apt-get'),
    found('-\\x20*$', 'must not end with "-": apt-get reads a trailing "-" as "remove this package"'),
    found('^\\x20*[./]|://|\\.deb\\x20*$', 'must name a package of the apt sources, not a path, a URL or a .deb file'),
    found('[;|&$`\\\\\\x22\\x27(){}<>*?!#]', 'must not contain quotes, comment or shell characters (; | & $ ` \\ " \' ( ) { } < > * ? ! #)'),
    found('[^\\x20]\\x20+[^\\x20]', 'must be one package: spaces inside an entry are not allowed (write one entry per package)'),
  ],
  pip: [
    controlCharacters('each entry is one line of requirements.txt'),
    found('^\\x20*-|\\x20-', 'must not start with "-" or contain " -": pip reads those as options'),
    found('[:/@]|^\\x20*\\.', 'must name a package of the index: URLs, paths and direct references (":", "/", "@", a leading ".") are not allowed'),
    found('[$`\\\\#|&{}]', 'must not contain $ ` \\ # | & { or }: pip expands ${...}, reads " #" as a comment and a trailing \\ as a line continuation'),
    { pattern: PATTERNS.pipMarkerParentheses, refuseWhen: 'missing', message: 'must pair the parentheses of its environment marker, one level deep: (a or b) and c' },
    archive('pip', 'numpy==1.26.4'),
    { pattern: PATTERNS.pipMarkerVariables, refuseWhen: 'missing', message: `must use only PEP 508 variables in its environment marker (after ";"): ${PEP508_MARKER_VARIABLES.join(', ')}` },
  ],
  conda: [
    controlCharacters('each entry is one line of the conda list'),
    leadingDash('conda'),
    found('://|^\\x20*[./]|@', 'must name a package of a channel: URLs, paths and @EXPLICIT lines are not allowed'),
    found('[;|&$`\\\\\\x22\\x27(){}#\\[\\]]', 'must not contain quotes, brackets, comment or shell characters (; | & $ ` \\ " \' ( ) { } [ ] #)'),
    found('[^\\x20]\\x20+[^\\x20]', 'must be written without spaces (numpy=1.26=py311*, not numpy 1.26 py311*)'),
    archive('conda', 'numpy=1.26.4'),
  ],
};

const FIELD_CHECKS: Partial<Record<CheckedField, readonly Check[]>> = {
  ...PACKAGE_CHECKS,
  imageReference: [
    controlCharacters('an image reference is one line'),
    found('://', 'must be an image reference without a URL scheme (registry.example.com/team/base:1.0, not https://registry.example.com/...)'),
    found('\\x20', 'must not contain spaces'),
  ],
  buildArgName: [
    found('^[Ii][Mm][Aa][Gg][Ee][Ss][Pp][Ee][Cc]_', 'must not start with IMAGESPEC_: the build passes arguments of its own under that prefix'),
  ],
  outputImage: [
    controlCharacters('an image reference is one line'),
    found('://', 'must be an image reference without a URL scheme (registry.example.com/team/notebook, not https://registry.example.com/...)'),
    found('@', 'must not carry a digest: the digest is what the push produces'),
    found('\\x20', 'must not contain spaces'),
  ],
  contextPath: [
    found('^/', 'must be relative to the build context (no leading /)'),
    found('(?:^|/)\\.\\.?(?:/|$)', 'must not have a . or .. component: the Dockerfile must be inside the build context'),
  ],
  archiveUrl: [
    controlCharacters('a URL is one line'),
    found('\\x20', 'must not contain spaces (write a space as %20)'),
    { pattern: '^[Hh][Tt][Tt][Pp][Ss]?://', refuseWhen: 'missing', message: 'must start with http:// or https://: the archive is downloaded over HTTP, from no other kind of URL' },
    // The URL is in the ImageSpec, the ImageSpecJob and the build Pod: readable by everyone who can read the namespace.
    found('^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*@', 'must not contain a user name or password (https://user:password@host/...): everyone who can read this namespace would see them; the download step holds no credential'),
  ],
  envName: [
    found('^[Ii][Mm][Aa][Gg][Ee][Ss][Pp][Ee][Cc]_', 'must not start with IMAGESPEC_: the build step sets variables of its own under that prefix'),
  ],
  envValue: [
    controlCharacters('an environment value is one line'),
    // A proxy's user and password would be readable by every user of the namespace (this object,
    // the ImageSpecJob, the build Pod) and by every RUN step of the build.
    found('://[^/@\\x20]*@', 'must not contain a user name or password (scheme://user:password@host): everyone who can read this namespace, and every step of the build, would see them; use a proxy that admits the build without credentials in its URL'),
  ],
};

/**
 * The checks of a field in order: its specific refusals, then its grammar. A value refused by a
 * check is described by that check alone, so the order also says which sentence wins; long
 * patterns come last, since every rule repeats the patterns of the checks before it.
 */
export function fieldChecks(field: CheckedField): Check[] {
  return [...(FIELD_CHECKS[field] ?? []), { pattern: PATTERNS[field], refuseWhen: 'missing', message: `must be ${GRAMMAR_HELP[field]}` }];
}
