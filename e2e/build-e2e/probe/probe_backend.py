"""A PEP 517 build backend that, while pip builds it inside an image build, looks for registry
credentials everywhere a RUN step can see: every file, every process's environment and command
line. It fails the build (so pip, and the build, fail) when it finds any; otherwise it builds an
empty wheel and prints what it searched. The secrets it looks for come from probe_secrets.py,
stored split so that no file of the probe itself contains them."""

import base64
import hashlib
import os
import sys
import zipfile

import probe_secrets

NAME = "imagespec_credential_probe"
VERSION = "1.0"
MAX_FILE_BYTES = 8 * 1024 * 1024
SKIPPED_TREES = ("/proc", "/sys", "/dev")  # kernel views, not files a build could leave
CREDENTIAL_FILE_SUFFIXES = (".docker/config.json", "containers/auth.json", ".dockerconfigjson")


def log(message):
    print("imagespec-credential-probe: " + message, file=sys.stderr, flush=True)


def secrets():
    return [(label, "".join(parts).encode()) for label, parts in probe_secrets.SECRETS]


def contains_secret(data, found, where):
    for label, secret in secrets():
        if secret and secret in data:
            found.append(label + " in " + where)


def scan_files(root, found):
    count = 0
    probe_dir = os.path.dirname(os.path.abspath(__file__))
    for directory, subdirs, files in os.walk(root):
        if root == "/" and directory in SKIPPED_TREES:
            subdirs[:] = []
            continue
        for name in files:
            path = os.path.join(directory, name)
            if path.endswith(CREDENTIAL_FILE_SUFFIXES):
                found.append("credential file " + path)
            if directory == probe_dir or os.path.islink(path) or not os.path.isfile(path):
                continue
            try:
                if os.path.getsize(path) > MAX_FILE_BYTES:
                    continue
                with open(path, "rb") as handle:
                    contains_secret(handle.read(), found, path)
                count += 1
            except OSError:
                pass
    return count


def scan_processes(found):
    count = 0
    for pid in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not pid.isdigit():
            continue
        for part in ("environ", "cmdline"):
            try:
                with open("/proc/" + pid + "/" + part, "rb") as handle:
                    contains_secret(handle.read(), found, "/proc/" + pid + "/" + part)
            except OSError:
                continue
        count += 1
    return count


def probe():
    found = []
    root = os.environ.get("IMAGESPEC_PROBE_ROOT", "/")
    files = scan_files(root, found)
    processes = scan_processes(found)
    contains_secret("\0".join(k + "=" + v for k, v in os.environ.items()).encode(), found, "the environment")
    if found:
        log("FOUND registry credentials: " + "; ".join(found))
        raise SystemExit(1)
    report = "scanned %d files and %d processes under %s: no registry credentials found" % (files, processes, root)
    log(report)
    return report


def record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (path, digest, len(data))


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    # pip hides a successful build's output, so the report travels in the wheel into the image.
    report = probe()
    dist_info = "%s-%s.dist-info" % (NAME, VERSION)
    files = {
        NAME + "/__init__.py": b"",
        NAME + "/report.txt": (report + "\n").encode(),
        dist_info + "/METADATA": ("Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (NAME, VERSION)).encode(),
        dist_info + "/WHEEL": b"Wheel-Version: 1.0\nGenerator: probe\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = [record_line(path, data) for path, data in files.items()] + [dist_info + "/RECORD,,"]
    files[dist_info + "/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel_name = "%s-%s-py3-none-any.whl" % (NAME, VERSION)
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w") as wheel:
        for path, data in files.items():
            wheel.writestr(path, data)
    return wheel_name


def get_requires_for_build_wheel(config_settings=None):
    return []


if __name__ == "__main__":
    probe()
