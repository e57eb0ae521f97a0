// Known tricks against package lists, each of which must be refused: options, removal markers,
// URLs and paths, archive files, comments, expansions, line continuations, control and
// bidirectional characters, look-alike letters, malformed requirements. Shared by the validator's
// tests and the rendering property tests.
import type { PackageManager } from '../packages.ts';

const CONTROL_AND_BIDI = ['\n', '\r', '\r\n', '\t', '\u0000', '\u000b', '\u000c', '\u001b[2J', '\u007f', '\u0085', '\u009b', '\u2028', '\u2029', '\u202e', '\u202a', '\u2066', '\u2069', '\u200e', '\u200f', '\u200b', '\ufeff', '\u00a0'];

/** `base` with each control or bidirectional character inserted at its end and in its middle. */
function withControls(base: string): string[] {
  const middle = Math.floor(base.length / 2);
  return CONTROL_AND_BIDI.flatMap((c) => [`${base}${c}`, `${base.slice(0, middle)}${c}${base.slice(middle)}`]);
}

export const HOSTILE_PACKAGES: Record<PackageManager, readonly string[]> = {
  apt: [
    // options
    '-o', '-oAPT::Get::AllowUnauthenticated=true', '-o=Dpkg::Options::=--force-all', '--allow-unauthenticated', '--allow-downgrades',
    '--reinstall', '-s', '--purge', '-t unstable', '-tunstable', '--target-release=sid', '-y', '--fix-broken', '-f',
    '-c /tmp/apt.conf', '--config-file=/tmp/x', ' -o', 'curl -o Acquire::http::Proxy=http://evil', '-', '--',
    // a trailing "-" removes the package
    'coreutils-', 'curl=7.88.1-', 'ca-certificates/bookworm-', 'libc6:amd64-', 'curl-=7.88', 'sudo-', 'dpkg--', 'curl- ', 'curl=1:2.3-1-',
    // paths, URLs, local .deb files
    './local.deb', '/tmp/x.deb', 'x.deb', '../x', 'http://evil/x.deb', 'file:/x', '/', '.', 'curl/', '~/x',
    // shell, quotes, comments, globs
    'curl; rm -rf /', 'curl && id', 'curl|sh', '$(id)', '`id`', 'curl > /etc/passwd', '${IFS}', "curl'", 'curl"', 'curl\\',
    'curl*', 'lib?', 'curl!', '{a,b}', 'curl#x', '#comment', 'curl #x', 'curl "x"', 'curl(1)', 'curl<x',
    // two packages in one entry
    'curl git', 'curl  git',
    // look-alike letters and invisible characters
    '\u0441url', 'cur\u04cf', 'ｃｕｒｌ',
    // not an apt package
    'Curl', 'c', 'curl=', 'curl:', 'curl=:1', 'curl:amd64:i386', 'curl==1', 'curl=1=2', 'curl/bookworm/x', '', '   ', 'a'.repeat(300),
    ...withControls('curl'),
  ],
  pip: [
    // options, anywhere on the line
    '-r /etc/passwd', '-rrequirements.txt', '--requirement=/etc/passwd', '-c constraints.txt', '--constraint x', '-e .',
    '-e git+https://github.com/x/y', '--editable=.', '--index-url=http://evil/simple', '-i http://evil', '--extra-index-url http://evil',
    '--find-links=/tmp', '-f http://evil', '--trusted-host evil', '--pre', '--no-binary :all:', '--only-binary=:none:', '--prefer-binary',
    '--require-hashes', '--hash=sha256:abc', 'pkg --hash=sha256:abc', 'pkg --global-option=--x', 'pkg --install-option=--prefix=/tmp',
    'pkg --config-settings=x=y', 'pkg --pre', 'pkg  -e .', 'pkg >= -1', '-', '--', ' -e .',
    // URLs, direct references, VCS, paths
    'pkg @ https://evil/pkg.whl', 'pkg@https://evil/x.whl', 'pkg @ file:///etc/passwd', 'pkg@file:/tmp/x', 'https://evil/pkg.whl',
    'http://evil/x.tar.gz', 'git+https://github.com/x/y', 'git+ssh://git@github.com/x/y', 'hg+https://x/y', 'svn+https://x/y',
    'file:///tmp/pkg', 'pkg[extra] @ https://x/y', 'pkg; python_version > "3" @ https://x', './local', '../x', '/tmp/pkg', '.', '..',
    '~/pkg', 'pkg/sub', 'C:\\pkg', './pkg-1.0.tar.gz',
    // archive file names pip would install from a local path
    'pkg-1.0.tar.gz', 'x.whl', 'numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.whl', 'pkg.zip', 'pkg.tar.bz2', 'pkg.egg', 'pkg.conda',
    'pkg.tgz', 'pkg.tar', 'pkg.tar.xz', 'pkg.TAR.GZ', 'pkg.Whl', 'x.whl[extra]', 'x.whl==1.0', 'pkg==1.0.zip', 'pkg.tar.lzma', 'pkg.txz',
    'pkg.tbz2', 'x.whl; python_version > "3"',
    // comments that could hide text
    '#pkg', 'pkg #comment', 'pkg#x', 'pkg; python_version > "3" # hidden', 'pkg; extra == "#x"', 'pkg # -e .',
    // expansions, shell characters, line continuations
    '${HOME}', '$HOME', 'pkg${IFS}x', 'pkg==${VERSION}', '$(id)', '`id`', 'pkg|sh', 'pkg&&id', 'pkg;id', 'pkg; rm -rf /', 'pkg & id',
    'pkg > /etc/passwd', 'pkg{a,b}', 'pkg \\', 'pkg\\', 'pkg\\\n--pre', '\\x41',
    // environment markers that are not PEP 508 comparisons of marker variables and quoted strings
    'pkg; os.system("id")', 'pkg; __import__("os")', 'pkg; python_version > "3" or 1', 'pkg; python_version > 3', 'pkg; python_version > "3" and',
    'pkg; (python_version > "3"', 'pkg; python_version > "3")', 'pkg; python_version > "3 -e ."', 'pkg; python_version > "3" -e .',
    'pkg; extra == "a b"', 'pkg; extra == "$HOME"', 'pkg; extra == "\\"', 'pkg; extra == "x\'', 'pkg; foo == "x"', 'pkg; python_version ~ "3"',
    'pkg; python_version > "3"; os_name == "nt"', 'pkg;;', 'pkg;', '; python_version > "3"', 'pkg; extra == "a" andos_name == "b"',
    'pkg; ((python_version > "3"))', 'pkg; python_version in', 'pkg; "3" "4"', 'pkg; and == "x"', 'pkg; python_version>"3"and os_name=="nt"',
    'pkg; Python_Version > "3"', 'pkg; python_version > "3" && os_name == "nt"', 'pkg; python_version > "3" || 1', 'pkg; python_version > "`id`"',
    // malformed requirements
    'pkg"', "'pkg'", '"pkg"', 'pkg=1.0', 'pkg==', 'pkg[', 'pkg[]', 'pkg]', 'pkg[a b]', 'pkg>=1.0,', 'pkg,', 'pkg,,1', 'pkg>>1', 'pkg===',
    'pkg (>=1.0)', 'pkg==1.0 .post1', '', '   ', 'a'.repeat(300), 'nump\u0443', 'ｎｕｍｐｙ',
    ...withControls('numpy>=1.26'),
  ],
  conda: [
    // options
    '-c conda-forge', '--channel=http://evil', '--file=/etc/passwd', '--override-channels', '-n base', '--prefix=/', '--force-reinstall',
    '-y', '--offline', '--use-local', '--insecure', '-', ' -c x',
    // URLs, paths, explicit files
    'https://evil/numpy.tar.bz2', 'https://evil::numpy', 'file:///tmp/x.conda', './pkg.tar.bz2', '/tmp/pkg.conda', '../x', '~/x',
    '@EXPLICIT', 'numpy@1.0', 'http://conda.anaconda.org/conda-forge::numpy', '/abs/path::numpy',
    // archive file names conda would install from a local path
    'numpy-1.26.4-py311h64a7726_0.tar.bz2', 'x.conda', 'pkg.tar.bz2', 'pkg=1.0.conda', 'x.zip', 'x.whl', 'X.CONDA', 'pkg=1.0=0.tar.bz2',
    // forms that need quotes, alternatives or spaces
    'numpy 1.26 py311*', "numpy[version='>=1.20']", 'numpy[version=">=1.20"]', 'numpy>=1.20|<0.5', 'numpy 1.26', 'numpy[build=py311*]',
    // shell, quotes, comments
    'numpy; rm -rf /', '$(id)', '`id`', 'numpy&&id', 'numpy|sh', 'numpy#x', '#numpy', "numpy'", '"numpy"', 'numpy\\', '{a,b}', 'numpy()',
    'numpy # comment', 'numpy$x',
    // look-alike letters
    'n\u0443mpy',
    // not a match spec
    'numpy=', 'numpy==', '::numpy', 'conda-forge::', 'numpy=1.26=', 'numpy,', '', '  ', 'a'.repeat(300), 'numpy>=1.20,', 'numpy=1.26=py311*=x',
    ...withControls('numpy=1.26'),
  ],
};
