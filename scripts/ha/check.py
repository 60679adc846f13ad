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
            before = max((t for t in oks if t <= k), default=None)
            after = min((t for t in oks if t > k), default=None)
            windows.append(None if before is None or after is None else round(after - before, 1))
        out["unavailable_seconds"] = windows
    print(json.dumps(out, ensure_ascii=False))
    return 1 if lost or reused else 0


if __name__ == "__main__":
    sys.exit(main())
