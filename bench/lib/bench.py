#!/usr/bin/env python3
"""Helpers for bench/run: parse wrk, walk pages, time start-up, write the report.

Only the standard library: the harness must run on a fresh machine.
"""

import base64
import http.client
import json
import os
import socket
import sqlite3
import subprocess
import statistics
import sys
import time
import urllib.parse
import urllib.request


def ms(text):
    """wrk's '123.45us' / '1.20ms' / '2.00s' in milliseconds."""
    for unit, scale in (("us", 0.001), ("ms", 1.0), ("s", 1000.0), ("m", 60000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * scale
    return float(text)


def wrk_parse(path):
    out = {"non_2xx": 0, "socket_errors": 0}
    for line in open(path):
        parts = line.split()
        if line.startswith("Requests/sec:"):
            out["rps"] = float(parts[1])
        elif len(parts) == 2 and parts[0] in ("50%", "90%", "99%"):
            out["p" + parts[0][:-1] + "_ms"] = ms(parts[1])
        elif line.startswith("Non-2xx or 3xx responses:"):
            out["non_2xx"] = int(parts[-1])
        elif line.strip().startswith("Socket errors:"):
            out["socket_errors"] = sum(int(p.strip(",")) for p in parts[2::2])
        elif "requests in" in line:
            out["requests"] = int(parts[0])
    print(json.dumps(out))


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def walk(base, path, user, password, pages):
    """Follows next_page_uri from `path` until page number `pages` (1-based);
    prints that page's URI."""
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port)
    headers = {"Authorization": basic(user, password)}
    uri = path
    for n in range(1, pages):
        conn.request("GET", uri, headers=headers)
        resp = conn.getresponse()
        body = json.loads(resp.read())
        if resp.status != 200:
            sys.exit(f"page {n} answered {resp.status}: {body}")
        uri = body.get("next_page_uri")
        if not uri:
            sys.exit(f"page {n} has no next page")
    print(uri)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def startup(binary, database_url, user, password, runs):
    """Starts `switchboard serve` on an existing database `runs` times; prints the
    times from exec to the first 200 of Principal.json (ms)."""
    times = []
    headers = {"Authorization": basic(user, password)}
    for _ in range(runs):
        port = free_port()
        t0 = time.monotonic()
        proc = subprocess.Popen(
            [binary, "serve", "--listen", f"127.0.0.1:{port}", "--database-url", database_url],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            while True:
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                    conn.request("GET", "/switchboard/v1/Principal.json", headers=headers)
                    status = conn.getresponse().status
                    conn.close()
                    if status == 200:
                        break
                    sys.exit(f"Principal.json answered {status}")
                except (ConnectionRefusedError, ConnectionResetError):
                    if proc.poll() is not None:
                        sys.exit("the server exited during start-up")
                    if time.monotonic() - t0 > 30:
                        sys.exit("no answer within 30 s")
                    time.sleep(0.0005)
            times.append((time.monotonic() - t0) * 1000)
        finally:
            proc.terminate()
            proc.wait()
    times.sort()
    print(json.dumps({"runs_ms": [round(t, 1) for t in times], "median_ms": round(times[len(times) // 2], 1)}))


def replies(db_path, expected, timeout_s):
    """Waits until `expected` outbound-reply messages are `delivered` in the
    server's SQLite file (read beside the running server, as any reader of a WAL
    database may); prints how many and when the last went `delivered` (Unix ms,
    the server's own `date_updated`), and the webhook deliveries' states."""
    deadline = time.monotonic() + timeout_s
    db = sqlite3.connect(db_path, timeout=5)
    query = ("SELECT count(*), max(date_updated) FROM messages "
             "WHERE direction = 'outbound-reply' AND status = 'delivered'")
    while True:
        delivered, last_us = db.execute(query).fetchone()
        if delivered >= expected or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    states = dict(db.execute("SELECT state, count(*) FROM deliveries GROUP BY state").fetchall())
    replies_all = db.execute("SELECT count(*) FROM messages WHERE direction = 'outbound-reply'").fetchone()[0]
    inbound = db.execute("SELECT count(*) FROM messages WHERE direction = 'inbound'").fetchone()[0]
    db.close()
    print(json.dumps({"delivered": delivered, "replies": replies_all, "inbound": inbound,
                      "last_ms": (last_us or 0) / 1000, "webhooks": states}))


def calls(db_path, expected, timeout_s):
    """Waits until `expected` API calls have ended in the server's SQLite file
    (read beside the running server, as `replies` does); prints how many ended
    and how (by status), when the last ended (Unix ms, the server's own
    `date_updated`), the calls' engine rows by phase, and the webhook
    deliveries' states."""
    deadline = time.monotonic() + timeout_s
    db = sqlite3.connect(db_path, timeout=5)
    final = "('completed', 'busy', 'no-answer', 'failed', 'canceled')"
    query = ("SELECT count(*), max(date_updated) FROM calls "
             f"WHERE direction = 'outbound-api' AND status IN {final}")
    while True:
        ended, last_us = db.execute(query).fetchone()
        if ended >= expected or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    statuses = dict(db.execute("SELECT status, count(*) FROM calls GROUP BY status").fetchall())
    phases = dict(db.execute("SELECT phase, count(*) FROM call_voice GROUP BY phase").fetchall())
    states = dict(db.execute("SELECT state, count(*) FROM deliveries GROUP BY state").fetchall())
    notifications = dict(db.execute(
        "SELECT error_code, count(*) FROM notifications GROUP BY error_code").fetchall())
    db.close()
    print(json.dumps({"ended": ended, "completed": statuses.get("completed", 0),
                      "statuses": statuses, "phases": phases, "webhooks": states,
                      "notifications": {str(k): v for k, v in notifications.items()},
                      "last_ms": (last_us or 0) / 1000}))


def events(stats_url, wanted, timeout_s):
    """Waits until the receiver at `stats_url` has counted, for each
    `event=count` of `wanted` (comma-separated), that many conference status
    callbacks; prints its conference counts ({event: {count, last_ms}})."""
    want = {e: int(n) for e, n in (w.split("=") for w in wanted.split(","))}
    deadline = time.monotonic() + timeout_s
    while True:
        got = json.load(urllib.request.urlopen(stats_url))["conference"]
        if all(got.get(e, {}).get("count", 0) >= n for e, n in want.items()):
            break
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    print(json.dumps(got))


# --- the report -------------------------------------------------------------

# Scenario 10's seed: 3 accounts, 1 Connect App, 1 authorization, 2 numbers
# (no console passwords: their argon2 hash is paid once, at creation, by design).
SANDBOX_SEED = {
    "accounts": {
        "owner": {"connect_apps": {"analytics": {
            "authorize_redirect_url": "https://app.example.test/authorize",
            "deauthorize_callback_url": "https://app.example.test/deauthorize",
            "permissions": ["get-all", "post-all"]}}},
        "alice": {"phone_numbers": [{"phone_number": "+14155550100",
                                     "sms_url": "https://app.example.test/sms"}]},
        "bob": {"phone_numbers": [{"phone_number": "+14155550101"}]},
    },
    "authorizations": [{"customer": "bob", "connect_app": "analytics"}],
}


def sandbox(base, floor, runs):
    """Creates `runs` sandboxes from SANDBOX_SEED and resets each once, one
    request at a time on a kept-alive connection; the floor is the bare
    handler's round trip, measured the same way in the same run."""
    def conn(url):
        u = urllib.parse.urlparse(url)
        return http.client.HTTPConnection(u.hostname, u.port, timeout=30)

    def timed(c, method, path, body=None, headers=None):
        t = time.perf_counter()
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        return (time.perf_counter() - t) * 1000, r.status, data

    f = conn(floor)
    floor_ms = [timed(f, "GET", "/")[0] for _ in range(runs)]
    c = conn(base)
    body = json.dumps(SANDBOX_SEED)
    created, reset = [], []
    for _ in range(runs):
        ms_, status, data = timed(c, "POST", "/switchboard/v1/Sandboxes.json", body,
                                  {"Content-Type": "application/json"})
        if status != 201:
            sys.exit(f"sandbox create: {status} {data[:300]!r}")
        created.append(ms_)
        sb = json.loads(data)
        owner = sb["accounts"]["owner"]
        auth = basic(owner["sid"], owner["auth_token"])
        ms_, status, data = timed(c, "POST", f"/switchboard/v1/Sandboxes/{sb['sid']}/Reset.json",
                                  "", {"Authorization": auth, "Content-Length": "0"})
        if status != 200:
            sys.exit(f"sandbox reset: {status} {data[:300]!r}")
        reset.append(ms_)
    print(json.dumps({
        "runs": runs,
        "create_p50_ms": statistics.median(created), "reset_p50_ms": statistics.median(reset),
        "create_p90_ms": sorted(created)[int(runs * 0.9) - 1],
        "reset_p90_ms": sorted(reset)[int(runs * 0.9) - 1],
        "floor_p50_ms": statistics.median(floor_ms),
    }))


def fmt(x, digits=0):
    if x is None:
        return "–"
    return f"{x:,.{digits}f}"


def report(results_jsonl, meta_json, out_md, out_json):
    meta = json.load(open(meta_json))
    rows = [json.loads(l) for l in open(results_jsonl) if l.strip()]
    # Scenario 1's paired rounds: each scenario run against the floor measured
    # just before it.
    floors = [r for r in rows if r["id"] == "principal_floor"]
    paired = [r for r in rows if r["id"] == "principal_sqlite"]
    pairs = [(f, r) for f, r in zip(floors, paired) if f.get("rps") and r.get("rps")]
    by = {}
    for r in rows:
        # A scenario measured more than once (the list pages, taken in ABBA order)
        # is reported as the mean of its runs.
        if r["id"] in by and "rps" in r:
            prev = by[r["id"]]
            n = prev.get("runs", 1)
            for k in ("rps", "p50_ms", "p90_ms", "p99_ms"):
                if k in r and k in prev:
                    prev[k] = (prev[k] * n + r[k]) / (n + 1)
            for k in ("requests", "non_2xx", "socket_errors"):
                prev[k] = prev.get(k, 0) + r.get(k, 0)
            prev["runs"] = n + 1
        else:
            by[r["id"]] = dict(r)
    base = [by[k]["rps"] for k in ("baseline", "baseline_end") if k in by]
    base_rps = sum(base) / len(base) if base else None
    scenarios = []

    def ratio(r):
        return r["rps"] / base_rps if base_rps and r.get("rps") else None

    def add(sid, name, measured, target, met, detail=""):
        scenarios.append({"id": sid, "scenario": name, "measured": measured,
                          "target": target, "met": met, "detail": detail})

    if base_rps:
        add("baseline", "Bare axum handler (the floor)", f"{fmt(base_rps)} req/s",
            "–", None, " / ".join(f"{fmt(b)} req/s" for b in base) + " (start / end of run)")
    for sid, name, target in (
        ("principal_sqlite", "1. Authentication + permission check, Connect principal (Principal.json), SQLite", 0.85),
        ("principal_postgres", "1b. The same on PostgreSQL (extra)", None),
        ("fetch_sqlite", "2. Connect App fetches one call, SQLite", 0.40),
        ("fetch_postgres", "3. Connect App fetches one call, PostgreSQL", 0.20),
    ):
        r = by.get(sid)
        if not r:
            continue
        q = ratio(r)
        if sid == "principal_sqlite" and pairs:
            q = statistics.median(p["rps"] / f["rps"] for f, p in pairs)
        met = q is not None and target is not None and q >= target and r.get("non_2xx", 0) == 0
        if sid == "fetch_sqlite":
            met = met and r.get("p99_ms", 1e9) < 5
        detail = f"{fmt(r['rps'])} req/s, p50 {fmt(r.get('p50_ms'), 2)} ms, p99 {fmt(r.get('p99_ms'), 2)} ms"
        if sid == "principal_sqlite" and pairs:
            detail = (f"median of {len(pairs)} rounds, each against the floor measured just before it: "
                      + ", ".join(f"{p['rps'] / f['rps']:.1%} ({fmt(p['rps'])} / {fmt(f['rps'])} req/s)"
                                  for f, p in pairs)
                      + f"; mean {detail}")
        if r.get("non_2xx"):
            detail += f", {r['non_2xx']} non-2xx"
        tgt = "–" if target is None else f"≥ {target:.0%}" + (", p99 < 5 ms" if sid == "fetch_sqlite" else "")
        add(sid, name, f"{q:.1%} of baseline" if q else "–", tgt, met if target else None, detail)
    first, deep = by.get("list_first"), by.get("list_deep")
    if first and deep:
        slow = first["rps"] / deep["rps"]
        p50 = deep["p50_ms"] / first["p50_ms"]
        add("list", f"4. List 50 calls: page {deep.get('page')} vs first page, {fmt(deep.get('calls'))} calls",
            f"deep page {slow:.2f}× the first (p50 {p50:.2f}×)", "≤ 1.3×", slow <= 1.3 and p50 <= 1.3,
            f"first {fmt(first['rps'])} req/s ({ratio(first):.1%}), p50 {fmt(first['p50_ms'], 2)} ms; "
            f"deep {fmt(deep['rps'])} req/s ({ratio(deep):.1%}), p50 {fmt(deep['p50_ms'], 2)} ms; "
            f"means of {first.get('runs', 1)} runs each, taken first, deep, deep, first")
    c = by.get("consent")
    if c:
        add("consent", "5. Consent completions (GET page, POST Authorize, 302), SQLite",
            f"{fmt(c['per_second'])} /s", "≥ 1,000 /s", c["per_second"] >= 1000 and c["errors"] == 0,
            f"{fmt(c['completions'])} in {c['seconds']:.1f} s, {c['workers']} workers, p50 {c['p50_ms']:.1f} ms, "
            f"p99 {c['p99_ms']:.1f} ms, {c['errors']} errors")
    d = by.get("deauthorize")
    if d:
        ok = d["unique"] == d["expected"] and d["duplicates"] == 0
        add("deauthorize", f"6. Deauthorize callbacks: revoke {fmt(d['expected'])} grants, count at a receiver",
            f"{fmt(d['per_second'])} /s end to end", "all, none twice, ≥ 5,000 /s",
            ok and d["per_second"] >= 5000,
            f"{fmt(d['unique'])} delivered, {d['duplicates']} twice; revoke requests {fmt(d['revoke_per_second'])} /s; "
            f"first to last delivery {fmt(d['delivery_per_second'])} /s")
    o = by.get("outbox")
    if o:
        ok = o["unique"] == o["expected"] and o["duplicates"] == 0
        add("outbox", f"6b. Deauthorize callbacks alone: {fmt(o['expected'])} waiting in the outbox at start-up",
            f"{fmt(o['per_second'])} /s", "(diagnostic: the delivery pipeline alone)", None,
            f"{fmt(o['unique'])} delivered, {o['duplicates']} twice, in {o['seconds']:.2f} s from exec to the last")
    i = by.get("inbound")
    if i:
        ok = i["delivered"] == i["expected"] and i["errors"] == 0
        floor = f" (the floor: {fmt(base_rps)} req/s)" if base_rps else ""
        add("inbound", f"9. Inbound SMS round trips: {fmt(i['expected'])} messages in, one TwiML reply each, SQLite",
            f"{fmt(i['per_second'])} /s", "all delivered, ≥ 2,000 /s", ok and i["per_second"] >= 2000,
            f"{fmt(i['delivered'])} replies delivered in {i['seconds']:.2f} s from the first message to the "
            f"last reply's `delivered`; messages accepted {fmt(i['accept_per_second'])} /s, {i['errors']} errors; "
            f"{fmt(i['webhooks'])} webhooks answered, {i['duplicates']} twice{floor}")
    v = by.get("voice")
    if v:
        ok = v["completed"] == v["expected"] and v["errors"] == 0 and v["digits"] == v["expected"]
        floor = f" (the floor: {fmt(base_rps)} req/s)" if base_rps else ""
        add("voice", f"11. TwiML calls: {fmt(v['expected'])} calls, <Say> + <Gather> (key queued) → action → "
            "<Hangup>, instant clock, SQLite",
            f"{fmt(v['per_second'])} completed calls/s", "all completed, ≥ 1,000 /s",
            ok and v["per_second"] >= 1000,
            f"{fmt(v['completed'])} completed in {v['seconds']:.2f} s from the first call placed to the last "
            f"call's end; placed (Calls.json + Input.json) {fmt(v['accept_per_second'])} /s, {v['errors']} "
            f"errors; {fmt(v['answers'])} answers and {fmt(v['actions'])} actions requested, "
            f"{fmt(v['digits'])} actions with the key{floor}")
    cf = by.get("conference")
    if cf:
        add("conference", f"12. Conference fan-in: {fmt(cf['calls'])} callers join {fmt(cf['rooms'])} "
            "conferences (<Dial><Conference>), instant clock, SQLite",
            f"{fmt(cf['per_second'])} callers joined/s", "all events delivered (rate reported)",
            cf["ok"],
            f"{fmt(cf['joins'])} participant-join and {fmt(cf['starts'])} conference-start callbacks "
            f"in {cf['seconds']:.2f} s from the first call placed to the last join delivered; calls placed "
            f"{fmt(cf['accept_per_second'])} /s, {cf['errors']} errors; then every conference ended by the "
            f"API: {fmt(cf['leaves'])} participant-leave and {fmt(cf['ends'])} conference-end callbacks "
            f"{cf['end_seconds']:.2f} s after; {cf['duplicates']} delivered twice")
    sb = by.get("sandbox")
    if sb:
        floor_ms = sb["floor_p50_ms"]
        add("sandbox", "10. Sandbox create + reset: 3 accounts, 1 app, 1 authorization, 2 numbers, SQLite",
            f"create {sb['create_p50_ms']:.1f} ms, reset {sb['reset_p50_ms']:.1f} ms (medians; "
            f"{sb['create_p50_ms'] / floor_ms:.0f}× and {sb['reset_p50_ms'] / floor_ms:.0f}× the floor's round trip)",
            "< 20 ms each", sb["create_p50_ms"] < 20 and sb["reset_p50_ms"] < 20,
            f"{sb['runs']} of each, one at a time on a kept-alive connection; p90 create "
            f"{sb['create_p90_ms']:.1f} ms, reset {sb['reset_p90_ms']:.1f} ms; the bare handler's round trip "
            f"{floor_ms:.2f} ms measured the same way")
    m = by.get("memory")
    if m:
        add("memory", "7. Resident memory (VmRSS), SQLite",
            f"{m['idle_kb'] / 1024:.1f} MB idle, {m['loaded_kb'] / 1024:.1f} MB loaded",
            "< 20 MB idle, < 50 MB loaded", m["idle_kb"] < 20 * 1024 and m["loaded_kb"] < 50 * 1024,
            f"loaded = the highest VmRSS sampled during scenario 2; after it: {m['after_kb'] / 1024:.1f} MB")
    s = by.get("startup")
    if s:
        add("startup", "8. Start-up to first answered request, existing SQLite file",
            f"{s['median_ms']:.1f} ms (median)", "< 100 ms", s["median_ms"] < 100,
            "runs: " + ", ".join(f"{t:.1f}" for t in s["runs_ms"]) + " ms")

    doc = {"meta": meta, "baseline_rps": base_rps, "scenarios": scenarios, "raw": rows}
    json.dump(doc, open(out_json, "w"), indent=2)
    lines = [
        f"Machine: {meta['cpu']}, {meta['cores']} cores, {meta['ram']} RAM. "
        f"Date: {meta['date']}. Commit: `{meta['commit']}`. "
        f"Load: wrk {meta['wrk']} (`{meta['wrk_args']}`). Mode: {meta['mode']}. "
        f"Load average at start: {meta['loadavg_start']}, at end: {meta.get('loadavg_end', '?')}.",
        "",
        "| scenario | measured | target | met | detail |",
        "| --- | --- | --- | --- | --- |",
    ]
    for s in scenarios:
        met = "–" if s["met"] is None else ("yes" if s["met"] else "**no**")
        lines.append(f"| {s['scenario']} | {s['measured']} | {s['target']} | {met} | {s['detail']} |")
    open(out_md, "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "wrk-parse":
        wrk_parse(*args)
    elif cmd == "walk":
        walk(args[0], args[1], args[2], args[3], int(args[4]))
    elif cmd == "startup":
        startup(args[0], args[1], args[2], args[3], int(args[4]))
    elif cmd == "replies":
        replies(args[0], int(args[1]), float(args[2]))
    elif cmd == "calls":
        calls(args[0], int(args[1]), float(args[2]))
    elif cmd == "events":
        events(args[0], args[1], float(args[2]))
    elif cmd == "sandbox":
        sandbox(args[0], args[1], int(args[2]))
    elif cmd == "report":
        report(*args)
    else:
        sys.exit(f"unknown command {cmd}")
