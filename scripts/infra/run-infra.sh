# Sourced by scripts/test.sh and scripts/bench.sh: the infrastructure steps both take.

# Starts PostgreSQL, Ceph's RADOS Gateway and Redis for this run only (scripts/infra/up.sh) into an env
# file of its own, so that concurrent runs and a developer's kept infrastructure are never stopped by
# mistake. Sets $owned first, so the caller's cleanup stops an interrupted start too.
start_own_infra() { # $1: what the run is, for the env file's name (test, bench)
  env_file=.data/$1-infra.run-$$.env
  owned=$env_file
  INFRA_ENV=$env_file bash scripts/infra/up.sh
}

# Exports the variables of an env file that up.sh wrote.
load_infra_env() {
  set -a
  # shellcheck disable=SC1090
  . "$1"
  set +a
}
