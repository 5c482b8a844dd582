#!/usr/bin/env bash
# Starts a development ZooKeeper (standalone, data under ./data/zookeeper) and shows Registry's client at work:
# demo service instances registered as ephemeral znodes, watched as they appear, change and vanish.
#   deploy/dev.sh           run the demo, then stop ZooKeeper
#   deploy/dev.sh --keep    leave ZooKeeper running on 127.0.0.1:${ZK_PORT:-2181} (try: registryctl zk watch /services)
# Environment: ZK_PORT (default 2181).
# The registry server (issue 3) replaces the demo with the real thing: DNS and gRPC over the merged live view.
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/lib/packages.sh
ensure_packages zookeeper default-jre-headless
require_dotnet

keep=false
[[ ${1:-} == --keep ]] && keep=true
port=${ZK_PORT:-2181}
data=$PWD/data/zookeeper
mkdir -p "$data"
sed "s/^clientPort=.*/clientPort=$port/" deploy/zookeeper/zoo.cfg > "$data/zoo.cfg"
echo "dataDir=$data" >> "$data/zoo.cfg"

if (echo srvr > "/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "==> a ZooKeeper already answers on 127.0.0.1:$port; using it"
  started=false
else
  echo "==> starting ZooKeeper on 127.0.0.1:$port (log: $data/zookeeper.log)"
  classpath=/usr/share/java/zookeeper.jar
  [[ -f /usr/share/java/slf4j-simple.jar ]] && classpath+=:/usr/share/java/slf4j-simple.jar
  java -Xmx256m -Dzookeeper.extendedTypesEnabled=true -cp "$classpath" \
    org.apache.zookeeper.server.ZooKeeperServerMain "$data/zoo.cfg" >> "$data/zookeeper.log" 2>&1 &
  echo $! > "$data/zookeeper.pid"
  started=true
  if ! $keep; then trap 'kill "$(cat "$data/zookeeper.pid")" 2>/dev/null || true' EXIT; fi
  for _ in $(seq 1 100); do
    if exec 3<>"/dev/tcp/127.0.0.1/$port" 2>/dev/null; then
      echo srvr >&3
      if grep -q "Mode: standalone" <&3; then exec 3>&-; break; fi
      exec 3>&-
    fi
    sleep 0.2
  done
fi

echo "==> building registryctl"
dotnet build src/Registry.Cli -c Release -nologo -clp:ErrorsOnly -v q
echo "==> registryctl zk demo"
dotnet src/Registry.Cli/bin/Release/net10.0/registryctl.dll zk demo --zookeeper "127.0.0.1:$port"
if $keep && $started; then
  echo "==> ZooKeeper keeps running on 127.0.0.1:$port (pid $(cat "$data/zookeeper.pid")); stop it with: kill $(cat "$data/zookeeper.pid")"
fi
