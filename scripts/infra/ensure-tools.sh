#!/usr/bin/env bash
# Installs the command-line tools the tests use beyond Node, when missing:
#   kubectl  renders deploy/kubernetes with `kubectl kustomize` (test/deploy). Debian's package is
#            kubernetes-client (kubectl 1.20); the manifests stay within its kustomize features.
#   chromium the browser tests (test/e2e), through ensure-chromium.sh.
set -euo pipefail
if ! command -v kubectl >/dev/null 2>&1; then
  echo "ensure-tools: installing kubectl (Debian package kubernetes-client)" >&2
  # shellcheck source=scripts/infra/apt.sh
  . "$(dirname "$0")/apt.sh"
  apt_install kubernetes-client >/dev/null
fi

bash "$(dirname "$0")/ensure-chromium.sh"
