#!/usr/bin/env bash
# The project's one test command (npm test). Installs node_modules when missing, typechecks, starts real
# PostgreSQL, Ceph's RADOS Gateway and Redis (scripts/infra/up.sh), runs the tests with Node's test runner with
# the infra variables exported, stops what it started (also on failure or Ctrl-C), and exits with the
# test runner's exit code.
#   bash scripts/test.sh                          every test/**/*.test.ts (unit, integration, e2e)
#   bash scripts/test.sh test/unit/foo.test.ts    a subset
#   KEEP_INFRA=1 npm test      reuse/leave the infra of .data/test-infra.env running (stop: scripts/infra/down.sh)
#   TEST_DATABASE_URL=... TEST_S3_ENDPOINT=... (+ TEST_S3_* keys) npm test    use external infra, start nothing
#                              (+ TEST_REDIS_URL for the Redis-backed rate-limit tests; they fail without it)
#   SKIP_TYPECHECK=1           skip tsc for a quick local loop (CI never sets it)
#   TEST_TIMEOUT_MS=300000     per-test timeout
#   TEST_RUN_TIMEOUT_SECONDS=3600  deadline of the whole run (a hung file or a leaked handle fails it then)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

if [ ! -d node_modules ]; then
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi || exit 1
fi

# Typecheck first: it is the cheapest failure. Nothing to check before src/ has TypeScript in it.
if [ "${SKIP_TYPECHECK:-0}" = 1 ]; then
  echo "test: typecheck skipped (SKIP_TYPECHECK=1)" >&2
elif [ -z "$(find src -name '*.ts' -print -quit 2>/dev/null)" ]; then
  echo "test: no TypeScript in src/ yet; typecheck skipped" >&2
else
  npx tsc -p tsconfig.json --noEmit || { echo "test: typecheck failed" >&2; exit 1; }
  # The client SDK once more on its own, without Node's types: it must run in browsers too.
  npx tsc -p packages/client/tsconfig.json --noEmit || { echo "test: client SDK typecheck failed" >&2; exit 1; }
fi

# Whatever this run installs on a fresh machine (tools here, PostgreSQL, Redis and Ceph in up.sh) shares
# one apt-get update.
# shellcheck source=scripts/infra/apt.sh
. scripts/infra/apt.sh
share_apt_update

# Command-line tools some tests shell out to (kubectl, curl, jq; chromium for the browser tests), installed when missing.
if [ -f scripts/infra/ensure-tools.sh ]; then bash scripts/infra/ensure-tools.sh || exit 1; fi

if [ $# -gt 0 ]; then
  files=("$@")
else
  # Node 20's --test takes no globs: list the files ourselves, in a stable order.
  mapfile -t files < <(find test -name '*.test.ts' -not -path '*/node_modules/*' 2>/dev/null | sort)
fi
[ ${#files[@]} -gt 0 ] || { echo "test: no test files (test/**/*.test.ts) found" >&2; exit 1; }

# Infrastructure: kept (KEEP_INFRA=1) or this run's own; busy ports make up.sh fail with a clear message.
# shellcheck source=scripts/infra/run-infra.sh
. scripts/infra/run-infra.sh
owned=
ran=0
report=$(mktemp)
cleanup() {
  if [ -n "$owned" ]; then INFRA_ENV=$owned bash scripts/infra/down.sh; fi
  end_apt_update_share # this trap replaces share_apt_update's
  # Repeat the runner's summary last: the spec reporter prints failure details after it, and
  # down.sh's output comes after that.
  if [ "$ran" = 0 ]; then :
  elif grep -qE '^ℹ tests [0-9]+' "$report"; then
    echo; grep -E '^ℹ (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ' "$report" | tail -n 8
  else
    echo "test: the test runner printed no summary (interrupted or crashed)" >&2
  fi
  rm -f "$report"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -n "${TEST_DATABASE_URL:-}" ] && [ -n "${TEST_S3_ENDPOINT:-}" ]; then
  echo "test: using TEST_DATABASE_URL=$TEST_DATABASE_URL and TEST_S3_ENDPOINT=$TEST_S3_ENDPOINT from the environment" >&2
else
  if [ "${KEEP_INFRA:-0}" = 1 ]; then
    env_file=${INFRA_ENV:-.data/test-infra.env}
    INFRA_ENV=$env_file bash scripts/infra/up.sh --keep || exit 1
  else
    start_own_infra test || exit 1
  fi
  load_infra_env "$env_file"
fi

export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
# spec reporter also without a TTY (Node 20 would default to TAP), so the summary reads "ℹ tests N".
# --test-timeout bounds a single hung test. No --test-force-exit: it loses the verdicts a file's
# process had not yet handed over when it exits (nodejs/node#64833: fewer tests reported, exit 0).
# A file that leaks a handle (an unclosed pool after a failed before hook) would then keep the run
# waiting, so the whole run has a deadline instead, and says so when it passes (--foreground: Ctrl-C
# still reaches the runner).
ran=1
deadline=${TEST_RUN_TIMEOUT_SECONDS:-3600}
timeout --foreground --kill-after=30 "$deadline" node --import tsx --test --test-concurrency=1 --test-reporter=spec \
  --test-timeout="${TEST_TIMEOUT_MS:-300000}" "${files[@]}" 2>&1 | tee "$report"
status=${PIPESTATUS[0]}
if [ "$status" = 124 ] || [ "$status" = 137 ]; then
  echo "test: the run did not finish within ${deadline} s (TEST_RUN_TIMEOUT_SECONDS): a test file is hung or keeps a handle open; the last file started above is the one" >&2
fi
exit "$status"
