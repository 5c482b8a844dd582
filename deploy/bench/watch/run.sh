#!/usr/bin/env bash
# Watch fan-out: many concurrent gRPC Watch streams on one registry-server (issue 5 §6): the time from a ZooKeeper
# change to its delivery at each stream (p50/p99) and the server's memory. Targets: p99 < 200 ms and RSS < 1 GB with
# 10,000 streams.
#
#   deploy/bench/watch/run.sh [--streams N] [--connections N] [--changes N] [--warmup N] [--interval-ms N] [--client h2c|grpc]
#
# Builds registry-server and tests/Registry.Benchmarks (Release), starts one standalone ZooKeeper 3.8 (temp dir, free
# port) and registry-server on it (free gRPC and HTTP ports, DNS off, one small zone, --log-level Warning), both
# stopped on exit, then runs the `watch-streams` subcommand: STREAMS Watch streams (every service) over CONNECTIONS
# HTTP/2 connections; once each has its snapshot, WARMUP unmeasured then CHANGES measured changes INTERVAL_MS apart (a probe instance created, then
# deleted), each timed from just before its ZooKeeper request to its arrival at every stream; the server's RSS from
# /proc/PID/status. Prints a Markdown table with the targets.
#
# Flags, or the environment variables of the same name:
#   STREAMS=10000     concurrent Watch streams
#   CONNECTIONS=100   HTTP/2 connections (one GrpcChannel each) they are spread over
#   CHANGES=20        measured changes (creates and deletes alternate)
#   WARMUP=2          unmeasured changes first (the server JITs its fan-out path)
#   INTERVAL_MS=300   pause after each change
#   CLIENT=h2c        what reads the streams: h2c, a lean HTTP/2 reader (frames + the generated WatchEvent parser, as
#                     h2load reads HTTP/2) that costs the shared cores little; grpc, Grpc.Net.Client (a real smart
#                     client, ~3x the server's CPU per message on the same cores)
#   ZK_JAR=/usr/share/java/zookeeper.jar
#   ZK_HEAP=256m      the ZooKeeper JVM's -Xmx
#   FORCE_SYNC=no     ZooKeeper's forceSync
#
# Needs: java 17, the .NET 10 SDK, /usr/bin/python3 (standard library only). The benchmark, the server and ZooKeeper
# share this machine's cores. The JSON lines are kept in deploy/bench/out/watch-<timestamp>.jsonl.
set -euo pipefail

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }

STREAMS=${STREAMS:-10000}
CONNECTIONS=${CONNECTIONS:-100}
CHANGES=${CHANGES:-20}
WARMUP=${WARMUP:-2}
INTERVAL_MS=${INTERVAL_MS:-300}
CLIENT=${CLIENT:-h2c}
ZK_JAR=${ZK_JAR:-/usr/share/java/zookeeper.jar}
ZK_HEAP=${ZK_HEAP:-256m}
FORCE_SYNC=${FORCE_SYNC:-no}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --streams) STREAMS=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --changes) CHANGES=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --interval-ms) INTERVAL_MS=$2; shift 2 ;;
    --client) CLIENT=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

for n in STREAMS CONNECTIONS CHANGES WARMUP INTERVAL_MS; do
  [[ ${!n} =~ ^[0-9]+$ ]] || { echo "$n must be a non-negative integer, got '${!n}'" >&2; exit 2; }
done
[[ $CLIENT == h2c || $CLIENT == grpc ]] || { echo "CLIENT must be h2c or grpc, got '$CLIENT'" >&2; exit 2; }
[[ $FORCE_SYNC == yes || $FORCE_SYNC == no ]] || { echo "FORCE_SYNC must be yes or no, got '$FORCE_SYNC'" >&2; exit 2; }

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/../lib/bench.sh"
SERVER_PROJECT=$REPO/src/Registry.Server/Registry.Server.csproj

# --- build -----------------------------------------------------------------------------------
mkdir -p "$OUT"
log "dotnet build -c Release src/Registry.Server tests/Registry.Benchmarks"
for p in "$SERVER_PROJECT" "$PROJECT"; do
  dotnet build "$p" -c Release --nologo > "$OUT/watch-dotnet-build.log" 2>&1 || { cat "$OUT/watch-dotnet-build.log" >&2; exit 1; }
done
DLL=$(dotnet msbuild "$PROJECT" -p:Configuration=Release -getProperty:TargetPath)
SERVER_DLL=$(dotnet msbuild "$SERVER_PROJECT" -p:Configuration=Release -getProperty:TargetPath)
[[ -f $DLL && -f $SERVER_DLL ]] || { echo "build output not found: $DLL $SERVER_DLL" >&2; exit 1; }

# --- servers ---------------------------------------------------------------------------------
start_zookeeper watch-bench "$ZK_HEAP" "$FORCE_SYNC" maxSessionTimeout=60000
SERVER_PID=""
stop_all() {
  if [[ -n $SERVER_PID ]]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  _stop_zookeeper
}
trap stop_all EXIT

free_port() { $PYTHON -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
GRPC=http://127.0.0.1:$(free_port)
HTTP=http://127.0.0.1:$(free_port)
mkdir -p "$WORK/zones" "$WORK/server-data"
cat > "$WORK/zones/svc.bench.zone" <<'ZONE'
$ORIGIN svc.bench.
$TTL 60
@               IN SOA  ns1 hostmaster ( 2026120101 3600 600 1209600 60 )
                IN NS   ns1
ns1             IN A    192.0.2.53
_legacy._tcp    IN SRV  10 10 25 mail
mail            IN A    192.0.2.25
ZONE
log "registry-server on 127.0.0.1:$PORT: gRPC $GRPC, HTTP $HTTP (log: $WORK/registry-server.log)"
dotnet "$SERVER_DLL" --zookeeper "127.0.0.1:$PORT" --base-path /watchbench --zones "$WORK/zones" --data-dir "$WORK/server-data" \
  --grpc-listen "$GRPC" --listen "$HTTP" --dns-listen none --log-level Warning > "$WORK/registry-server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 150); do
  curl -sf "$HTTP/readyz" > /dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/registry-server.log" >&2; exit 1; }
  sleep 0.2
done
curl -sf "$HTTP/readyz" > /dev/null || { echo "registry-server not ready:" >&2; tail -20 "$WORK/registry-server.log" >&2; exit 1; }

# --- run -------------------------------------------------------------------------------------
RESULTS=$OUT/watch-$(date -u +%Y%m%dT%H%M%SZ).jsonl
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
cmd=(dotnet "$DLL" watch-streams "127.0.0.1:$PORT" "$GRPC" --base-path /watchbench --streams "$STREAMS" --connections "$CONNECTIONS"
     --changes "$CHANGES" --warmup "$WARMUP" --interval-ms "$INTERVAL_MS" --server-pid "$SERVER_PID" --client "$CLIENT")
log "${cmd[*]}"
"${cmd[@]}" > "$RESULTS" || { echo "the benchmark failed (command: ${cmd[*]}); server log:" >&2; tail -20 "$WORK/registry-server.log" >&2; exit 1; }
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
log "raw results: ${RESULTS#"$REPO"/}"
grep -v '^\s*$' "$WORK/registry-server.log" | head -5 | sed 's/^/  server log: /' >&2 || true

# --- table -----------------------------------------------------------------------------------
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || true)
$PYTHON - "$RESULTS" "$(nproc)" "$CPU" "$LOAD_BEFORE" "$LOAD_AFTER" <<'EOF'
import json, sys
path, cores, cpu, load_before, load_after = sys.argv[1:]
rows = {}
with open(path) as f:
    for line in f:
        if line.strip().startswith("{"):
            r = json.loads(line)
            rows[r["phase"]] = r
o, d, m = rows["open"], rows["delivery"], rows["memory"]
verdict = lambda ok: "PASS" if ok else "FAIL"
print()
print(f"registry-server, ZooKeeper 3.8 and the benchmark on the same {cores} cores ({cpu}); "
      f"{o['streams']:,} Watch streams over {o['connections']} HTTP/2 connections read by {'Grpc.Net.Client' if o.get('client') == 'grpc' else 'the lean h2c reader'}, open in {o['seconds']:.1f} s; "
      f"load average {load_before} before, {load_after} after.")
print()
print(f"{d.get('warmup', 0)} unmeasured warm-up changes, then changes {d.get('interval_ms', '?')} ms apart.")
print()
print("| streams | changes | pairs delivered | missed | p50 | p99 | max | p99 target | RSS idle → streams open → after (peak) | RSS target |")
print("|---:|---:|---:|---:|---:|---:|---:|---|---:|---|")
p99 = d["p99_us"] / 1000
peak = m["server_rss_peak_mb"]
print(f"| {d['streams']:,} | {d['changes']} | {d['delivered']:,} / {d['pairs']:,} | {d['missing']:,} ({d['streams_missing']:,} streams) | "
      f"{d['p50_us'] / 1000:,.1f} ms | {p99:,.1f} ms | {d['max_us'] / 1000:,.1f} ms | < 200 ms: {verdict(p99 < 200 and d['missing'] == 0)} ({p99 / 200:.0%}) | "
      f"{m['server_rss_idle_mb']:,.0f} → {m['server_rss_open_mb']:,.0f} → {m['server_rss_after_mb']:,.0f} ({peak:,.0f}) MB | "
      f"< 1 GB: {verdict(peak < 1024)} ({peak / 1024:.0%}) |")
print()
print(f"Server memory per stream (RSS open − idle) ≈ {m['server_kb_per_stream']:.1f} KB; re-snapshots (fell behind): {d['resnapshots']}.")
print(f"CPU over the measured changes: server {d['server_cpu_ms']:,} ms ({d['server_cpu_us_per_delivery']:.1f} µs per delivered event), "
      f"client {d['client_cpu_ms']:,} ms ({d['client_cpu_us_per_delivery']:.1f} µs per delivered event).")
EOF
