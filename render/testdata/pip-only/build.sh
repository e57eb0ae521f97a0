#!/bin/sh
# Build step of an imagespec build Pod (init container "build"), rendered by imagespec-controller.
#
# It never sees push credentials. It pulls the base image (with the ImageSpec's pull Secret when one
# is mounted), or first builds the ImageSpec's own Dockerfile from the context's source directory
# (spec.build) under the same pull rules; builds the package Dockerfile on top with buildah; and
# writes the image as an OCI layout to the volume shared with the push step. Everything is printed, so `kubectl logs POD -c build` shows the
# build. On failure the termination message starts with `reason=<Reason>`, followed by a summary
# and the last lines of the failing command's output.
#
# The IMAGESPEC_* variables exist only to run this script outside a Pod (tests); the Pod sets none.
set -u

base_image='docker.io/jupyter/base-notebook:2024-01-01'
local_image='localhost/imagespec/build:job'
isolation='chroot'
storage_driver='vfs'

default_context='/imagespec/context'
default_oci_layout='/imagespec/workspace/image'
default_storage_root='/var/lib/containers/storage'
default_pull_authfile='/imagespec/pull-secret/.dockerconfigjson'
default_termination_log='/dev/termination-log'
context_dir="${IMAGESPEC_CONTEXT_DIR:-$default_context}"
oci_layout="${IMAGESPEC_OCI_LAYOUT:-$default_oci_layout}"
storage_root="${IMAGESPEC_STORAGE_ROOT:-$default_storage_root}"
run_root="${IMAGESPEC_RUN_ROOT:-/run/containers/storage}"
pull_authfile="${IMAGESPEC_PULL_AUTHFILE:-$default_pull_authfile}"
termination_log="${IMAGESPEC_TERMINATION_LOG:-$default_termination_log}"
# The ImageSpec's own Dockerfile build (spec.build), when it has one: its context is source_dir, a
# directory of the fetched context (a ConfigMap's files), or the tenant's claim or the unpacked
# archive, mounted read-only.
source_enabled='false'
default_source='/imagespec/source'
source_path=''
source_root="${IMAGESPEC_SOURCE_DIR:-$default_source}"
if [ 'false' = true ]; then
  source_dir="$source_root${source_path:+/$source_path}"
else
  source_dir="$context_dir/source"
fi
dockerfile=''
target=''

export CONTAINERS_REGISTRIES_CONF="$context_dir/registries.conf"
policy="$context_dir/policy.json"
logs=$(mktemp -d)
# A name of its own, so that builds sharing one storage (a node-wide layer cache) never meet.
local_image="$local_image-$(basename "$logs" | tr -c 'A-Za-z0-9_.\n-' '_')"

say() { echo "imagespec: $*"; }

# tail_of LOG: the last lines worth reading. buildah's step headers repeat the whole (long) RUN
# instruction, which would crowd the actual error out of the 4 KiB termination message.
tail_of() {
  grep -v -E '^(STEP [0-9]+/[0-9]+: |--> |subprocess exited with status )' "$1" |
    sed -E 's/^(Error: )?(building at STEP ".{60}).+(": [^"]*)$/\1\2...\3/' |
    tail -n 30 | tr -d '\000-\010\013-\037\177' | tail -c 3300
}

# fail REASON LOG SUMMARY: the termination message Kubernetes reports, kept under its 4096 bytes.
fail() {
  say "$3 (reason $1)" >&2
  {
    echo "reason=$1"
    echo "$3"
    if [ -s "$2" ]; then tail_of "$2"; fi
  } > "$termination_log"
  exit 1
}

# logged LOG COMMAND...: runs COMMAND, showing its output and keeping a copy in LOG; returns its status.
logged() {
  log=$1
  shift
  { "$@" 2>&1; echo "$?" > "$log.status"; } | tee "$log"
  return "$(cat "$log.status")"
}

buildah() {
  command buildah --root "$storage_root" --runroot "$run_root" --storage-driver "$storage_driver" "$@"
}

# The install step that failed, told by the list file its RUN instruction reads.
failed_step_reason() {
  step=$(grep -E '^(Error: )?(error )?building at STEP "' "$1" | tail -n 1)
  [ -n "$step" ] || step=$(grep -E '^STEP [0-9]+/[0-9]+: ' "$1" | tail -n 1)
  case "$step" in
    *RUN*requirements.txt*) echo PipInstallFailed ;;
    *RUN*conda.txt*) echo CondaInstallFailed ;;
    *RUN*apt.txt*) echo AptInstallFailed ;;
    *) echo BuildFailed ;;
  esac
}

# The exit status of the failed RUN step, as buildah reports it on its last line
# (`Error: building at STEP "RUN ...": exit status 93`); empty when buildah says none.
failed_step_status() {
  grep -E '^(Error: )?(error )?building at STEP "' "$1" | tail -n 1 | sed -n -E 's/.*: exit status ([0-9]+)$/\1/p'
}

# STATUS: "<Reason> <list file> <sentence>" for the causes the install steps recognise and exit with
# a code of their own (see the Dockerfile template); nothing for any other status.
explain_step_status() {
  case "$1" in
    90) echo 'AptInstallFailed apt.txt apt packages were requested, but the base image has no apt-get (it is not Debian or Ubuntu based); choose a Debian or Ubuntu based image or remove the apt packages' ;;
    91) echo 'AptInstallFailed apt.txt apt-get update could not download the package lists of the base image (network, proxy, or the apt sources of the base image)' ;;
    92) echo 'AptInstallFailed apt.txt apt-get could not install the apt packages: a name or version may not exist in the release of the base image' ;;
    93) echo 'CondaInstallFailed conda.txt conda packages were requested, but the base image has no conda on its PATH; choose a base image with conda (for example a Miniforge or Jupyter image) or install these packages with pip' ;;
    94) echo 'CondaInstallFailed conda.txt conda could not install the conda packages: a name, version or channel may not exist' ;;
    95) echo 'PipInstallFailed requirements.txt pip packages were requested, but the base image has no pip; add python3-pip to the apt packages or choose a Python base image' ;;
    96) echo 'PipInstallFailed requirements.txt pip could not install the pip packages: a name or version may not exist, or a package failed to build' ;;
  esac
}

# The packages a list file asks for, on one line, bounded: the message names them even when the
# package manager's own error never reached the log.
requested_in() {
  if [ -f "$context_dir/$1" ]; then
    printf 'Requested (%s): %s\n' "$1" "$(tr '\n' ' ' < "$context_dir/$1" | cut -c 1-600 | sed 's/ *$//')"
  fi
}

summary_of() {
  case "$1" in
    AptInstallFailed) echo "Installing the apt packages failed" ;;
    CondaInstallFailed) echo "Installing the conda packages failed" ;;
    PipInstallFailed) echo "Installing the pip packages failed" ;;
    *) echo "Building the image failed" ;;
  esac
}

# Options of every pull: the pull Secret and the CA bundle. Their paths hold no spaces.
pull_options=''
if [ -f "$pull_authfile" ]; then
  pull_options="--authfile $pull_authfile"
  say "using the pull Secret for the base image"
fi

# The admin's CA bundle (IMAGESPEC_REGISTRY_CA_FILE), trusted besides the system's for the pull.
if [ -f "$context_dir/registry-ca.crt" ]; then
  mkdir -p "$logs/certs"
  cp -L "$context_dir/registry-ca.crt" "$logs/certs/ca.crt"
  pull_options="$pull_options --cert-dir $logs/certs"
  say "trusting the registry CA bundle"
fi

# Proxies (IMAGESPEC_BUILD_*_PROXY, spec.env) reach this step as its environment: the pull uses
# them, and buildah --http-proxy hands them to the RUN steps without writing them into the image.
proxies=$(env | sed -n -E 's/^(HTTPS?_PROXY|NO_PROXY)=.*/\1/p' | sort | tr '\n' ' ')
[ -z "$proxies" ] || say "using the build environment's ${proxies% }"

# The layer cache (IMAGESPEC_BUILD_REGISTRY_CACHE), at the build endpoint: buildah pulls each step's
# cached layer instead of running the step (--cache-from) and pushes the layers it built
# (--cache-to), with this Pod's token for the cache, which opens this namespace's cache and nothing
# else. The token goes into a Docker config of its own, which buildah reads after the pull Secret.
cache_options=''
cache_repository=''
cache_registry=''
default_cache_token='/imagespec/cache-token/token'
cache_token_file="${IMAGESPEC_CACHE_TOKEN:-$default_cache_token}"
if [ -n "$cache_repository" ]; then
  if [ -s "$cache_token_file" ]; then
    mkdir -p "$logs/cache-auth"
    cache_auth=$(printf 'imagespec-build:%s' "$(cat "$cache_token_file")" | base64 | tr -d '\n')
    printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$cache_registry" "$cache_auth" > "$logs/cache-auth/config.json"
    export DOCKER_CONFIG="$logs/cache-auth"
    # The endpoint is inside the cluster: never through a proxy.
    export NO_PROXY="${NO_PROXY:+$NO_PROXY,}${cache_registry%%:*}" no_proxy="${no_proxy:+$no_proxy,}${cache_registry%%:*}"
    cache_options="--cache-from $cache_repository --cache-to $cache_repository"
    say "using the layer cache $cache_repository"
  else
    say "no token for the layer cache at $cache_token_file: building without it"
  fi
fi

# Build arguments (spec.buildArgs): one NAME=value per line of the list file, each line passed as
# one argument of its own, never read by the shell.
set --
if [ -f "$context_dir/build-args.txt" ]; then
  while IFS= read -r build_arg || [ -n "$build_arg" ]; do
    set -- "$@" --build-arg "$build_arg"
  done < "$context_dir/build-args.txt"
  say "passing $(($# / 2)) build arguments"
fi

if [ "$source_enabled" = true ]; then
  # The ImageSpec's own Dockerfile (spec.build), built first; the packages go on top of its image.
  [ -d "$source_dir" ] ||
    fail DockerfileNotFound /dev/null "The path $source_path () is not a directory of the , which holds: $(ls -A "$source_root" | head -n 20 | tr '\n' ' ')"
  [ -f "$source_dir/$dockerfile" ] ||
    fail DockerfileNotFound /dev/null "The Dockerfile $dockerfile (spec.build.dockerfile) is not in the build context, which holds: $(ls -A "$source_dir" | head -n 20 | tr '\n' ' ')"
  base_image="$local_image-source"
  # buildah's layer cache keys a RUN step on its text, not on the files a RUN --mount binds: with
  # storage kept between builds (IMAGESPEC_BUILD_CACHE), an edited file would be served from a stale
  # layer. A Dockerfile that mentions --mount anywhere is built without the layer cache.
  layers=true
  if grep -q -F -e '--mount' "$source_dir/$dockerfile"; then
    layers=false
    say "the Dockerfile uses RUN --mount: building it without the layer cache"
  fi
  say "building $dockerfile${target:+ (stage $target)} from the build context"
  # --pull=always, like the base image's pull below: every FROM image is asked of its registry
  # with this build's own credentials, even when a shared layer cache already holds it.
  # $pull_options unquoted: a list of words, none with a space.
  if ! logged "$logs/source.log" buildah bud --isolation "$isolation" --layers="$layers" --pull=always --http-proxy=true \
    --signature-policy "$policy" $pull_options $cache_options "$@" ${target:+--target "$target"} \
    --file "$source_dir/$dockerfile" --tag "$base_image" "$source_dir"; then
    if grep -q -E '^(Error: )?creating build container: ' "$logs/source.log"; then
      fail BaseImagePullFailed "$logs/source.log" "Could not pull an image the Dockerfile $dockerfile names in FROM"
    fi
    fail BuildFailed "$logs/source.log" "Building the Dockerfile $dockerfile failed"
  fi
else
  say "pulling base image $base_image"
  # --policy always: with storage kept between builds (IMAGESPEC_BUILD_CACHE) the base image may
  # already be there, pulled by another build with other credentials; asking the registry every
  # time keeps a private base image private (layers already present are not downloaded again).
  # $pull_options unquoted: a list of words, none with a space.
  logged "$logs/pull.log" buildah pull --policy always --signature-policy "$policy" $pull_options "$base_image" ||
    fail BaseImagePullFailed "$logs/pull.log" "Could not pull the base image $base_image"
fi

# Like PrimeHub: the built image keeps the base image's user (the Dockerfile switches to root to install).
base_user=$(buildah inspect --type image --format '{{.OCIv1.Config.User}}' "$base_image" 2>"$logs/inspect.log") ||
  fail BuildFailed "$logs/inspect.log" "Could not read the configuration of the base image $base_image"
[ -n "$base_user" ] || base_user=root
say "the image will run as user $base_user, like its base image"

# Only the Dockerfile and the list files form the build context (the mounted context holds
# symlinks and the scripts, which the build must neither see nor depend on).
build_context="$logs/context"
mkdir -p "$build_context"
packages=''
for file in Dockerfile apt.txt conda.txt requirements.txt; do
  if [ -e "$context_dir/$file" ]; then cp -L "$context_dir/$file" "$build_context/$file"; fi
  if [ -e "$context_dir/$file" ] && [ "$file" != Dockerfile ]; then packages=yes; fi
done
if [ "$source_enabled" = true ]; then
  set -- "$@" --build-arg "IMAGESPEC_SOURCE_IMAGE=$base_image"
fi

if [ "$source_enabled" = true ] && [ -z "$packages" ]; then
  say "no packages to add: the image is the Dockerfile's"
  logged "$logs/tag.log" buildah tag "$base_image" "$local_image" ||
    fail BuildFailed "$logs/tag.log" "Could not name the image built from the Dockerfile"
else
  say "building"
  if ! logged "$logs/build.log" buildah bud --isolation "$isolation" --layers --pull=never --http-proxy=true \
    --signature-policy "$policy" $cache_options "$@" --build-arg "IMAGESPEC_USER=$base_user" \
    --file "$build_context/Dockerfile" --tag "$local_image" "$build_context"; then
    explained=$(explain_step_status "$(failed_step_status "$logs/build.log")")
    if [ -n "$explained" ]; then
      # The step said why with its exit code: that holds even if its own output was lost.
      reason=${explained%% *}
      explained=${explained#* }
      list_file=${explained%% *}
      sentence=${explained#* }
      # The step's own copy of the sentence, if it reached the log, would only repeat the summary.
      { requested_in "$list_file"; grep -v -F -x "imagespec: $sentence" "$logs/build.log"; } > "$logs/explained.log"
      fail "$reason" "$logs/explained.log" "$(summary_of "$reason"): $sentence"
    fi
    reason=$(failed_step_reason "$logs/build.log")
    fail "$reason" "$logs/build.log" "$(summary_of "$reason")"
  fi
fi

say "writing the image to $oci_layout for the push step"
rm -rf "$oci_layout"
mkdir -p "$(dirname "$oci_layout")"
logged "$logs/export.log" buildah push --signature-policy "$policy" "$local_image" "oci:$oci_layout:latest" ||
  fail BuildFailed "$logs/export.log" "Could not write the built image to the volume shared with the push step"

say "build finished"
