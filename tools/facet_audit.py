#!/usr/bin/env python3
"""Facet audit: are the values people see in the entity facets real entities
of the right type? Indexes Reuters-21578 (reut2-*.sgm) and Reuters 2006-2013
from ../shared/data, runs ten broad queries with --facets and lists the top
20 values of each entity facet, deduplicated, for a person to judge.

  tools/facet_audit.py [--newsindex BIN] [--newssearch BIN] [--work DIR]
                       [--tsv FILE] [--rebuild]       # write the lists
  tools/facet_audit.py --score FILE.tsv               # share judged ok

The TSV has columns collection, type, value, queries, max_count, verdict;
fill verdict with ok, wrong-type or not-entity.
"""
import argparse
import csv
import glob
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "..", "shared", "data")
QUERIES = ["oil prices", "government", "market", "shares", "election", "bank", "trade", "war", "president",
           "company profit"]
TYPES = ["person", "org", "place"]
COLLECTIONS = {
    "reuters21578": lambda: sorted(glob.glob(os.path.join(DATA, "reuters21578", "reut2-*.sgm"))),
    "reuters2006": lambda: sorted(glob.glob(os.path.join(DATA, "reuters-news-2006-2013", "*.jsonl.zst"))),
}


def index(args, name):
    db = os.path.join(args.work, name + ".db")
    if args.rebuild and os.path.exists(db):
        shutil.rmtree(db)
    if not os.path.exists(db):
        print(f"facet_audit: indexing {name}", file=sys.stderr)
        # (Exit status 1: some records were skipped, the rest indexed.)
        p = subprocess.run([args.newsindex, "build", "--db", db, *COLLECTIONS[name]()], stdout=sys.stderr)
        if p.returncode not in (0, 1):
            sys.exit(f"facet_audit: newsindex failed with status {p.returncode}")
    return db


def collect(args):
    rows = []
    for name in COLLECTIONS:
        db = index(args, name)
        seen = {}  # (type, value) -> [queries, max count]
        for q in QUERIES:
            out = subprocess.run([args.newssearch, "--db", db, "--facets", "--facet-size", "20", "--json", *q.split()],
                                 check=True,
                                 capture_output=True, text=True).stdout
            facets = json.loads(out)["facets"]
            for t in TYPES:
                for v in facets.get(t, [])[:20]:
                    s = seen.setdefault((t, v["name"]), [0, 0])
                    s[0] += 1
                    s[1] = max(s[1], v["count"])
        for (t, v), (nq, mc) in sorted(seen.items(), key=lambda kv: (kv[0][0], -kv[1][0], -kv[1][1])):
            rows.append([name, t, v, nq, mc, ""])
    return rows


def score(path):
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t")]
    bad = [r for r in rows if r["verdict"] not in ("ok", "wrong-type", "not-entity")]
    if bad:
        sys.exit(f"facet_audit: {len(bad)} rows without a verdict, e.g. {bad[0]['value']!r}")
    groups = {}
    for r in rows:
        for key in ((r["collection"], r["type"]), (r["collection"], "all"), ("all", "all")):
            g = groups.setdefault(key, [0, 0, 0, 0])
            ok = r["verdict"] == "ok"
            n = int(r["queries"])
            g[0] += ok
            g[1] += 1
            g[2] += n * ok
            g[3] += n
    print("| collection | type | values ok | share | top-20 slots ok | share |")
    print("|---|---|---|---|---|---|")
    for (c, t), (ok, n, sok, sn) in sorted(groups.items()):
        print(f"| {c} | {t} | {ok} / {n} | {ok / n:.1%} | {sok} / {sn} | {sok / sn:.1%} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--newsindex", default=os.path.join(ROOT, "build", "dev", "indexer", "newsindex"))
    ap.add_argument("--newssearch", default=os.path.join(ROOT, "build", "dev", "searcher", "newssearch"))
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "facet-audit"))
    ap.add_argument("--tsv", help="write the list here (default: standard output)")
    ap.add_argument("--rebuild", action="store_true", help="index again even when the indexes exist")
    ap.add_argument("--score", metavar="TSV", help="print the share judged ok in a filled list")
    args = ap.parse_args()
    if args.score:
        score(args.score)
        return
    os.makedirs(args.work, exist_ok=True)
    rows = collect(args)
    out = open(args.tsv, "w", newline="") if args.tsv else sys.stdout
    w = csv.writer(out, delimiter="\t", lineterminator="\n")
    w.writerow(["collection", "type", "value", "queries", "max_count", "verdict"])
    w.writerows(rows)


if __name__ == "__main__":
    main()
