"""Prints registry-server's JSON view for people (deploy/dev.sh).

usage: view.py URL service NAME          the endpoints of one service, with state and provenance
       view.py URL list                  every service, one line each
       view.py URL state NAME TARGET     exit 0 when TARGET is an endpoint of service NAME, and print its state
"""
import json
import sys
import urllib.error
import urllib.request


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        return json.load(error)


def service(base, name):
    view = get(f"{base}/v1/services/{name}")
    stale = str(view["view"]["stale"]).lower()
    for s in view["services"]:
        print(f"   {s['srvName']} mode={s['mode']} degraded={str(s['degraded']).lower()} stale={stale}")
        for e in s["endpoints"]:
            if e["registration"]:
                origin = e["registration"]["path"]
            else:
                origin = "{}:{}".format(e["declared"]["file"], e["declared"]["line"])
            answer = "answer" if e["inAnswer"] else "      "
            print(f"     {e['state']:<10} {answer} SRV {e['priority']} {e['weight']} {e['port']} {e['target']}  ({origin})")


def listing(base):
    for s in get(f"{base}/v1/services")["services"]:
        print(f"   {s['srvName']:<28} {s['mode']:<8} answers={s['answers']} "
              f"declared-not-running={s['declaredNotRunning']} running-undeclared={s['runningUndeclared']}")


def state(base, name, target):
    view = get(f"{base}/v1/services/{name}")
    for s in view.get("services", []):
        for e in s["endpoints"]:
            if e["target"] == target:
                print(e["state"])
                return 0
    return 1


if __name__ == "__main__":
    base, command, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    if command == "service":
        service(base, *args)
    elif command == "list":
        listing(base)
    elif command == "state":
        sys.exit(state(base, *args))
    else:
        sys.exit(__doc__)
