#!/usr/bin/env bash
# Propagation delay: a registration change in ZooKeeper to the published ViewSnapshot (issue 3 §6), with 10, 1,000
# and 100,000 instances registered; plus cold start and memory at each size.
#
#   deploy/bench/propagation/run.sh [--sizes 10,1000,100000] [--samples N] [--warmup N] [--per-service N] [--inflight N] [--verify true|false]
#
# Builds tests/Registry.Benchmarks (dotnet build -c Release), starts one standalone ZooKeeper 3.8 (temp dir, free
# port, stopped on exit) and runs its `propagation` subcommand, which plays the server: a RegistrationWatcher and the
# server's view loop (each state becomes a ViewSnapshot built on the previous one). Per size, it registers the
# instances (ephemeral znodes in Curator JSON, PER_SERVICE to a service, pipelined), starts the watcher (cold start,
# heap), then creates and deletes a probe instance in a random service one change at a time, timing each from just
# before its request is sent to the publication of the snapshot that shows it. Prints a Markdown table with the
# targets: propagation p99 < 10 ms at 1,000 and < 50 ms at 100,000; cold start < 5 s and < 2 KB/instance at 100,000.
#
# Flags, or the environment variables of the same name:
#   SIZES=10,1000,100000   instance counts, measured in increasing order (instances are added between sizes)
#   SAMPLES=1000    measured creates (and as many deletes) per size
#   WARMUP=200      unmeasured create/delete pairs before them (after a global ZooKeeper warm-up)
#   PER_SERVICE=100 instances per service (100,000 instances = 1,000 services)
#   INFLIGHT=1000   outstanding creates while registering
#   VERIFY=true     after each size, check that a fresh watcher loads the same state and zxid
#   ZK_JAR=/usr/share/java/zookeeper.jar
#   ZK_HEAP=1g      the ZooKeeper JVM's -Xmx (100,000 nodes take about 100 MB of it)
#   FORCE_SYNC=no   ZooKeeper's forceSync (fsync of the transaction log before acknowledging a write)
#   GC=server       the benchmark's .NET GC: server (what registry-server, a Web SDK app, runs with) or workstation
#
# Needs: java 17, the .NET 10 SDK, /usr/bin/python3 (standard library only).
# The JSON lines are kept in deploy/bench/out/propagation-<timestamp>.jsonl.
set -euo pipefail

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }

SIZES=${SIZES:-10,1000,100000}
SAMPLES=${SAMPLES:-1000}
WARMUP=${WARMUP:-200}
PER_SERVICE=${PER_SERVICE:-100}
INFLIGHT=${INFLIGHT:-1000}
VERIFY=${VERIFY:-true}
ZK_JAR=${ZK_JAR:-/usr/share/java/zookeeper.jar}
ZK_HEAP=${ZK_HEAP:-1g}
FORCE_SYNC=${FORCE_SYNC:-no}
GC=${GC:-server}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --sizes) SIZES=$2; shift 2 ;;
    --samples) SAMPLES=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --per-service) PER_SERVICE=$2; shift 2 ;;
    --inflight) INFLIGHT=$2; shift 2 ;;
    --verify) VERIFY=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

[[ $SIZES =~ ^[0-9]+(,[0-9]+)*$ ]] || { echo "SIZES must be a comma-separated list of integers, got '$SIZES'" >&2; exit 2; }
for n in SAMPLES WARMUP PER_SERVICE INFLIGHT; do
  [[ ${!n} =~ ^[0-9]+$ ]] || { echo "$n must be a non-negative integer, got '${!n}'" >&2; exit 2; }
done
[[ $VERIFY == true || $VERIFY == false ]] || { echo "VERIFY must be true or false, got '$VERIFY'" >&2; exit 2; }
[[ $FORCE_SYNC == yes || $FORCE_SYNC == no ]] || { echo "FORCE_SYNC must be yes or no, got '$FORCE_SYNC'" >&2; exit 2; }
case $GC in
  server) export DOTNET_gcServer=1 ;;
  workstation) export DOTNET_gcServer=0 ;;
  *) echo "GC must be server or workstation, got '$GC'" >&2; exit 2 ;;
esac

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/../lib/bench.sh"

# --- build -----------------------------------------------------------------------------------
mkdir -p "$OUT"
log "dotnet build -c Release tests/Registry.Benchmarks"
dotnet build "$PROJECT" -c Release --nologo > "$OUT/propagation-dotnet-build.log" 2>&1 \
  || { cat "$OUT/propagation-dotnet-build.log" >&2; exit 1; }
DLL=$(dotnet msbuild "$PROJECT" -p:Configuration=Release -getProperty:TargetPath)
[[ -f $DLL ]] || { echo "build output not found: $DLL" >&2; exit 1; }

# --- server ----------------------------------------------------------------------------------
start_zookeeper propagation-bench "$ZK_HEAP" "$FORCE_SYNC" maxSessionTimeout=60000

# --- run -------------------------------------------------------------------------------------
RESULTS=$OUT/propagation-$(date -u +%Y%m%dT%H%M%SZ).jsonl
LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
cmd=(dotnet "$DLL" propagation "127.0.0.1:$PORT" --sizes "$SIZES" --samples "$SAMPLES" --warmup "$WARMUP"
     --per-service "$PER_SERVICE" --inflight "$INFLIGHT" --verify "$VERIFY")
log "${cmd[*]}"
"${cmd[@]}" > "$RESULTS" || { echo "the benchmark failed (command: ${cmd[*]})" >&2; exit 1; }
LOAD_AFTER=$(cut -d' ' -f1 /proc/loadavg)
log "raw results: ${RESULTS#"$REPO"/}"

# --- table -----------------------------------------------------------------------------------
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || true)
$PYTHON - "$RESULTS" "$SAMPLES" "$PER_SERVICE" "$FORCE_SYNC" "$GC" "$(nproc)" "$CPU" "$LOAD_BEFORE" "$LOAD_AFTER" <<'EOF'
import json, sys
path, samples, per_service, force_sync, gc, cores, cpu, load_before, load_after = sys.argv[1:]
rows = {}
with open(path) as f:
    for line in f:
        line = line.strip()
        if line.startswith("{"):
            r = json.loads(line)
            rows[(r["phase"], r["size"])] = r
sizes = sorted({size for _, size in rows})

# Targets: propagation p99 by size; cold start and heap per instance at 100,000.
P99_TARGET_MS = {1000: 10, 100000: 50}

def ms(us):
    return f"{us / 1000:,.2f}"

def verdict(ok):
    return "PASS" if ok else "FAIL"

print()
print(f"ZooKeeper 3.8 standalone (forceSync={force_sync}) and the benchmark ({gc} GC) on the same {cores} cores ({cpu}); "
      f"{samples} sequential creates and deletes per size, {per_service} instances per service; "
      f"1-min load average {load_before} before, {load_after} after.")
print()
print("Propagation delay, request sent → snapshot published (ms):")
print()
print("| instances | services | create p50 | create p99 | create max | delete p50 | delete p99 | delete max | snapshot build p99 | p99 target |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
for size in sizes:
    c, d, s = rows.get(("create", size)), rows.get(("delete", size)), rows.get(("cold_start", size))
    if not c or not d:
        continue
    target = P99_TARGET_MS.get(size)
    worst = max(c["p99_us"], d["p99_us"]) / 1000
    mark = f"< {target} ms: {verdict(worst < target)}" if target else "–"
    build = max(c["build_p99_us"], d["build_p99_us"]) / 1000
    print(f"| {size:,} | {s['services'] if s else '–'} | {ms(c['p50_us'])} | {ms(c['p99_us'])} | {ms(c['max_us'])} | "
          f"{ms(d['p50_us'])} | {ms(d['p99_us'])} | {ms(d['max_us'])} | {build:,.3f} | {mark} |")

print()
print("Where the time goes (p50 / p99, ms): the registrar's request round trip; request sent → watcher's state received by the view loop; snapshot build:")
print()
print("| instances | change | request | → state | build |")
print("|---:|---|---:|---:|---:|")
for size in sizes:
    for phase in ("create", "delete"):
        r = rows.get((phase, size))
        if r:
            print(f"| {size:,} | {phase} | {ms(r['request_p50_us'])} / {ms(r['request_p99_us'])} | "
                  f"{ms(r['to_state_p50_us'])} / {ms(r['to_state_p99_us'])} | {ms(r['build_p50_us'])} / {ms(r['build_p99_us'])} |")

print()
print("Cold start (watcher start → first full snapshot published) and memory (managed heap after a full compacting GC, watcher state + snapshot):")
print()
print("| instances | load | first snapshot build | cold start | target | heap / instance | target | heap after | working set before → after | populate |")
print("|---:|---:|---:|---:|---|---:|---|---:|---:|---:|")
for size in sizes:
    s = rows.get(("cold_start", size))
    if not s:
        continue
    p = rows.get(("populate", size))
    at_scale = size >= 100000
    cold = f"< 5 s: {verdict(s['total_ms'] < 5000)}" if at_scale else "–"
    heap = f"< 2 KB: {verdict(s['heap_bytes_per_instance'] < 2048)}" if at_scale else "–"
    populate = f"{p['ops_per_sec']:,.0f}/s" if p else "–"
    print(f"| {size:,} | {s['load_ms']:,.0f} ms | {s['first_build_ms']:,.0f} ms | {s['total_ms']:,.0f} ms | {cold} | "
          f"{s['heap_bytes_per_instance']:,.0f} B | {heap} | {s['heap_after_mb']:,.1f} MB | "
          f"{s['working_set_before_mb']:,.0f} → {s['working_set_after_mb']:,.0f} MB | {populate} |")

gcs = sorted((r for (phase, _), r in rows.items() if phase == "gc"), key=lambda r: r["size"])
if gcs:
    print()
    print("GC during the measured changes: " + "; ".join(
        f"{r['size']:,}: {r['gen0']} gen0, {r['gen1']} gen1, {r['gen2']} gen2, {r['pause_ms']:,.1f} ms paused in all" for r in gcs))

verified = [r for (phase, _), r in rows.items() if phase == "verify"]
if verified:
    print()
    print("Incremental watcher state vs a fresh load (content and zxid): "
          + ", ".join(f"{r['size']:,}: {'equal' if r['equal'] else 'DIFFERENT'}" for r in sorted(verified, key=lambda r: r["size"])))
EOF
