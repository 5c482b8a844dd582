#!/usr/bin/env bash
# Registry.ZooKeeper's client against the official Java client (ZooKeeper 3.8), same load, same server, same run.
#
#   deploy/bench/zk-client/run.sh [--ops N] [--inflight N] [--payload N] [--samples N] [--repeat N] [--warmup N] [--clients "java dotnet"]
#
# Builds ZkClientBench.java (javac, into deploy/bench/out/) and tests/Registry.Benchmarks (dotnet build -c Release),
# starts one standalone ZooKeeper (temp dir, free port, stopped on exit), then runs REPEAT rounds, each running
# every client once, one after the other (the server and the client share the cores), and prints a Markdown table
# of the medians over the rounds. Ratios read ">1 = dotnet better": dotnet/java for throughput, java/dotnet for latency.
#
# Flags, or the environment variables of the same name:
#   OPS=50000       nodes created, then read, in the pipelined phases
#   INFLIGHT=1000   outstanding requests in the pipelined phases
#   PAYLOAD=200     bytes of data per node
#   SAMPLES=2000    one-at-a-time requests in each latency phase
#   REPEAT=3        rounds
#   WARMUP=5000     unmeasured requests before measuring (each client, each round)
#   CLIENTS="java dotnet"   which clients, in the order run within a round
#   ZK_JAR=/usr/share/java/zookeeper.jar   client and server (its manifest Class-Path brings the dependencies)
#   JAVA_OPTS=""    extra JVM flags for the Java client
#
# Needs: java + javac 17, the .NET 10 SDK, /usr/bin/python3 (standard library only).
# Each round's JSON lines are kept in deploy/bench/out/zk-client-<timestamp>.jsonl.
set -euo pipefail

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }

OPS=${OPS:-50000}
INFLIGHT=${INFLIGHT:-1000}
PAYLOAD=${PAYLOAD:-200}
SAMPLES=${SAMPLES:-2000}
REPEAT=${REPEAT:-3}
WARMUP=${WARMUP:-5000}
CLIENTS=${CLIENTS:-java dotnet}
ZK_JAR=${ZK_JAR:-/usr/share/java/zookeeper.jar}
JAVA_OPTS=${JAVA_OPTS:-}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --ops) OPS=$2; shift 2 ;;
    --inflight) INFLIGHT=$2; shift 2 ;;
    --payload) PAYLOAD=$2; shift 2 ;;
    --samples) SAMPLES=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

for n in OPS INFLIGHT PAYLOAD SAMPLES REPEAT WARMUP; do
  [[ ${!n} =~ ^[0-9]+$ ]] || { echo "$n must be a non-negative integer, got '${!n}'" >&2; exit 2; }
done
for n in OPS INFLIGHT SAMPLES REPEAT; do
  (( ${!n} >= 1 )) || { echo "$n must be at least 1" >&2; exit 2; }
done
for c in $CLIENTS; do
  [[ $c == java || $c == dotnet ]] || { echo "unknown client '$c' in CLIENTS (java, dotnet)" >&2; exit 2; }
done

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/../lib/bench.sh"

# --- build -----------------------------------------------------------------------------------
mkdir -p "$OUT/zk-client-java"
if [[ " $CLIENTS " == *" java "* ]]; then
  log "javac ZkClientBench.java"
  javac -Xlint:all,-path -proc:none -implicit:none -d "$OUT/zk-client-java" -cp "$ZK_JAR" "$HERE/ZkClientBench.java"
fi
if [[ " $CLIENTS " == *" dotnet "* ]]; then
  log "dotnet build -c Release tests/Registry.Benchmarks"
  dotnet build "$PROJECT" -c Release --nologo > "$OUT/zk-client-dotnet-build.log" 2>&1 \
    || { cat "$OUT/zk-client-dotnet-build.log" >&2; exit 1; }
  DLL=$(dotnet msbuild "$PROJECT" -p:Configuration=Release -getProperty:TargetPath)
  [[ -f $DLL ]] || { echo "build output not found: $DLL" >&2; exit 1; }
fi

# --- server ----------------------------------------------------------------------------------
start_zookeeper zk-client-bench 1g no

node_count() { four_letter srvr | sed -n 's/^Node count: //p'; }
BASELINE_NODES=$(node_count)

# --- rounds ----------------------------------------------------------------------------------
RESULTS=$OUT/zk-client-$(date -u +%Y%m%dT%H%M%SZ).jsonl
: > "$RESULTS"
CONNECT=127.0.0.1:$PORT
LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
for round in $(seq 1 "$REPEAT"); do
  for client in $CLIENTS; do
    root=/bench-$client-r$round-$$
    args=("$CONNECT" "$OPS" "$INFLIGHT" "$PAYLOAD" "$SAMPLES" "$root" "$WARMUP")
    log "round $round/$REPEAT: $client"
    case $client in
      # JAVA_OPTS is split on purpose: it holds several flags.
      # shellcheck disable=SC2086
      java) cmd=(java $JAVA_OPTS -cp "$OUT/zk-client-java:$ZK_JAR$CLASSPATH_EXTRA" ZkClientBench "${args[@]}") ;;
      dotnet) cmd=(dotnet "$DLL" zk-client "${args[@]}") ;;
    esac
    if ! "${cmd[@]}" > "$WORK/run.jsonl"; then
      echo "$client failed in round $round (command: ${cmd[*]})" >&2
      exit 1
    fi
    sed "s/^{/{\"round\":$round,/" "$WORK/run.jsonl" >> "$RESULTS"
    # Every client deletes what it created; leftovers would make the next client's server state differ.
    nodes=$(node_count)
    [[ $nodes == "$BASELINE_NODES" ]] || echo "warning: $client left $((nodes - BASELINE_NODES)) nodes behind" >&2
  done
done
LOAD_AFTER=$(cut -d' ' -f1 /proc/loadavg)
log "raw results: ${RESULTS#"$REPO"/}"

# --- table -----------------------------------------------------------------------------------
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || true)
$PYTHON - "$RESULTS" "$OPS" "$INFLIGHT" "$PAYLOAD" "$SAMPLES" "$REPEAT" "$(nproc)" "$CPU" "$LOAD_BEFORE" "$LOAD_AFTER" <<'EOF'
import json, statistics, sys
path, ops, inflight, payload, samples, repeat, cores, cpu, load_before, load_after = sys.argv[1:]
runs = {}
with open(path) as f:
    for line in f:
        line = line.strip()
        if line.startswith("{"):
            r = json.loads(line)
            runs.setdefault((r["phase"], r["client"]), []).append(r)

# (phase, field, label, higher is better)
rows = [
    ("create_pipelined", "ops_per_sec", "create, pipelined (ops/s)", True),
    ("getdata_pipelined", "ops_per_sec", "getData, pipelined (ops/s)", True),
    ("create_latency", "p50_us", "create latency p50 (µs)", False),
    ("create_latency", "p99_us", "create latency p99 (µs)", False),
    ("getdata_latency", "p50_us", "getData latency p50 (µs)", False),
    ("getdata_latency", "p99_us", "getData latency p99 (µs)", False),
]

def median(phase, client, field):
    values = [r[field] for r in runs.get((phase, client), [])]
    return (statistics.median(values), len(values)) if values else (None, 0)

def fmt(v, field):
    if v is None:
        return "–"
    return f"{v:,.0f}" if field == "ops_per_sec" else f"{v:,.1f}"

print()
print(f"ZooKeeper 3.8 standalone, {cores} cores ({cpu}); ops={ops} inflight={inflight} payload={payload} B samples={samples}; "
      f"median of {repeat} alternating rounds; 1-min load average {load_before} before, {load_after} after.")
print()
print("| phase | java | dotnet | ratio (>1 = dotnet better) |")
print("|---|---:|---:|---:|")
for phase, field, label, higher in rows:
    j, _ = median(phase, "java", field)
    d, _ = median(phase, "dotnet", field)
    ratio = "–"
    if j and d:
        ratio = f"{(d / j) if higher else (j / d):.2f}×"
    print(f"| {label} | {fmt(j, field)} | {fmt(d, field)} | {ratio} |")
EOF
