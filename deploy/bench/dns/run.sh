#!/usr/bin/env bash
# The DNS facade against BIND 9 and Knot DNS in one run (issue 4 §3): the same generated zone and the same dnsperf
# query mix for each server, measured one after the other; then the facade again while its view changes 100 times
# per second.
#
#   deploy/bench/dns/run.sh [--quick] [--duration S] [--clients N] [--threads N] [--outstanding N] [--services N] ...
#
# Generates (zone.py) one zone, bench.example.: SERVICES services _svcNNNN._tcp with an SRV set of 3-5 targets
# (svcNNNN-K.hosts, each with an A record), a TXT record on every fifth; and a shuffled query file of QUERIES lines:
# 70% SRV, 15% A, 10% TXT, 5% nonexistent names (NXDOMAIN). Each server is started alone, warmed up, measured with the
# same dnsperf command, latency-sampled at a fixed rate, and stopped:
#   named    BIND 9, authoritative only (recursion no), -n NAMED_THREADS worker threads
#   knotd    Knot DNS, udp-workers KNOT_WORKERS, the zone loaded from the same file
#   registry registry-server (Release build, embedded ZooKeeper) with the zone in --zones; HYBRID% of the services
#            register live instances through ZooKeeper (zk.py hold: every declared target but the last, plus one
#            undeclared), so the facade serves live-merged SRV sets; dig checks a merged answer before measuring
# Then "registry + churn": zk.py churn creates and deletes ephemeral instances CHURN_RATE times per second for the
# whole dnsperf run while dig polls a canary service, whose answer must change during the run.
# Prints a Markdown table (QPS, lost, latency, ratio to Knot) and whether the target is met: the facade at least at
# Knot's QPS, with 0 lost queries, serving live-merged answers.
#
# Flags, or the environment variables of the same name:
#   DURATION=30     seconds of each measured dnsperf run (-l)
#   WARMUP=5        seconds of an unmeasured dnsperf run before it, per server
#   CLIENTS=16      dnsperf -c: client sockets (source ports), so the servers' per-socket workers all get queries
#   THREADS=2       dnsperf -T: one per core; dnsperf shares the 2 cores with the server under test
#   OUTSTANDING=100 dnsperf -q: queries in flight. Enough to saturate any of the servers on loopback; deeper queues
#                   overflow a server's default UDP receive buffer (rmem_default, ~200 queued packets per socket)
#                   in dnsperf's opening burst and count as lost queries that say nothing about sustained load
#   EDNS=yes        dnsperf -e: queries carry EDNS(0), as resolvers' do
#   LATENCY_QPS=10000 LATENCY_DURATION=5   a paced run (-Q, -v) per server for latency percentiles; 0 skips it
#   SERVICES=2000 QUERIES=20000 HYBRID=50 SEED=1   the zone, the query file, the % of hybrid services, the RNG seed
#   CHURN_RATE=100  registration changes per second during the churn run; 0 skips it
#   NAMED_THREADS=2 KNOT_WORKERS=2         the peers' worker threads (2 cores)
#   SERVERS=bind,knot,registry             which servers to measure (the churn run goes with registry)
#   --quick         a smoke run: DURATION=3 WARMUP=1 LATENCY_DURATION=1 SERVICES=200 QUERIES=2000
#
# Needs (installed when run as root): dnsperf, bind9, bind9-utils, bind9-dnsutils, knot, zookeeper,
# default-jre-headless, python3-kazoo; the .NET 10 SDK. Raw outputs are kept in deploy/bench/out/dns-<timestamp>/.
set -euo pipefail

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }

quick=false
for arg in "$@"; do [[ $arg == --quick ]] && quick=true; done
if $quick; then
  DURATION=${DURATION:-3} WARMUP=${WARMUP:-1} LATENCY_DURATION=${LATENCY_DURATION:-1}
  SERVICES=${SERVICES:-200} QUERIES=${QUERIES:-2000}
fi
DURATION=${DURATION:-30}
WARMUP=${WARMUP:-5}
CLIENTS=${CLIENTS:-16}
THREADS=${THREADS:-2}
OUTSTANDING=${OUTSTANDING:-100}
EDNS=${EDNS:-yes}
LATENCY_QPS=${LATENCY_QPS:-10000}
LATENCY_DURATION=${LATENCY_DURATION:-5}
SERVICES=${SERVICES:-2000}
QUERIES=${QUERIES:-20000}
HYBRID=${HYBRID:-50}
SEED=${SEED:-1}
CHURN_RATE=${CHURN_RATE:-100}
NAMED_THREADS=${NAMED_THREADS:-2}
KNOT_WORKERS=${KNOT_WORKERS:-2}
SERVERS=${SERVERS:-bind,knot,registry}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) shift ;;
    --duration) DURATION=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --outstanding) OUTSTANDING=$2; shift 2 ;;
    --edns) EDNS=$2; shift 2 ;;
    --latency-qps) LATENCY_QPS=$2; shift 2 ;;
    --latency-duration) LATENCY_DURATION=$2; shift 2 ;;
    --services) SERVICES=$2; shift 2 ;;
    --queries) QUERIES=$2; shift 2 ;;
    --hybrid) HYBRID=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --churn-rate) CHURN_RATE=$2; shift 2 ;;
    --named-threads) NAMED_THREADS=$2; shift 2 ;;
    --knot-workers) KNOT_WORKERS=$2; shift 2 ;;
    --servers) SERVERS=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

for n in DURATION WARMUP CLIENTS THREADS OUTSTANDING LATENCY_QPS LATENCY_DURATION SERVICES QUERIES HYBRID SEED CHURN_RATE \
         NAMED_THREADS KNOT_WORKERS; do
  [[ ${!n} =~ ^[0-9]+$ ]] || { echo "$n must be a non-negative integer, got '${!n}'" >&2; exit 2; }
done
((DURATION > 0 && CLIENTS > 0 && THREADS > 0 && OUTSTANDING > 0 && SERVICES > 0 && QUERIES >= 100 && HYBRID <= 100)) \
  || { echo "need DURATION, CLIENTS, THREADS, OUTSTANDING, SERVICES > 0, QUERIES >= 100, HYBRID <= 100" >&2; exit 2; }
[[ $EDNS == yes || $EDNS == no ]] || { echo "EDNS must be yes or no, got '$EDNS'" >&2; exit 2; }
[[ $SERVERS =~ ^(bind|knot|registry)(,(bind|knot|registry))*$ ]] \
  || { echo "SERVERS is a comma-separated subset of bind,knot,registry, got '$SERVERS'" >&2; exit 2; }
selected() { [[ ,$SERVERS, == *",$1,"* ]]; }
if selected registry && ((HYBRID == 0)); then
  echo "HYBRID=0 leaves the facade nothing live to merge; the target is about live-merged answers" >&2; exit 2
fi

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/bench.sh
source "$HERE/../lib/bench.sh"
# shellcheck source-path=SCRIPTDIR source=../../lib/packages.sh
source "$REPO/deploy/lib/packages.sh"
ZONE=bench.example.

# --- prerequisites ---------------------------------------------------------------------------
ensure_packages dnsperf bind9 bind9-utils bind9-dnsutils knot zookeeper default-jre-headless python3-kazoo
require_dotnet
for tool in dnsperf named named-checkconf named-checkzone knotd knotc dig java; do
  command -v "$tool" >/dev/null || { echo "$tool not found on PATH" >&2; exit 1; }
done

# --- cleanup: every process started here runs in its own session (setsid), killed as a group -------
WORK=$(mktemp -d -t dns-bench.XXXXXX)
groups=()
stop_group() {
  local pid=$1
  kill -TERM -- "-$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    kill -0 -- "-$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  for pid in "${groups[@]}"; do stop_group "$pid"; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start NAME LOGFILE CMD...: runs CMD in the background in a new session; sets STARTED to its pid.
start() {
  local name=$1 logfile=$2
  shift 2
  setsid "$@" >"$logfile" 2>&1 &
  STARTED=$!
  groups+=("$STARTED")
  log "$name started (pid $STARTED, log ${logfile#"$WORK"/})"
}
# forget PID: a group that ended by itself; stop PID: stops one started group now (the rest is the exit trap's).
forget() {
  local kept=() g
  for g in "${groups[@]}"; do [[ $g == "$1" ]] || kept+=("$g"); done
  groups=("${kept[@]}")
}
stop() {
  stop_group "$1"
  forget "$1"
}

free_port() { "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# await_dns NAME PORT PID LOGFILE: until the server answers the zone's SOA with AA, or fails.
await_dns() {
  local name=$1 port=$2 pid=$3 logfile=$4
  for _ in $(seq 1 600); do
    if dig @127.0.0.1 -p "$port" +norec +time=1 +tries=1 "$ZONE" SOA 2>/dev/null | grep -q 'flags: qr aa'; then
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || { echo "$name exited:" >&2; tail -30 "$logfile" >&2; exit 1; }
    sleep 0.1
  done
  echo "$name did not answer $ZONE SOA on 127.0.0.1:$port within 60 s:" >&2
  tail -30 "$logfile" >&2
  exit 1
}

# --- build -----------------------------------------------------------------------------------
mkdir -p "$OUT"
RUN=$OUT/dns-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$RUN"
if selected registry; then
  log "dotnet build -c Release src/Registry.Server (log: ${RUN#"$REPO"/}/dotnet-build.log)"
  dotnet build "$REPO/src/Registry.Server" -c Release --nologo > "$RUN/dotnet-build.log" 2>&1 \
    || { tail -30 "$RUN/dotnet-build.log" >&2; exit 1; }
  SERVER_DLL=$(dotnet msbuild "$REPO/src/Registry.Server" -p:Configuration=Release -getProperty:TargetPath)
  [[ -f $SERVER_DLL ]] || { echo "build output not found: $SERVER_DLL" >&2; exit 1; }
fi

# --- inputs ----------------------------------------------------------------------------------
log "zone.py: $SERVICES services, $QUERIES queries, $HYBRID% hybrid, seed $SEED"
"$PYTHON" "$HERE/zone.py" "$WORK" --zone "$ZONE" --services "$SERVICES" --hybrid "$HYBRID" --queries "$QUERIES" --seed "$SEED"
ZONE_FILE=$WORK/zone/${ZONE}zone
named-checkzone -q "$ZONE" "$ZONE_FILE" || { echo "named-checkzone rejects the generated zone" >&2; exit 1; }
cp "$WORK/plan.json" "$WORK/queries.txt" "$RUN/"
# plan EXPR: a Python expression over the plan (p), e.g. plan 'p["canary"]["srv"]'.
plan() { "$PYTHON" -c 'import json, sys; p = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$WORK/plan.json" "$1"; }
log "$(wc -l < "$ZONE_FILE") zone lines; queries: $(plan 'p["mix"]'), $(plan 'p["distinct_queries"]') distinct"

DNSPERF=(dnsperf -s 127.0.0.1 -d "$WORK/queries.txt" -c "$CLIENTS" -T "$THREADS" -q "$OUTSTANDING")
[[ $EDNS == yes ]] && DNSPERF+=(-e)
echo "${DNSPERF[*]} -p PORT -l $DURATION" > "$RUN/command.txt"

# measure NAME PORT: warmup, the measured run, then the paced latency run; outputs in $RUN/NAME*.txt.
measure() {
  local name=$1 port=$2
  if ((WARMUP > 0)); then
    log "$name: warmup, ${WARMUP}s"
    "${DNSPERF[@]}" -p "$port" -l "$WARMUP" > "$RUN/$name-warmup.txt" 2>&1
  fi
  log "$name: ${DNSPERF[*]} -p $port -l $DURATION"
  "${DNSPERF[@]}" -p "$port" -l "$DURATION" > "$RUN/$name.txt" 2>&1
  "$PYTHON" "$HERE/report.py" line "$RUN/$name.txt" >&2
  if ((LATENCY_QPS > 0 && LATENCY_DURATION > 0)); then
    log "$name: latency at $LATENCY_QPS queries/s, ${LATENCY_DURATION}s"
    "${DNSPERF[@]}" -p "$port" -l "$LATENCY_DURATION" -Q "$LATENCY_QPS" -v > "$RUN/$name-latency.txt" 2>&1
  fi
}

LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)

# --- BIND 9 ----------------------------------------------------------------------------------
if selected bind; then
  port=$(free_port)
  mkdir -p "$WORK/named"
  cat > "$WORK/named/named.conf" <<EOF
options {
    directory "$WORK/named";
    pid-file "$WORK/named/named.pid";
    listen-on port $port { 127.0.0.1; };
    listen-on-v6 { none; };
    recursion no;
    allow-query { any; };
    dnssec-validation no;
    notify no;
};
zone "$ZONE" { type primary; file "$ZONE_FILE"; };
EOF
  named-checkconf "$WORK/named/named.conf"
  start named "$WORK/named/named.log" named -g -c "$WORK/named/named.conf" -n "$NAMED_THREADS"
  pid=$STARTED
  await_dns named "$port" "$pid" "$WORK/named/named.log"
  measure bind "$port"
  stop "$pid"
fi

# --- Knot DNS --------------------------------------------------------------------------------
if selected knot; then
  port=$(free_port)
  mkdir -p "$WORK/knot"
  cat > "$WORK/knot/knot.conf" <<EOF
server:
    listen: 127.0.0.1@$port
    rundir: $WORK/knot
    udp-workers: $KNOT_WORKERS
    tcp-workers: 1
    background-workers: 1
log:
  - target: stderr
    any: notice
database:
    storage: $WORK/knot
zone:
  - domain: $ZONE
    file: $ZONE_FILE
    zonefile-sync: -1
    journal-content: none
EOF
  knotc -c "$WORK/knot/knot.conf" conf-check > "$WORK/knot/conf-check.log" 2>&1 \
    || { cat "$WORK/knot/conf-check.log" >&2; exit 1; }
  start knotd "$WORK/knot/knotd.log" knotd -c "$WORK/knot/knot.conf"
  pid=$STARTED
  await_dns knotd "$port" "$pid" "$WORK/knot/knotd.log"
  measure knot "$port"
  stop "$pid"
fi

# --- the facade ------------------------------------------------------------------------------
# dig_srv NAME PORT: the SRV targets of NAME, sorted, one line.
dig_srv() { dig @127.0.0.1 -p "$2" +norec +time=1 +tries=1 +short "$1" SRV | awk '{print $4}' | sort | tr '\n' ' '; }

if selected registry; then
  port=$(free_port)
  zk_port=$(free_port)
  http=http://127.0.0.1:$(free_port)
  mkdir -p "$WORK/registry"
  start registry-server "$WORK/registry/server.log" \
    dotnet "$SERVER_DLL" --zookeeper embedded --embedded-port "$zk_port" --zones "$WORK/zone" \
      --data-dir "$WORK/registry/data" --listen "$http" --dns-listen "127.0.0.1:$port"
  pid=$STARTED
  await_dns registry-server "$port" "$pid" "$WORK/registry/server.log"
  for _ in $(seq 1 600); do
    curl -sf "$http/readyz" > /dev/null && break
    kill -0 "$pid" 2>/dev/null || { tail -30 "$WORK/registry/server.log" >&2; exit 1; }
    sleep 0.1
  done

  log "registering $(plan 'len(p["instances"])') instances in $(plan 'len(p["hybrid"])') services (zk.py hold)"
  start "zk.py hold" "$WORK/registry/hold.log" "$PYTHON" "$HERE/zk.py" hold "127.0.0.1:$zk_port" "$WORK/plan.json"
  hold_pid=$STARTED
  for _ in $(seq 1 600); do
    grep -q '^registered' "$WORK/registry/hold.log" && break
    kill -0 "$hold_pid" 2>/dev/null || { cat "$WORK/registry/hold.log" >&2; exit 1; }
    sleep 0.1
  done
  grep -q '^registered' "$WORK/registry/hold.log" || { echo "registrations not done after 60 s" >&2; exit 1; }

  canary=$(plan 'p["canary"]["srv"]')
  live=$(plan 'p["canary"]["live_target"]')
  down=$(plan 'p["canary"]["down_target"]')
  merged=""
  for _ in $(seq 1 300); do
    answer=$(dig_srv "$canary" "$port")
    if [[ " $answer" == *" $live "* && " $answer" != *" $down "* ]]; then merged=$answer; break; fi
    sleep 0.1
  done
  [[ -n $merged ]] || { echo "the facade does not serve the merged set for $canary (wants $live, not $down): '$answer'" >&2; exit 1; }
  log "merged answer: $canary SRV -> $merged"
  {
    echo "\$ dig @127.0.0.1 -p PORT +norec $canary SRV   (facade, live-merged)"
    dig @127.0.0.1 -p "$port" +norec +noall +answer +additional "$canary" SRV
  } > "$RUN/merged-answer.txt"

  measure registry "$port"

  if ((CHURN_RATE > 0)); then
    serial_before=$(dig @127.0.0.1 -p "$port" +short "$ZONE" SOA | awk '{print $3}')
    # dig polls the canary 5 times a second in the background; its answer must change during the run.
    # shellcheck disable=SC2016 # the loop's $1 and $2 are its own arguments
    start "dig poller" "$WORK/registry/poll.log" bash -c \
      'while :; do dig @127.0.0.1 -p "$1" +norec +time=1 +tries=1 +short "$2" SRV | awk "{print \$4}" | sort | tr "\n" " "; echo; sleep 0.2; done' \
      poll "$port" "$canary"
    poll_pid=$STARTED
    start "zk.py churn ($CHURN_RATE/s)" "$RUN/churn.log" \
      "$PYTHON" "$HERE/zk.py" churn "127.0.0.1:$zk_port" "$WORK/plan.json" "$CHURN_RATE" "$((DURATION + 2))"
    churn_pid=$STARTED
    sleep 1
    log "registry + churn: ${DNSPERF[*]} -p $port -l $DURATION"
    "${DNSPERF[@]}" -p "$port" -l "$DURATION" > "$RUN/registry-churn.txt" 2>&1
    "$PYTHON" "$HERE/report.py" line "$RUN/registry-churn.txt" >&2
    wait "$churn_pid" || { cat "$RUN/churn.log" >&2; echo "zk.py churn failed" >&2; exit 1; }
    forget "$churn_pid"
    stop "$poll_pid"
    serial_after=$(dig @127.0.0.1 -p "$port" +short "$ZONE" SOA | awk '{print $3}')
    churn_target=$(plan 'p["canary"]["churn_target"]')
    "$PYTHON" - "$WORK/registry/poll.log" "$churn_target" "$serial_before" "$serial_after" > "$RUN/churn-verify.json" <<'EOF'
import json, sys
path, target, before, after = sys.argv[1:]
samples = [line.split() for line in open(path) if line.strip()]
print(json.dumps({
    "samples": len(samples),
    "distinct": len({" ".join(s) for s in samples}),
    "with_churn": sum(target in s for s in samples),
    "soa_serial_before": before,
    "soa_serial_after": after,
}))
EOF
    log "churn: $(grep '^{' "$RUN/churn.log" | tail -1); dig of $canary: $(cat "$RUN/churn-verify.json")"
    "$PYTHON" -c 'import json, sys; v = json.load(open(sys.argv[1])); sys.exit(0 if v["distinct"] > 1 and 0 < v["with_churn"] < v["samples"] else 1)' \
      "$RUN/churn-verify.json" || { echo "the canary's answer did not change during the churn run" >&2; exit 1; }
    "$PYTHON" -c 'import json, sys; v = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")][-1]; sys.exit(0 if v["rate"] >= 0.95 * float(sys.argv[2]) and v["failed"] == 0 else 1)' \
      "$RUN/churn.log" "$CHURN_RATE" || log "WARNING: the change rate fell short of $CHURN_RATE/s or changes failed (see churn.log)"
  fi
  cp "$WORK/registry/server.log" "$RUN/registry-server.log"
  stop "$hold_pid"
  stop "$pid"
fi
LOAD_AFTER=$(cut -d' ' -f1 /proc/loadavg)

# --- report ----------------------------------------------------------------------------------
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || true)
{
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine=$(nproc) cores, $CPU, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "load=$LOAD_BEFORE before, $LOAD_AFTER after"
  echo "named=$(named -v)"
  echo "knotd=$(knotd --version)"
  echo "dnsperf=$(dnsperf -h 2>&1 | grep -m1 Version || true)"
  echo "dotnet=$(dotnet --version)"
  echo "registry=$(git -C "$REPO" rev-parse --short HEAD)$(git -C "$REPO" diff --quiet HEAD -- src || echo ' (modified)')"
  echo "command=$(cat "$RUN/command.txt")"
  echo "latency=$LATENCY_QPS queries/s for ${LATENCY_DURATION}s (dnsperf -Q $LATENCY_QPS -v)"
  echo "zone=$SERVICES services, $HYBRID% hybrid; $QUERIES queries ($(plan 'p["mix"]')), $(plan 'p["distinct_queries"]') distinct, seed $SEED"
  echo "churn_rate=$CHURN_RATE"
} > "$RUN/meta.txt"
log "raw results: ${RUN#"$REPO"/}"
"$PYTHON" "$HERE/report.py" table "$RUN"
