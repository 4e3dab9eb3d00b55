#!/usr/bin/env bash
# Installs the command-line tools the tests use beyond Node, when missing:
#   kubectl  renders deploy/kubernetes with `kubectl kustomize` (test/deploy). Debian's package is
#            kubernetes-client (kubectl 1.20); the manifests stay within its kustomize features.
#   curl, jq run the README's curl walkthrough as a user would (test/integration/curl-walkthrough.test.ts).
#   chromium the browser tests (test/e2e), through ensure-chromium.sh.
set -euo pipefail
missing=()
for pair in kubectl:kubernetes-client curl:curl jq:jq; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "ensure-tools: installing ${missing[*]} (Debian packages)" >&2
  # shellcheck source=scripts/infra/apt.sh
  . "$(dirname "$0")/apt.sh"
  apt_install "${missing[@]}" >/dev/null
fi

bash "$(dirname "$0")/ensure-chromium.sh"
