"""Registrations for the DNS benchmark, through ZooKeeper with kazoo (run with /usr/bin/python3 and python3-kazoo).

    zk.py hold  HOST:PORT PLAN_JSON                registers the plan's instances as ephemeral znodes, prints
                                                   "registered N", and keeps the session (so the instances) until
                                                   SIGTERM or SIGINT, then deletes them
    zk.py churn HOST:PORT PLAN_JSON RATE SECONDS   changes the registrations RATE times per second for SECONDS, then
                                                   prints one JSON line (changes, seconds, rate, late)

Instances are Curator x-discovery ServiceInstance JSON under /services/<service>/<id> (DESIGN.md §3), as the
Registry SDK and registryctl write them. Churn changes are ephemeral creates and deletes of an instance "churn":
nine in ten go round-robin over the hybrid services, one in ten toggles the canary service, so that a client
polling the canary sees its answer change several times a second.
"""

import json
import signal
import sys
import threading
import time

from kazoo.client import KazooClient

BASE = "/services"


def payload(service, instance_id, address, port):
    return json.dumps({
        "name": service,
        "id": instance_id,
        "address": address,
        "port": port,
        "sslPort": None,
        "payload": {},
        "registrationTimeUTC": int(time.time() * 1000),
        "serviceType": "DYNAMIC",
        "uriSpec": None,
        "enabled": True,
    }, separators=(",", ":")).encode()


def connect(hosts):
    zk = KazooClient(hosts=hosts, timeout=10.0)
    zk.start(timeout=30)
    return zk


def hold(hosts, plan):
    zk = connect(hosts)
    # Service nodes are persistent here (kazoo 2.8 cannot create CONTAINER nodes); the server reads either.
    for service in sorted({i["service"] for i in plan["instances"]}):
        zk.ensure_path(f"{BASE}/{service}")
    pending = [zk.create_async(f"{BASE}/{i['service']}/{i['id']}", payload(i["service"], i["id"], i["address"], i["port"]),
                               ephemeral=True)
               for i in plan["instances"]]
    for p in pending:
        p.get(timeout=30)
    print(f"registered {len(pending)}", flush=True)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    while not done.wait(1):
        pass
    zk.stop()
    zk.close()


def churn(hosts, plan, rate, seconds):
    zk = connect(hosts)
    services = plan["hybrid"]
    canary = plan["canary"]["service"]
    others = [s for s in services if s != canary] or [canary]
    ports = {i["service"]: i["port"] for i in plan["instances"]}
    present = set()
    pending = []
    late = 0
    interval = 1.0 / rate
    start = time.monotonic()
    end = start + seconds
    n = 0
    try:
        while True:
            # A fixed schedule (start + n * interval), and requests not awaited one by one (one session keeps them
            # in order), so the rate holds whatever ZooKeeper's latency on a busy machine.
            due = start + n * interval
            now = time.monotonic()
            if due >= end:
                break
            if due > now:
                time.sleep(due - now)
            elif now - due > interval:
                late += 1
            service = canary if n % 10 == 0 else others[(n - n // 10 - 1) % len(others)]
            path = f"{BASE}/{service}/churn"
            if service in present:
                pending.append(zk.delete_async(path))
                present.discard(service)
            else:
                # The service's port, as another replica would have; undeclared, so it joins the answer.
                index = services.index(service)
                address = f"10.{250 + index // 250 % 5}.{index % 250}.9"
                pending.append(zk.create_async(path, payload(service, "churn", address, ports[service]), ephemeral=True))
                present.add(service)
            n += 1
        elapsed = time.monotonic() - start
        failed = 0
        for p in pending:
            try:
                p.get(timeout=30)
            except Exception as e:  # noqa: BLE001 - counted and shown, a benchmark helper should not stop here
                failed += 1
                print(f"change failed: {e!r}", file=sys.stderr)
    finally:
        zk.stop()
        zk.close()
    print(json.dumps({"changes": n, "failed": failed, "seconds": round(elapsed, 3), "rate": round(n / elapsed, 1), "late": late}),
          flush=True)


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in ("hold", "churn"):
        sys.exit(__doc__)
    with open(sys.argv[3]) as f:
        plan = json.load(f)
    if sys.argv[1] == "hold":
        hold(sys.argv[2], plan)
    else:
        churn(sys.argv[2], plan, float(sys.argv[4]), float(sys.argv[5]))


if __name__ == "__main__":
    main()
