# Sourced by the benchmark scripts (after they set HERE to their own directory): the paths, log(), and one
# standalone ZooKeeper 3.8 for the run, stopped and deleted on exit. Needs ZK_JAR from the caller.
#   start_zookeeper NAME HEAP FORCE_SYNC [extra zoo.cfg lines...]
# Sets WORK (the run's directory), PORT and ZK_PID; four_letter WORD asks that server.

REPO=$(cd "$HERE/../../.." && pwd)
OUT=$REPO/deploy/bench/out
PROJECT=$REPO/tests/Registry.Benchmarks/Registry.Benchmarks.csproj
PYTHON=/usr/bin/python3
log() { printf '\e[1m== %s\e[0m\n' "$*" >&2; }

# slf4j-nop, when installed, silences slf4j's "no binding" banner in both server and client.
CLASSPATH_EXTRA=""
[[ -f /usr/share/java/slf4j-nop.jar ]] && CLASSPATH_EXTRA=:/usr/share/java/slf4j-nop.jar

start_zookeeper() {
  local name=$1 heap=$2 force_sync=$3
  shift 3
  WORK=$(mktemp -d -t "$name.XXXXXX")
  ZK_PID=""
  trap _stop_zookeeper EXIT
  trap 'exit 130' INT TERM

  PORT=$($PYTHON -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  {
    echo "tickTime=500"
    echo "dataDir=$WORK/data"
    echo "clientPort=$PORT"
    echo "forceSync=$force_sync"
    echo "admin.enableServer=false"
    echo "4lw.commands.whitelist=*"
    echo "maxClientCnxns=0"
    for line in "$@"; do echo "$line"; done
  } > "$WORK/zoo.cfg"
  log "ZooKeeper standalone on 127.0.0.1:$PORT (-Xmx$heap, forceSync=$force_sync, $WORK)"
  java "-Xmx$heap" -cp "$ZK_JAR$CLASSPATH_EXTRA" org.apache.zookeeper.server.ZooKeeperServerMain "$WORK/zoo.cfg" \
    >"$WORK/server.log" 2>&1 &
  ZK_PID=$!

  for _ in $(seq 1 120); do
    four_letter srvr | grep -q 'Mode: standalone' && return 0
    kill -0 "$ZK_PID" 2>/dev/null || { echo "ZooKeeper exited:" >&2; cat "$WORK/server.log" >&2; exit 1; }
    sleep 0.25
  done
  echo "ZooKeeper not serving after 30 s" >&2
  cat "$WORK/server.log" >&2
  exit 1
}

four_letter() {
  timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$PORT"' && printf %s "$0" >&3 && cat <&3' "$1" 2>/dev/null || true
}

_stop_zookeeper() {
  if [[ -n ${ZK_PID:-} ]]; then
    kill "$ZK_PID" 2>/dev/null || true
    wait "$ZK_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
