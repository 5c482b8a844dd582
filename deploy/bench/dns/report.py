"""Reads dnsperf's output for the DNS benchmark (run.sh) and prints the results.

    report.py line FILE     one line: QPS, lost, latency of one dnsperf run
    report.py table RUN     the Markdown table of a run directory (bind.txt, knot.txt, registry.txt,
                            registry-churn.txt, *-latency.txt, churn.log, churn-verify.json, meta.txt) and the verdict

Standard library only. dnsperf 2.x prints "Statistics:" then "  Key:   value" lines; the statistics are looked up by
key, so reordered or added lines do not matter, and a run without them (the server never answered) is an error.
"""

import json
import os
import re
import sys

ROWS = (("bind", "BIND 9 (named)"), ("knot", "Knot DNS (knotd)"), ("registry", "Registry facade"),
        ("registry-churn", "Registry facade, view changing"))


def parse(path):
    with open(path) as f:
        text = f.read()
    if "Statistics:" not in text:
        raise SystemExit(f"{path}: no dnsperf statistics (did the server answer?):\n{text[-2000:]}")
    stats = {}
    for line in text.split("Statistics:", 1)[1].splitlines():
        key, sep, value = line.strip().partition(":")
        if sep:
            stats[key.strip()] = value.strip()

    def number(key, pattern=r"([0-9.]+)"):
        m = re.match(pattern, stats.get(key, ""))
        if not m:
            raise SystemExit(f"{path}: cannot read '{key}' from dnsperf's output")
        return [float(g) for g in m.groups()] if len(m.groups()) > 1 else float(m.group(1))

    avg, lat_min, lat_max = number("Average Latency (s)", r"([0-9.]+) \(min ([0-9.]+), max ([0-9.]+)\)")
    size = re.search(r"response (\d+)", stats.get("Average packet size", ""))
    rcodes = dict((name, int(count)) for name, count in re.findall(r"([A-Z]+) (\d+) \(", stats.get("Response codes", "")))
    return {
        "sent": int(number("Queries sent")),
        "completed": int(number("Queries completed")),
        "lost": int(number("Queries lost")),
        "qps": number("Queries per second"),
        "avg_ms": avg * 1000,
        "min_ms": lat_min * 1000,
        "max_ms": lat_max * 1000,
        "stddev_ms": number("Latency StdDev (s)") * 1000,
        "rcodes": rcodes,
        "response_bytes": int(size.group(1)) if size else None,
    }


def percentiles(path):
    """Latencies of `dnsperf -v` lines ("> RCODE name type seconds"); None when the file is missing."""
    if not os.path.exists(path):
        return None
    latencies = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 5 and parts[0] == ">":
                try:
                    latencies.append(float(parts[4]) * 1000)
                except ValueError:
                    pass
    if not latencies:
        return None
    latencies.sort()

    def at(q):
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))]

    stats = parse(path)
    asked = re.search(r"-Q (\d+)", open(path).read())
    return {"p50": at(0.50), "p99": at(0.99), "p999": at(0.999), "n": len(latencies), "qps": stats["qps"],
            "asked": float(asked.group(1)) if asked else stats["qps"]}


def rcode_mix(r):
    total = sum(r["rcodes"].values()) or 1
    return ", ".join(f"{name} {count * 100 / total:.1f}%" for name, count in sorted(r["rcodes"].items(), key=lambda kv: -kv[1]))


def line(path):
    r = parse(path)
    print(f"   {r['qps']:,.0f} queries/s, {r['lost']} lost of {r['sent']:,}, latency avg {r['avg_ms']:.3f} ms "
          f"(max {r['max_ms']:.1f}, stddev {r['stddev_ms']:.3f}); {rcode_mix(r)}")


def table(run):
    meta = {}
    if os.path.exists(os.path.join(run, "meta.txt")):
        with open(os.path.join(run, "meta.txt")) as f:
            for entry in f:
                key, _, value = entry.rstrip("\n").partition("=")
                meta[key] = value
    results = {key: parse(os.path.join(run, f"{key}.txt")) for key, _ in ROWS if os.path.exists(os.path.join(run, f"{key}.txt"))}
    latency = {key: percentiles(os.path.join(run, f"{key}-latency.txt")) for key in results}

    print()
    for key in ("date", "machine", "load", "named", "knotd", "dnsperf", "dotnet", "registry", "command", "latency", "zone"):
        if key in meta:
            print(f"- {key}: {meta[key]}")
    print()
    knot = results.get("knot")
    print("| server | queries/s | vs Knot | lost | avg latency (ms) | max (ms) | stddev (ms) | p50 / p99 / p99.9 at fixed rate (ms) | response codes | avg response |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for key, label in ROWS:
        r = results.get(key)
        if not r:
            continue
        ratio = f"{r['qps'] / knot['qps']:.2f}×" if knot else "–"
        p = latency.get(key)
        fixed = f"{p['p50']:.3f} / {p['p99']:.3f} / {p['p999']:.3f}" if p else "–"
        if p and p["qps"] < 0.95 * p["asked"]:
            # Below the asked rate the server was saturated: the percentiles are queueing delay, not service time.
            fixed += f" (saturated: {p['qps']:,.0f}/s of {p['asked']:,.0f})"
        print(f"| {label} | {r['qps']:,.0f} | {ratio} | {r['lost']:,} of {r['sent']:,} | {r['avg_ms']:.3f} | {r['max_ms']:.1f} | "
              f"{r['stddev_ms']:.3f} | {fixed} | {rcode_mix(r)} | {r['response_bytes'] or '?'} B |")

    churn_log = os.path.join(run, "churn.log")
    if os.path.exists(churn_log):
        with open(churn_log) as f:
            summary = [json.loads(entry) for entry in f if entry.startswith("{")]
        verify = {}
        if os.path.exists(os.path.join(run, "churn-verify.json")):
            with open(os.path.join(run, "churn-verify.json")) as f:
                verify = json.load(f)
        if summary:
            c = summary[-1]
            print()
            print(f"View changes during the churn run: {c['changes']:,} in {c['seconds']:.1f} s = {c['rate']:.1f}/s "
                  f"({c['late']} issued more than one interval late, {c.get('failed', 0)} failed); dig polled the canary {verify.get('samples', '?')} times: "
                  f"{verify.get('distinct', '?')} distinct answers, {verify.get('with_churn', '?')} with the churned instance; "
                  f"SOA serial {verify.get('soa_serial_before', '?')} → {verify.get('soa_serial_after', '?')}.")

    bind = results.get("bind")
    facade = results.get("registry")
    print()
    ratios = []
    if facade and knot:
        ratios.append(f"facade/Knot {facade['qps'] / knot['qps']:.2f}×")
    if facade and bind:
        ratios.append(f"facade/BIND {facade['qps'] / bind['qps']:.2f}×")
    if knot and bind:
        ratios.append(f"Knot/BIND {knot['qps'] / bind['qps']:.2f}×")
    churned = results.get("registry-churn")
    if churned and facade:
        ratios.append(f"facade churning/steady {churned['qps'] / facade['qps']:.2f}×")
    if ratios:
        print("Ratios: " + ", ".join(ratios) + ".")
    if facade and knot:
        met = facade["qps"] >= knot["qps"] and facade["lost"] == 0
        print(f"Target (issue 4 §3: at least Knot's QPS with 0 lost queries, serving live-merged answers): "
              f"{'MET' if met else 'NOT MET'} — facade {facade['qps']:,.0f}/s with {facade['lost']} lost, Knot {knot['qps']:,.0f}/s.")
        if churned:
            met_churn = churned["qps"] >= knot["qps"] and churned["lost"] == 0
            print(f"While the view changes: {'MET' if met_churn else 'NOT MET'} — {churned['qps']:,.0f}/s with {churned['lost']} lost.")


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("line", "table"):
        sys.exit(__doc__)
    if sys.argv[1] == "line":
        line(sys.argv[2])
    else:
        table(sys.argv[2])


if __name__ == "__main__":
    main()
