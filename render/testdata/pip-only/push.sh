#!/bin/sh
# Push step of an imagespec build Pod (container "push"), rendered by imagespec-controller.
#
# The only step with the push Secret mounted. It copies the OCI layout the build step wrote to the
# target registry and reports the pushed manifest's digest as its termination message
# (`digest=sha256:...`). On failure the message starts with `reason=PushFailed`, then a summary and
# the last lines of skopeo's output.
#
# The IMAGESPEC_* variables exist only to run this script outside a Pod (tests); the Pod sets none.
set -u

target_image=''

default_context='/imagespec/context'
default_oci_layout='/imagespec/workspace/image'
default_push_authfile='/imagespec/push-secret/.dockerconfigjson'
default_termination_log='/dev/termination-log'
context_dir="${IMAGESPEC_CONTEXT_DIR:-$default_context}"
oci_layout="${IMAGESPEC_OCI_LAYOUT:-$default_oci_layout}"
push_authfile="${IMAGESPEC_PUSH_AUTHFILE:-$default_push_authfile}"
termination_log="${IMAGESPEC_TERMINATION_LOG:-$default_termination_log}"

export CONTAINERS_REGISTRIES_CONF="$context_dir/registries.conf"
policy="$context_dir/policy.json"
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

[ -n "$target_image" ] || fail /dev/null "No target image was rendered into push.sh"

if [ -f "$push_authfile" ]; then
  set -- --dest-authfile "$push_authfile"
else
  say "no push Secret mounted: pushing without credentials"
  set --
fi

say "pushing to $target_image"
{ skopeo copy --policy "$policy" --retry-times 3 --digestfile "$logs/digest" "$@" \
  "oci:$oci_layout:latest" "docker://$target_image" 2>&1; echo "$?" > "$logs/push.status"; } | tee "$logs/push.log"
[ "$(cat "$logs/push.status")" = 0 ] || fail "$logs/push.log" "Could not push the image to $target_image"

digest=$(cat "$logs/digest" 2>/dev/null)
case "$digest" in
  sha256:*) ;;
  *) fail "$logs/push.log" "skopeo reported no digest for $target_image" ;;
esac

echo "digest=$digest" > "$termination_log"
say "pushed $target_image@$digest"
