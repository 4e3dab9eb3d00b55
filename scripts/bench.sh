#!/usr/bin/env bash
# The benchmark (npm run bench): createAssetUpload and asset(id) throughput and latency against real
# PostgreSQL and S3, next to a trivial route as the machine's floor. Not a test: see bench/README.md.
# Infrastructure, in this order:
#   TEST_DATABASE_URL + TEST_S3_ENDPOINT (+ TEST_S3_*) in the environment   use them, start nothing
#   .data/test-infra.env answers (npm test's kept infra, KEEP_INFRA=1)        reuse it, never stop it
#   otherwise                                                                start PostgreSQL + Ceph RGW
#                                                                            (scripts/infra/up.sh) and stop
#                                                                            them again, also on failure/Ctrl-C
# Knobs (bench/README.md): BENCH_SECONDS (20), BENCH_WARMUP_SECONDS (5), BENCH_CONNECTIONS (64),
#   BENCH_USERS (5), BENCH_READ_ASSETS (1000), BENCH_SCENARIOS (floor,create,read), BENCH_PROFILE (1: CPU
#   profile of the service), BENCH_SERVICE_ENV ("DATABASE_POOL_MAX=40,...": service settings to compare).
set -uo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ]; then
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi || exit 1
fi

# shellcheck source=scripts/infra/run-infra.sh
. scripts/infra/run-infra.sh
shared_env=.data/test-infra.env
owned=
cleanup() { if [ -n "$owned" ]; then INFRA_ENV=$owned bash scripts/infra/down.sh; fi; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Both services of an env file answer: the gateway with any HTTP response, PostgreSQL to a query.
answers() (
  # shellcheck disable=SC1090
  . "$1"
  curl -s -o /dev/null --max-time 3 "$TEST_S3_ENDPOINT/" && "${PGBIN:-/usr/bin}/psql" "$TEST_DATABASE_URL" -qtAc 'select 1' >/dev/null 2>&1
)

if [ -n "${TEST_DATABASE_URL:-}" ] && [ -n "${TEST_S3_ENDPOINT:-}" ]; then
  echo "bench: using TEST_DATABASE_URL and TEST_S3_ENDPOINT from the environment" >&2
else
  if [ -f "$shared_env" ] && answers "$shared_env"; then
    echo "bench: reusing the running test infrastructure of $shared_env (left running)" >&2
    env_file=$shared_env
  else
    start_own_infra bench || exit 1
  fi
  load_infra_env "$env_file"
fi

export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
node --import tsx bench/run.ts
