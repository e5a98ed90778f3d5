#!/usr/bin/env bash
# Runs foldwise's tests with node's test runner: unit tests beside the code, then the integration,
# end-to-end, fault, browser and multi-host rehearsal suites under test/ against the local stack (started here if
# needed; the rehearsal brings its own Temporal server on PostgreSQL, see test/rehearsal).
# Usage: scripts/test.sh [all|unit|integration] [extra files…]
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-all}
shift || true

unit_files() {
  find libs workflows activities services infra -name '*.test.ts' -not -path '*/node_modules/*' | sort
}
integration_files() {
  for d in test/integration test/e2e test/faults test/browser test/rehearsal; do
    [ -d "$d" ] && find "$d" -name '*.test.ts' | sort
  done
  true
}

files=()
case "$mode" in
  unit) mapfile -t files < <(unit_files) ;;
  integration) mapfile -t files < <(integration_files) ;;
  all) mapfile -t files < <(unit_files; integration_files) ;;
  *) echo "usage: scripts/test.sh [all|unit|integration]" >&2; exit 2 ;;
esac
files+=("$@")

if [ "$mode" != unit ]; then
  npm run --silent stack:up
fi

export FOLDWISE_STACK_ENV="${FOLDWISE_STACK_ENV:-$PWD/.cache/stack/env.json}"
exec node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
