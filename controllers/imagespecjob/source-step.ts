// The build Pod's download step, for a build context on an http(s) server
// (spec.build.context.url, kaniko-shim SOURCE_GET_URL). It runs after the context step and before
// the build step, downloads the archive, checks its size and its SHA-256 digest against the one the
// ImageSpec names, and unpacks it into the volume the build step mounts read-only at the source path.
//
// It holds no credential at all: no token, no Secret, no registry password; only the proxies and
// the spec.env the build step gets (the admin's and the allowed ones), since the archive is fetched
// from the same network as the packages are. The controller never contacts the URL. The step runs
// the push step's image (sh, curl, coreutils, tar; unzip or bsdtar for zip archives), and its
// script, like the context step's, is part of the Pod spec: short, fixed, the same for every build.

/** The container that downloads and unpacks the archive. */
export const SOURCE_CONTAINER = 'source';

/**
 * sh -c SCRIPT source URL SHA256 MAX_BYTES DIR TERMINATION_LOG. The archive's bytes stop at
 * MAX_BYTES + 1 whatever the server says, the digest is checked before anything is unpacked, and a
 * tar.gz or zip that would unpack to more than MAX_BYTES is refused before it is unpacked. The
 * kind of archive is told by its first bytes, not its name. What passes (a timeout, a reply cut
 * short, 408, 429, 5xx) is tried again from the start, three times in all, each download writing
 * the whole file anew; anything else is at once the failure. On failure the termination message is
 * `reason=<Archive...>`, a summary and the last words of curl, tar or unzip.
 *
 * curl reads no .curlrc (-q) and takes the URL as it is (-g: [] and {} are no ranges to expand);
 * the tools' option variables a tenant's spec.env could set are dropped; tar keeps no setuid bit.
 * Text goes out with printf, never echo, which would read backslashes in the URL.
 */
export const SOURCE_DOWNLOAD_SCRIPT = `set -u
unset TAR_OPTIONS UNZIP UNZIPOPT ZIPINFO ZIPINFOOPT CURL_HOME CURL_CA_BUNDLE GZIP
url=$1 expected=$2 max_bytes=$3 dir=$4 termination_log=$5
work=$(mktemp -d)
# The URL as messages show it: at most 300 characters, so the termination message keeps its reason.
shown=$(printf '%s' "$url" | cut -c 1-300)
say() { printf 'imagespec: %s\\n' "$*"; }
fail() {
  say "$3 (reason $1)" >&2
  {
    printf 'reason=%s\\n%s\\n' "$1" "$3"
    if [ -s "$2" ]; then tail -n 20 "$2" | tr -d '\\000-\\010\\013-\\037\\177' | tail -c 1500; fi
  } > "$termination_log"
  exit 1
}
limit_mib=$((max_bytes / 1048576))
attempt=1
for pause in 2 10 0; do
  say "downloading the build context archive from $shown (attempt $attempt)"
  {
    curl -q --globoff --silent --show-error --fail --location --max-redirs 5 --proto =http,https --proto-redir =http,https \\
      --connect-timeout 30 --max-time 900 --speed-limit 1024 --speed-time 60 --max-filesize "$max_bytes" \\
      --write-out '%{stderr}imagespec-http-status=%{http_code}\\n' "$url" 2> "$work/curl.out"
    echo $? > "$work/curl.status"
  } | head -c $((max_bytes + 1)) > "$work/archive"
  curl_status=$(cat "$work/curl.status")
  http_status=$(sed -n 's/^imagespec-http-status=//p' "$work/curl.out" | tail -n 1)
  grep -v '^imagespec-http-status=' "$work/curl.out" > "$work/curl.log"
  size=$(wc -c < "$work/archive")
  case "$curl_status:$http_status" in
    18:* | 28:* | 52:* | 55:* | 56:* | 22:408 | 22:429 | 22:500 | 22:502 | 22:503 | 22:504) ;;
    *) break ;;
  esac
  [ "$size" -gt "$max_bytes" ] && break
  [ "$pause" = 0 ] && break
  say "the download did not finish (curl status $curl_status, HTTP \${http_status:-none}); trying again in \${pause}s"
  sleep "$pause"
  attempt=$((attempt + 1))
done
if [ "$curl_status" = 63 ] || [ "$size" -gt "$max_bytes" ]; then
  fail ArchiveTooLarge /dev/null "The archive at $shown is larger than the $limit_mib MiB this cluster allows (IMAGESPEC_BUILD_CONTEXT_URL_MAX_MIB)"
fi
[ "$curl_status" = 0 ] || fail ArchiveDownloadFailed "$work/curl.log" "Could not download the build context archive from $shown (curl status $curl_status)"
actual=$(sha256sum "$work/archive" | cut -d ' ' -f 1)
if [ "$actual" != "$expected" ]; then
  fail ArchiveDigestMismatch /dev/null "The archive downloaded from $shown ($size bytes) has the digest sha256:$actual, not the sha256:$expected that spec.build.context.url.sha256 names; it was not used"
fi
say "the archive ($size bytes) has the digest sha256:$actual"
magic=$(head -c 4 "$work/archive" | od -A n -t x1 | tr -d ' \\n')
ustar=$(tail -c +258 "$work/archive" | head -c 5)
case "$magic" in
  1f8b*) kind=tar.gz ;;
  504b0304 | 504b0506) kind=zip ;;
  *) if [ "$ustar" = ustar ]; then kind=tar; else kind=unknown; fi ;;
esac
unzipper=''
if [ "$kind" = zip ]; then
  if command -v unzip > /dev/null; then unzipper=unzip; elif command -v bsdtar > /dev/null; then unzipper=bsdtar; fi
  [ -n "$unzipper" ] || fail ArchiveUnpackFailed /dev/null "The archive from $shown is a zip file, and the step's image (IMAGESPEC_PUSH_IMAGE) has neither unzip nor bsdtar; serve a tar.gz, or ask the administrator for an image with unzip"
fi
# The size it unpacks to, counted on the real bytes (a header can lie), at most max_bytes + 1.
unpacked_size() {
  case "$kind" in
    tar.gz) gzip -dc "$work/archive" ;;
    tar) cat "$work/archive" ;;
    zip) if [ "$unzipper" = unzip ]; then unzip -p "$work/archive"; else bsdtar -x -O -f "$work/archive"; fi ;;
  esac 2> /dev/null | head -c $((max_bytes + 1)) | wc -c
}
case "$kind" in
  unknown) fail ArchiveUnpackFailed /dev/null "The file at $shown is not a tar.gz, tar (ustar or pax) or zip archive (it starts with the bytes $magic)" ;;
esac
if [ "$(unpacked_size)" -gt "$max_bytes" ]; then
  fail ArchiveTooLarge /dev/null "The archive at $shown unpacks to more than the $limit_mib MiB this cluster allows (IMAGESPEC_BUILD_CONTEXT_URL_MAX_MIB)"
fi
case "$kind" in
  tar.gz) tar -x -z -o -m --no-same-permissions -f "$work/archive" -C "$dir" 2> "$work/unpack.log" ;;
  tar) tar -x -o -m --no-same-permissions -f "$work/archive" -C "$dir" 2> "$work/unpack.log" ;;
  zip) if [ "$unzipper" = unzip ]; then unzip -q -o "$work/archive" -d "$dir" > "$work/unpack.log" 2>&1; else bsdtar -x -o -f "$work/archive" -C "$dir" 2> "$work/unpack.log"; fi ;;
esac || fail ArchiveUnpackFailed "$work/unpack.log" "Could not unpack the $kind archive from $shown"
rm -f "$work/archive"
say "unpacked the $kind archive: $(ls -A "$dir" | head -n 20 | tr '\\n' ' ')"
`;
