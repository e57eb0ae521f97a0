#!/usr/bin/env bash
# Installs the system packages the local cluster, the node and the builds need (Debian 12).
# Go (to compile Kubernetes) and npm come with the machine; Node 26 comes with `npm ci` (its binary needs libatomic1).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(
  buildah skopeo runc containerd containernetworking-plugins docker-registry
  etcd-server etcd-client debootstrap apache2-utils openssl ca-certificates iproute2
  libatomic1 binutils curl unzip
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v go >/dev/null || { echo "Go is required to compile the local cluster; install Go 1.25 or newer" >&2; exit 1; }
echo "System packages ready ($(go version | cut -d' ' -f3), $(buildah --version | cut -d' ' -f1-3))"
