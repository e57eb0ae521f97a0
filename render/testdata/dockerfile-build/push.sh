#!/bin/sh
# Push step of an imagespec build Pod (container "push"), rendered by imagespec-controller.
#
# It holds no registry credential. It streams the OCI layout the build step wrote, as one tar, to
# the controller's upload endpoint, authenticated by this Pod's own service account token
# (audience imagespec-upload, projected into this container only). The controller checks that the
# token belongs to this job's build Pod, pushes the image to the target it derives itself, with
# the credential only it holds, and answers with the digest, reported here as the termination
# message (`digest=sha256:...`). On failure the message starts with `reason=PushFailed`, then a
# summary and the controller's or curl's last words.
#
# The IMAGESPEC_* variables exist only to run this script outside a Pod (tests); the Pod sets none.
set -u

target_image='127.0.0.1:5000/team/own:0123456789ab'
upload_url=''

default_oci_layout='/imagespec/workspace/image'
default_upload_token='/imagespec/upload-token/token'
default_termination_log='/dev/termination-log'
oci_layout="${IMAGESPEC_OCI_LAYOUT:-$default_oci_layout}"
upload_token="${IMAGESPEC_UPLOAD_TOKEN_FILE:-$default_upload_token}"
termination_log="${IMAGESPEC_TERMINATION_LOG:-$default_termination_log}"
logs=$(mktemp -d)

say() { echo "imagespec: $*"; }

# fail LOG SUMMARY: the termination message Kubernetes reports, kept under its 4096 bytes.
fail() {
  say "$2 (reason PushFailed)" >&2
  {
    echo "reason=PushFailed"
    echo "$2"
    if [ -s "$1" ]; then tail -n 30 "$1" | tr -d '\000-\010\013-\037\177' | tail -c 3300; fi
  } > "$termination_log"
  exit 1
}

[ -n "$upload_url" ] || fail /dev/null "No upload URL was rendered into push.sh"
[ -s "$upload_token" ] || fail /dev/null "No service account token at $upload_token: the upload cannot be authenticated"
[ -f "$oci_layout/index.json" ] || fail /dev/null "The build step left no image at $oci_layout"

# A header file keeps the token off curl's command line.
printf 'Authorization: Bearer %s\n' "$(cat "$upload_token")" > "$logs/auth"

# upload: one attempt; prints the HTTP status (000 when there was no answer), returns curl's status.
upload() {
  { tar -C "$oci_layout" -cf - . 2> "$logs/tar.log"; echo "$?" > "$logs/tar.status"; } |
    curl --silent --show-error --connect-timeout 30 --expect100-timeout 300 \
      -H @"$logs/auth" -H 'Expect: 100-continue' -H 'Content-Type: application/x-tar' \
      -T - -o "$logs/response" -w '%{http_code}' "$upload_url" 2> "$logs/curl.log"
}

# The controller may be restarting (no answer, 503) or the registry briefly away (502, 504):
# a few attempts with growing pauses, then the last answer is the failure.
attempt=1
for pause in 2 5 10 0; do
  : > "$logs/response"
  say "uploading the image for $target_image to the controller (attempt $attempt)"
  http_status=$(upload)
  curl_status=$?
  case "$curl_status:$http_status" in
    0:200) break ;;
    0:502 | 0:503 | 0:504 | 7:* | 28:* | 52:* | 55:* | 56:*) ;;
    *) break ;;
  esac
  [ "$pause" = 0 ] && break
  say "upload answered ${http_status:-nothing} (curl status $curl_status); trying again in ${pause}s"
  sleep "$pause"
  attempt=$((attempt + 1))
done

if [ "$curl_status" != 0 ]; then
  cat "$logs/tar.log" "$logs/curl.log" > "$logs/failure.log"
  fail "$logs/failure.log" "Could not upload the image to the controller at $upload_url (curl status $curl_status)"
fi
if [ "$http_status" != 200 ]; then
  cat "$logs/response" "$logs/tar.log" > "$logs/failure.log"
  fail "$logs/failure.log" "The controller could not push the image to $target_image (HTTP $http_status)"
fi

digest=$(sed -n 's/^digest=\(sha256:[0-9a-f]\{64\}\)$/\1/p' "$logs/response")
[ -n "$digest" ] || fail "$logs/response" "The controller reported no digest for $target_image"

echo "digest=$digest" > "$termination_log"
say "pushed $target_image@$digest"
