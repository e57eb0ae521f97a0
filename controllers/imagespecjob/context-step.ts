// The build Pod's first step: it fetches the build context (Dockerfile, package lists, scripts)
// from the controller, which renders it for this job, and unpacks it into the context volume the
// build and push steps mount read-only. The context used to travel in the Pod's annotations; it
// made every build Pod about 25 KB, and every list, watch event and cache fill of Pods carried it.
//
// The step runs the push step's image (it has sh, curl and tar) and holds only the Pod's own
// token for the controller (audience imagespec-upload). Its script cannot come with the context it
// fetches, so it is part of the Pod spec: short, fixed, and the same for every build.

/** The container that fetches the context. */
export const CONTEXT_CONTAINER = 'context';

/**
 * sh -c SCRIPT context URL TOKEN_FILE DIR TERMINATION_LOG. Every build starts here, so the step
 * waits out what passes: no answer or an unknown name while the controller restarts or rolls, a
 * reply cut short, 502-504 (503 also when the API server could not check the token), and a 404
 * from a replica of an earlier version that knows only uploads ("Not an upload path") during a
 * rolling upgrade. It tries for about three and a half minutes with growing pauses; anything else
 * is at once the failure. On failure the termination message is `reason=ContextFetchFailed`, a
 * summary and the last words of curl, the controller or tar; `reason=ContextChanged` when the
 * controller answers 412: the context (a ConfigMap) no longer holds this revision's content.
 */
export const CONTEXT_FETCH_SCRIPT = `set -u
url=$1 token_file=$2 dir=$3 termination_log=$4
work=$(mktemp -d)
say() { echo "imagespec: $*"; }
reason=ContextFetchFailed
fail() {
  say "$2 (reason $reason)" >&2
  {
    echo "reason=$reason"
    echo "$2"
    if [ -s "$1" ]; then tail -n 20 "$1" | tr -d '\\000-\\010\\013-\\037\\177' | tail -c 2000; fi
  } > "$termination_log"
  exit 1
}
[ -s "$token_file" ] || fail /dev/null "No service account token at $token_file: the build context cannot be fetched"
printf 'Authorization: Bearer %s\\n' "$(cat "$token_file")" > "$work/auth"
attempt=1
for pause in 2 5 10 20 30 30 30 60 0; do
  say "fetching the build context from the controller (attempt $attempt)"
  http_status=$(curl --silent --show-error --connect-timeout 30 --max-time 120 -H @"$work/auth" -o "$work/answer" -w '%{http_code}' "$url" 2> "$work/curl.log")
  curl_status=$?
  case "$curl_status:$http_status" in
    0:200) break ;;
    0:502 | 0:503 | 0:504 | 6:* | 7:* | 18:* | 28:* | 52:* | 55:* | 56:*) ;;
    0:404) grep -q '^Not an upload path' "$work/answer" || break ;;
    *) break ;;
  esac
  [ "$pause" = 0 ] && break
  say "the controller answered \${http_status:-nothing} (curl status $curl_status); trying again in \${pause}s"
  sleep "$pause"
  attempt=$((attempt + 1))
done
[ "$curl_status" = 0 ] || fail "$work/curl.log" "Could not fetch the build context from the controller at $url (curl status $curl_status)"
[ "$http_status" = 412 ] && reason=ContextChanged
[ "$http_status" = 200 ] || fail "$work/answer" "The controller did not give the build context (HTTP $http_status)"
tar -x -o -m -f "$work/answer" -C "$dir" 2> "$work/tar.log" || fail "$work/tar.log" "Could not unpack the build context"
say "fetched the build context:" $(ls "$dir")
`;
