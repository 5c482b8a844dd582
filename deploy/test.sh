#!/usr/bin/env bash
# Runs every test of Registry against real peers (ZooKeeper, kazoo, ...).
# As root it installs the Debian packages the tests use; otherwise it names the missing ones and stops.
#   deploy/test.sh                 all tests
#   deploy/test.sh --filter EXPR   passed to `dotnet test --filter` (e.g. FullyQualifiedName~WatchTests)
# Without arguments it also runs README's run command once (deploy/dev.sh --check) on spare ports.
set -euo pipefail
cd "$(dirname "$0")/.."

# zookeeper: the server the integration tests start; default-jre-headless: the Java it runs on;
# python3-kazoo: interop peer; zookeeper-bin: zkCli for manual checks; bind9-dnsutils: dig for DNS tests;
# bind9, unbound, python3-dnspython: real DNS peers (BIND as reference and secondary, Unbound stub, dnspython).
source deploy/lib/packages.sh
ensure_packages zookeeper default-jre-headless python3-kazoo zookeeper-bin bind9-dnsutils bind9 unbound python3-dnspython
require_dotnet

echo "==> building"
dotnet build Registry.sln -c Release -nologo -clp:ErrorsOnly

# STYLE.md: dotnet format clean. Checked here so that style drift fails the build it came in, not a later one.
echo "==> dotnet format --verify-no-changes"
dotnet format Registry.sln --verify-no-changes --no-restore ||
  { echo "dotnet format found changes to make: run 'dotnet format Registry.sln' and commit" >&2; exit 1; }

echo "==> testing"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test Registry.sln -c Release --no-build -nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if [[ $# -eq 0 ]]; then
  echo "==> README's run command: deploy/dev.sh --check"
  tour=$(mktemp -d)
  if DATA_DIR=$tour HTTP_PORT=18053 DNS_PORT=15300 ZK_PORT=12181 deploy/dev.sh --check; then
    echo "README run command: ok"
  else
    echo "README run command: FAILED"
    status=1
  fi
  rm -rf "$tour"
fi
set -e

# One closing line over every test assembly, in the form CI reads ("N passed, N failed").
awk '/(Passed|Failed)! +- +Failed:/ {
       gsub(/,/, ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     END { printf "Tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
