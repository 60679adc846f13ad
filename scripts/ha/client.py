#!/usr/bin/env python3
"""Registers records through several xueshi instances at once and keeps what was acknowledged.

Used by the deployment drills (scripts/two-instances.sh, scripts/failover-drill.sh). Signs in as a
unit administrator on each instance (changing a one-time initial password when asked), reads the
unit's staff, then runs THREADS workers per instance until STOP_FILE exists. Every 201 answer is
an acknowledged registration: its record id and ledger entry index go to OUT (JSON lines), and
every attempt's answer time, outcome and duration to the timeline, from which the drills compute the longest gap
without an acknowledged write (the unavailability window). Standard library only.

  client.py --instances http://127.0.0.1:8181,http://127.0.0.1:8182 --login demo-unit \
            --password INITIAL [--new-password NEW] --out acked.jsonl --stop STOPFILE
"""
import argparse
import http.client
import json
import os
import random
import sys
import threading
import time
import urllib.parse

BODY = {
    "content": "部署演练：学术讲座",
    "subject": "professional",
    "form": "academic",
    "completed_on": "2026-11-01",
    "hours": "1",
}


class Session:
    def __init__(self, base):
        u = urllib.parse.urlparse(base)
        self.host, self.port = u.hostname, u.port
        self.cookie = None
        self.csrf = None

    def call(self, method, path, body=None, timeout=10):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        headers = {"content-type": "application/json"}
        if self.cookie:
            headers["cookie"] = self.cookie
        if self.csrf:
            headers["x-csrf-token"] = self.csrf
        try:
            conn.request(method, path, json.dumps(body) if body is not None else None, headers)
            res = conn.getresponse()
            data = res.read()
            cookie = res.getheader("set-cookie")
            if cookie:
                self.cookie = cookie.split(";", 1)[0]
            try:
                parsed = json.loads(data) if data else None
            except ValueError:
                parsed = None
            return res.status, parsed
        finally:
            conn.close()

    def sign_in(self, login, passwords):
        for password in passwords:
            status, body = self.call("POST", "/api/session", {"login": login, "password": password})
            if status == 200:
                self.csrf = body["csrf_token"]
                return password, body
        raise SystemExit(f"cannot sign in as {login} at {self.host}:{self.port}: {status} {body}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--instances", required=True)
    ap.add_argument("--login", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--new-password", default="Yanlian2026-xueshi")
    ap.add_argument("--threads", type=int, default=4, help="workers per instance")
    ap.add_argument("--out", required=True)
    ap.add_argument("--timeline", required=True)
    ap.add_argument("--stop", required=True)
    a = ap.parse_args()

    bases = a.instances.split(",")
    first = Session(bases[0])
    used, body = first.sign_in(a.login, [a.new_password, a.password])
    if body["must_change_password"]:
        status, err = first.call("POST", "/api/password",
                                 {"old_password": used, "new_password": a.new_password})
        if status != 204:
            raise SystemExit(f"password change refused: {status} {err}")
        first = Session(bases[0])
        first.sign_in(a.login, [a.new_password])
    unit = body["account"]["unit_id"]
    status, staff = first.call("GET", f"/api/units/{unit}/staff?per_page=100")
    if status != 200 or not staff["rows"]:
        raise SystemExit(f"no staff for unit {unit}: {status} {staff}")
    persons = [r["person_id"] for r in staff["rows"]]

    lock = threading.Lock()
    out = open(a.out, "a", encoding="utf-8")
    timeline = open(a.timeline, "a", encoding="utf-8")
    counts = {"acked": 0, "failed": 0}

    def worker(base, n):
        s = Session(base)
        signed = False
        while not os.path.exists(a.stop):
            t = time.time()
            try:
                if not signed:
                    s.sign_in(a.login, [a.new_password])
                    signed = True
                pid = random.choice(persons)
                status, reply = s.call("POST", f"/api/persons/{pid}/records", BODY)
            except (OSError, http.client.HTTPException, SystemExit) as e:
                status, reply = 0, {"error": str(e)}
            ok = status == 201
            # The answer's time, not the request's: a request that waits out a failover and
            # then succeeds was acknowledged only at the end of that wait.
            done = time.time()
            with lock:
                timeline.write(f"{done:.3f} {base} {status} {done - t:.3f}\n")
                if ok:
                    counts["acked"] += 1
                    for rid, rc in zip(reply["ids"], reply["receipts"]):
                        out.write(json.dumps({"id": rid, "entry": rc["entry_index"], "via": base}) + "\n")
                else:
                    counts["failed"] += 1
                # Flushed at once: the drills read these files while the client runs.
                out.flush()
                timeline.flush()
            if not ok:
                if status == 401:
                    signed = False
                time.sleep(0.2)

    threads = [threading.Thread(target=worker, args=(b, i), daemon=True)
               for b in bases for i in range(a.threads)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    out.close()
    timeline.close()
    print(json.dumps(counts))


if __name__ == "__main__":
    sys.exit(main())
