#!/usr/bin/env bash
# Runs Coinlake's whole test suite offline: fake exchange servers on loopback replay the real recorded data in
# ../shared/data (or $COINLAKE_TESTDATA). Needs only the .NET 10 SDK; it installs and starts anything else the
# tests need (PostgreSQL: Debian's postgresql package, or an existing server named by COINLAKE_TEST_PG), and stops it
# at the end. Prints "N passed, N failed, N skipped" last.
set -euo pipefail
cd "$(dirname "$0")"

results="${COINLAKE_TEST_RESULTS:-$PWD/artifacts/test-results}"
rm -rf "$results"
mkdir -p "$results"

if [ -z "${COINLAKE_TESTDATA:-}" ] && [ ! -d ../shared/data ]; then
  echo "warning: ../shared/data not found and COINLAKE_TESTDATA not set; tests that need real data will fail" >&2
fi

# PostgreSQL: the storage tests start a private throwaway cluster (tests/Coinlake.Testing/Postgres/TestPostgres.cs)
# from the server binaries, and stop it when they end. Install Debian's postgresql when the binaries are missing,
# unless COINLAKE_TEST_PG points at an existing server.
have_pg_server() {
  command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && return 0
  for bin in /usr/lib/postgresql/*/bin; do
    [ -x "$bin/initdb" ] && [ -x "$bin/pg_ctl" ] && return 0
  done
  return 1
}
if [ -z "${COINLAKE_TEST_PG:-}" ] && ! have_pg_server; then
  echo "PostgreSQL server binaries not found; installing Debian's postgresql" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
  # The package may start its default cluster; the tests do not use it, so stop what the install just started.
  if command -v pg_lsclusters >/dev/null 2>&1; then
    pg_lsclusters -h | awk '$4 == "online" { print $1, $2 }' | while read -r version cluster; do
      $sudo pg_ctlcluster "$version" "$cluster" stop || true
    done
  fi
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet build Coinlake.slnx -c Release -nologo -v quiet
status=0
# One project at a time, each with its own results file (parallel projects can overwrite each other's default trx name).
for project in tests/*.Tests/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" -c Release --no-build -nologo -v quiet \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=$?
done

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  total=$(get total); executed=$(get executed); p=$(get passed); f=$(get failed)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  skipped=$((skipped + ${total:-0} - ${executed:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1   # the test run itself failed (build or crash): never report it as green
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
