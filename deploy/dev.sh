#!/usr/bin/env bash
# Runs Registry on this machine and shows live data: registry-server with its embedded ZooKeeper (data under ./data)
# and the example zone deploy/zones/svc.example.zone, plus demo instances registering as a real service would.
#   deploy/dev.sh           run until Ctrl+C (the server, ZooKeeper and the demo instances stop with it)
#   deploy/dev.sh --check   run the tour once and exit 0 when the live view showed every step (what CI runs)
# Environment: HTTP_PORT (default 8053), DNS_PORT (default 5300), ZK_PORT (default 2181), DATA_DIR (default ./data).
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/lib/packages.sh
ensure_packages zookeeper default-jre-headless bind9-dnsutils
require_dotnet

check=false
[[ ${1:-} == --check ]] && check=true
http_port=${HTTP_PORT:-8053}
zk_port=${ZK_PORT:-2181}
dns_port=${DNS_PORT:-5300}
url=http://127.0.0.1:$http_port
data=${DATA_DIR:-$PWD/data}
mkdir -p "$data"

echo "==> building registry-server and registryctl"
dotnet build src/Registry.Server -c Release -nologo -clp:ErrorsOnly -v q | grep -v "^$\|Build succeeded\|Warning(s)\|Error(s)\|Time Elapsed" || true
dotnet build src/Registry.Cli -c Release -nologo -clp:ErrorsOnly -v q | grep -v "^$\|Build succeeded\|Warning(s)\|Error(s)\|Time Elapsed" || true
server=src/Registry.Server/bin/Release/net10.0/registry-server.dll
ctl=src/Registry.Cli/bin/Release/net10.0/registryctl.dll

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

echo "==> registry-server: embedded ZooKeeper on 127.0.0.1:$zk_port, zones deploy/zones, HTTP $url, DNS 127.0.0.1:$dns_port (log: $data/registry-server.log)"
dotnet "$server" --zones deploy/zones --data-dir "$data" --embedded-port "$zk_port" --listen "$url" --dns-listen "127.0.0.1:$dns_port" \
  > "$data/registry-server.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do
  curl -sf "$url/readyz" > /dev/null && break
  if ! kill -0 "${pids[0]}" 2>/dev/null; then cat "$data/registry-server.log"; exit 1; fi
  sleep 0.2
done
curl -sf "$url/readyz" > /dev/null || { echo "registry-server did not become ready:"; tail -20 "$data/registry-server.log"; exit 1; }

show() { /usr/bin/python3 deploy/lib/view.py "$url" service "$1"; }
# Waits until the view of service $1 shows endpoint $3 in state $2 (empty $2: until $3 is gone).
await_state() {
  for _ in $(seq 1 100); do
    [[ "$(/usr/bin/python3 deploy/lib/view.py "$url" state "$1" "$3" || true)" == "$2" ]] && return 0
    sleep 0.1
  done
  echo "timed out waiting for $3 to be ${2:-gone} in $1"; return 1
}
register() {
  dotnet "$ctl" register "$@" -z "127.0.0.1:$zk_port" > /dev/null &
  pids+=($!)
}

echo "==> the zone file's intent, before anything registers: web is static, served as declared"
show web
echo "==> ap1 registers at 127.0.0.1:4070, the address and port the zone file declares for ap1.hosts"
register web --id ap1 --address 127.0.0.1 --port 4070
await_state web live ap1.hosts.svc.example.
show web
echo "==> ap3 registers too: not in the zone file, so it is served and reported as drift (running, undeclared)"
register web --id ap3 --address 127.0.0.1 --port 4071
await_state web undeclared ap3.web.svc.example.
show web
echo "==> jobs registers without any zone file entry: a dynamic service"
register jobs --id worker1 --address 127.0.0.1 --port 7000
await_state jobs live worker1.jobs.svc.example.
show jobs
echo "==> the same through DNS: dig @127.0.0.1 -p $dns_port _web._tcp.svc.example. SRV"
dig @127.0.0.1 -p "$dns_port" +norec +noall +answer +additional _web._tcp.svc.example. SRV | sed 's/^/   /'
echo "==> every service: curl $url/v1/services"
/usr/bin/python3 deploy/lib/view.py "$url" list

if $check; then
  echo "==> ap3 stops (SIGTERM): it deregisters at once"
  kill -TERM "${pids[2]}"
  await_state web "" ap3.web.svc.example.
  show web
  echo "==> tour complete"
  exit 0
fi

echo
echo "Live now. Try, in another terminal:"
echo "   curl $url/v1/services/web                 # the merged view of web, with provenance and drift"
echo "   dig @127.0.0.1 -p $dns_port _web._tcp.svc.example. SRV     # what DNS clients get"
echo "   dotnet $ctl register web --id ap2 --address 10.0.0.2 --port 4070 -z 127.0.0.1:$zk_port"
echo "   edit deploy/zones/svc.example.zone         # reloaded on save; a mistake is logged with file:line"
echo "Ctrl+C stops the server, its ZooKeeper and the demo instances."
wait "${pids[0]}"
