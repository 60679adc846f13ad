#!/usr/bin/env python3
"""Checks a drill's outcome: every acknowledged registration is in the database, no ledger
entry index was acknowledged twice, and (with --kills) the longest time without an
acknowledged write after each kill. Prints one JSON object; exits 1 on a lost write or a
reused index.

  check.py --acked acked.jsonl --present ids.txt [--timeline t.txt --kills kills.txt]
"""
import argparse
import json
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--acked", required=True)
    ap.add_argument("--present", required=True, help="record ids in the database, one per line")
    ap.add_argument("--timeline")
    ap.add_argument("--kills", help="unix times of each kill, one per line")
    a = ap.parse_args()

    acked = [json.loads(l) for l in open(a.acked, encoding="utf-8") if l.strip()]
    present = {int(l) for l in open(a.present) if l.strip()}
    lost = [r["id"] for r in acked if r["id"] not in present]
    entries = [r["entry"] for r in acked]
    reused = len(entries) - len(set(entries))
    per_instance = {}
    for r in acked:
        per_instance[r["via"]] = per_instance.get(r["via"], 0) + 1
    out = {"acknowledged": len(acked), "lost": len(lost), "entry_index_reused": reused,
           "by_instance": per_instance}
    if lost:
        out["lost_ids"] = lost[:20]
    if a.timeline and a.kills:
        oks = sorted(float(l.split()[0]) for l in open(a.timeline) if l.split()[2] == "201")
        windows = []
        for k in (float(l) for l in open(a.kills) if l.strip()):
            # The longest stretch without an acknowledged write from a second before the kill
            # to two minutes after: answers to requests already committed when the primary
            # died may still arrive just after it, so the first answer after the kill is not
            # the end of the outage.
            near = [t for t in oks if k - 1 <= t <= k + 120]
            gaps = [b - a for a, b in zip(near, near[1:])]
            windows.append(round(max(gaps), 1) if gaps else None)
        out["unavailable_seconds"] = windows
    print(json.dumps(out, ensure_ascii=False))
    return 1 if lost or reused else 0


if __name__ == "__main__":
    sys.exit(main())
