// Property: whatever string the validator accepts as a package or a base image, the build context
// is the same Dockerfile and scripts (apart from the base image and the list digests), and the
// package string appears in its own list file only, as one line. Checked on strings generated from
// the grammars, on hostile strings built from known tricks, and on the curated list of tricks.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { validateImageSpec } from '../api/validate.ts';
import { normalizePackages, type PackageManager } from '../api/packages.ts';
import { PATTERNS, PEP508_MARKER_VARIABLES } from '../api/grammar.ts';
import { HOSTILE_PACKAGES } from '../api/testdata/hostile-packages.ts';
import { renderBuildContext } from './context.ts';
import { LIST_FILES } from './package-lists.ts';
import { loadTemplates } from './templates.ts';
import { qualifyImageReference } from './image-reference.ts';

const templates = loadTemplates();
const BASE = 'python:3.11';
const TARGET = 'registry.example.com/team/web:0123456789ab';
const SETTINGS = { build: { insecureRegistries: ['registry.example.com'] } };
const PLACEHOLDER: Record<PackageManager, string> = { apt: 'placeholder-package', conda: 'placeholder-package', pip: 'placeholder-package' };
const BASE_PLACEHOLDER = 'registry.placeholder.invalid/placeholder/base:tag';
const LIST_NAMES = new Set(Object.values(LIST_FILES));

function accepts(spec: Record<string, unknown>): boolean {
  return validateImageSpec({ apiVersion: 'imagespec.dev/v1alpha1', kind: 'ImageSpec', metadata: { name: 'web' }, spec }).ok;
}

function render(baseImage: string, manager: PackageManager, entry: string): Record<string, string> {
  return renderBuildContext(templates, { baseImage, packages: normalizePackages({ [manager]: [entry] }), targetImage: TARGET }, SETTINGS);
}

const withoutDigests = (text: string) => text.replace(/sha256:[0-9a-f]{64}/g, 'sha256:<digest>');

/** Every file but the lists equals the reference's, line by line, except where the reference names its base image. */
function assertSameScripts(files: Record<string, string>, reference: Record<string, string>, baseImage: string): void {
  const scripts = Object.keys(reference).filter((name) => !LIST_NAMES.has(name));
  assert.deepEqual(Object.keys(files).filter((name) => !LIST_NAMES.has(name)), scripts);
  for (const name of scripts) {
    const expected = withoutDigests(reference[name]!).split('\n');
    const actual = withoutDigests(files[name]!).split('\n');
    assert.equal(actual.length, expected.length, `${name}: line count`);
    expected.forEach((line, index) => {
      const wanted = line.includes(BASE_PLACEHOLDER) ? withoutDigests(line.replaceAll(BASE_PLACEHOLDER, qualifyImageReference(baseImage))) : line;
      assert.equal(actual[index], wanted, `${name}:${index + 1}`);
    });
  }
}

// Independent of the grammar: what an accepted entry can never contain, whatever the grammar says.
const ARCHIVE = /\.(?:whl|zip|egg|conda|tar|tgz|tbz2?|txz|tlz|tar\.(?:gz|bz2|xz|lz|lzma))$/i;
function assertHarmless(manager: PackageManager, entry: string): void {
  assert.ok(!/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f]/u.test(entry), 'control or bidirectional character');
  assert.ok(/^[A-Za-z0-9]/.test(entry), 'starts with a letter or a digit');
  assert.ok(!/\s-|[#$`\\@{}|&]|:\/\//u.test(entry), 'option, comment, expansion, continuation, shell character or URL');
  if (manager === 'apt') assert.ok(!entry.endsWith('-') && !entry.endsWith('.deb') && !/[\s;'"]/u.test(entry), 'apt: removal, local file, space or quote');
  else assert.ok(!ARCHIVE.test(entry.split(/[;\s[=<>!~,]/u)[0]!), 'archive file name');
  if (manager === 'conda') assert.ok(!/[\s;'"]/u.test(entry), 'conda: space or quote');
}

function checkPackage(manager: PackageManager, entry: string): boolean {
  if (!accepts({ baseImage: BASE, packages: { [manager]: [entry] } })) return false;
  const [normalized] = normalizePackages({ [manager]: [entry] })[manager];
  assertHarmless(manager, normalized!);
  const files = render(BASE, manager, entry);
  assertSameScripts(files, render(BASE_PLACEHOLDER, manager, PLACEHOLDER[manager]), BASE);
  assert.deepEqual(
    Object.fromEntries(Object.entries(files).filter(([name]) => LIST_NAMES.has(name))),
    { [LIST_FILES[manager]]: `${normalized}\n` },
    'the entry is the only line of its own list file',
  );
  return true;
}

// Pieces of known tricks, glued to pieces of valid entries in any order.
const TRICKS = [
  '\n', '\r\n', '\t', '\u0000', '\u202e', '\u2066', '\u0085', ' ', '  ', '-', ' -', '--', '-e .', '--index-url=http://evil', ' --pre', '-r ',
  '#', ' #x', '$', '${HOME}', '$(id)', '`id`', '\\', '\\\n', ';', '; ', ' ; ', '"', "'", '"3.8"', "'x'", '(', ')', '[', ']', '[x]', ',',
  '@', ' @ https://x/y', '://', 'file:', '/', './', '..', '.whl', '.tar.gz', '.conda', '.ZIP', '=', '==1', '>=', ' >= ', '<', '!', '~=',
  ':', '::', '*', '?', '|', '&', '{', '}', 'and', ' and ', ' or ', ' not in ', ' in ', 'python_version', 'extra', 'os.system', 'rm -rf /',
];
const VALID_PIECES: Record<PackageManager, fc.Arbitrary<string>> = {
  apt: fc.constantFrom('curl', 'libpq-dev', 'g++', 'libc6:amd64', 'curl=7.88.1-10+deb12u5', 'vim/bookworm-backports', 'x', '1'),
  pip: fc.constantFrom('numpy', 'numpy>=1.26,<2', 'requests[socks]', 'torch==2.3.1+cpu', 'pkg; python_version > "3.8"', 'pkg ; extra == "x"', 'x', '1'),
  conda: fc.constantFrom('numpy', 'numpy=1.26', 'conda-forge::numpy>=1.20,<2', 'numpy=1.26=py311*', 'x', '1'),
};
const hostile = (manager: PackageManager) =>
  fc.array(fc.oneof(fc.constantFrom(...TRICKS), VALID_PIECES[manager]), { minLength: 1, maxLength: 6 }).map((pieces) => pieces.join(''));

const MANAGERS: PackageManager[] = ['apt', 'pip', 'conda'];

// Strings of the grammars, short enough to fit maxLength; the pip grammar writes a marker variable
// in its general shape, so PEP 508 ones are named instead.
const grammar = (name: keyof typeof PATTERNS) => fc.stringMatching(new RegExp(PATTERNS[name], 'u'), { size: 'xsmall' });
const FROM_GRAMMAR: Record<PackageManager, fc.Arbitrary<string>> = {
  apt: grammar('apt'),
  conda: grammar('conda'),
  pip: fc.tuple(grammar('pip'), fc.constantFrom(...PEP508_MARKER_VARIABLES)).map(([requirement, variable]) => {
    const marker = requirement.indexOf(';');
    return marker < 0 ? requirement : requirement.slice(0, marker) + requirement.slice(marker).replace(/[a-z]+(?:_[a-z]+)+/g, variable);
  }),
};

describe('for every package string the validator accepts, the build context is the same but for its list file', () => {
  for (const manager of MANAGERS) {
    test(`${manager}: strings generated from the grammar`, () => {
      let accepted = 0;
      fc.assert(fc.property(FROM_GRAMMAR[manager], (entry) => void (checkPackage(manager, entry) && accepted++)), { numRuns: 300 });
      assert.ok(accepted >= 150, `${accepted} of 300 generated strings were accepted: the generator still exercises the property`);
    });

    test(`${manager}: hostile strings built from known tricks (400 generated)`, () => {
      fc.assert(fc.property(hostile(manager), (entry) => void checkPackage(manager, entry)), { numRuns: 400 });
    });

    test(`${manager}: the curated tricks are all refused`, () => {
      for (const entry of HOSTILE_PACKAGES[manager]) assert.equal(checkPackage(manager, entry), false, JSON.stringify(entry));
    });
  }
});

test('for every base image the validator accepts, the build context differs only where the base image is named', () => {
  const images = fc.oneof(
    grammar('imageReference'),
    fc.array(fc.oneof(fc.constantFrom(...TRICKS), fc.constantFrom('python', ':3.11', 'quay.io/', 'a/b', '@sha256:' + 'a'.repeat(64))), { minLength: 1, maxLength: 5 }).map((p) => p.join('')),
  );
  let accepted = 0;
  fc.assert(
    fc.property(images, (baseImage) => {
      if (!accepts({ baseImage, packages: { pip: ['numpy'] } })) return;
      accepted++;
      assert.ok(!/[\s'"`$\\;|&#]/u.test(baseImage), 'no space, quote or shell character');
      assertSameScripts(render(baseImage, 'pip', 'numpy'), render(BASE_PLACEHOLDER, 'pip', 'numpy'), baseImage);
    }),
    { numRuns: 300 },
  );
  assert.ok(accepted > 50, `${accepted} of 300 generated base images were accepted`);
});
