#!/usr/bin/env python3
"""Ranking quality on the classic IR test collections (ADI, CISI, CRAN, MED
in ../shared/data/ir-collections: documents, queries and judgements),
newssearch side by side with quest over an omindex database of the same
documents. Used by `tools/bench --relevance`; runs alone too:

  tools/relevance.py --newsindex BIN --newssearch BIN --work DIR [--only cran,med]

Each document becomes DIR/NAME/NNNN.txt ("title. text", as the collections
give them); queries are passed as the collections give them, lower-cased,
with punctuation that either parser would read as syntax taken out, and
the same string goes to both engines. Scores: MAP@100, P@10, nDCG@10 (gain
1 for a judged-relevant document), and the queries answered with nothing.
"""
import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IR = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "ir-collections"))
FILES = {"adi": ("ADI.ALL", "ADI.QRY", "ADI.REL"), "cisi": ("CISI.ALL", "CISI.QRY", "CISI.REL"),
         "cran": ("cran.all.1400", "cran.qry", "cranqrel"), "med": ("MED.ALL", "MED.QRY", "MED.REL")}
DEPTH = 100


def records(path):
    """(number, {field letter: text}) of a SMART-format file (.I, .T, .W, ...)."""
    text = open(path, encoding="latin-1").read()
    for m in re.finditer(r"^\.I\s+(\d+)\s*\n(.*?)(?=^\.I\s|\Z)", text, re.S | re.M):
        fields = dict((k, " ".join(v.split()))
                      for k, v in re.findall(r"^\.([A-Z])\s*\n(.*?)(?=^\.[A-Z]\s*\n|\Z)", m.group(2), re.S | re.M))
        yield int(m.group(1)), fields


def write_docs(name, out):
    os.makedirs(out, exist_ok=True)
    for n, f in records(os.path.join(IR, name, FILES[name][0])):
        body = ". ".join(x for x in (f.get("T", ""), f.get("W", "")) if x)
        with open(os.path.join(out, f"{n:04d}.txt"), "w") as fh:
            fh.write(body + "\n")


def queries(name):
    qs = [(n, f.get("W", "")) for n, f in records(os.path.join(IR, name, FILES[name][1]))]
    # CRAN's judgements number the queries 1..225 in file order; the others use the .I numbers.
    return {i + 1 if name == "cran" else n: q.lower() for i, (n, q) in enumerate(qs)}


def judgements(name):
    rel = {}
    for line in open(os.path.join(IR, name, FILES[name][2])):
        f = line.split()
        if not f:
            continue
        if name == "med":
            q, doc = int(f[0]), int(f[2])
        elif name == "cran":
            if int(f[2]) not in (1, 2, 3, 4):  # (-1: judged not relevant)
                continue
            q, doc = int(f[0]), int(f[1])
        else:
            q, doc = int(f[0]), int(f[1])
        rel.setdefault(q, set()).add(doc)
    return rel


def plain(q):
    """The query's words, without punctuation either parser reads as syntax."""
    return " ".join(re.findall(r"[a-z0-9]+", q))


def average_precision(ranked, rel):
    hits, s = 0, 0.0
    for i, d in enumerate(ranked[:DEPTH], 1):
        if d in rel:
            hits += 1
            s += hits / i
    return s / len(rel) if rel else 0.0


def precision_at(ranked, rel, k=10):
    return sum(1 for d in ranked[:k] if d in rel) / k


def ndcg_at(ranked, rel, k=10):
    dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(ranked[:k]) if d in rel)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(rel))))
    return dcg / ideal if ideal else 0.0


def ours(newssearch, db, q):
    p = subprocess.run([newssearch, "--db", db, "--json", "--no-collapse", "--limit", str(DEPTH), q],
                       capture_output=True, text=True)
    if p.returncode not in (0, 1):
        raise RuntimeError(f"newssearch failed on {q!r}: {p.stderr.strip()}")
    res = json.loads(p.stdout)
    return [int(os.path.basename(r["path"]).split(".")[0]) for r in res["results"]], bool(res.get("relaxed"))


def quest(db, q):
    p = subprocess.run(["quest", "-d", db, "-m", str(DEPTH), q], capture_output=True, text=True, check=True)
    return [int(x) for x in re.findall(r"url=/(\d+)\.txt", p.stdout)], False


def score(runs, ids, rel):
    n = len(ids)
    return {"map": sum(average_precision(r, rel[i]) for r, i in zip(runs, ids)) / n,
            "p10": sum(precision_at(r, rel[i]) for r, i in zip(runs, ids)) / n,
            "ndcg10": sum(ndcg_at(r, rel[i]) for r, i in zip(runs, ids)) / n,
            "zero": sum(1 for r in runs if not r),
            # queries answered with nothing where the other engine finds a relevant document (filled below)
            "zero_vs": 0}


def prepare(name, work, newsindex):
    """Documents, newsindex database and omindex database of a collection (kept when present)."""
    docs, ns_db, om_db = (os.path.join(work, name + x) for x in ("", ".db", "-om.db"))
    stamp = os.path.join(work, name + ".stamp")
    key = f"{os.path.getmtime(newsindex)}"
    if os.path.exists(stamp) and open(stamp).read() == key:
        return docs, ns_db, om_db
    for p in (docs, ns_db, om_db):
        shutil.rmtree(p, ignore_errors=True)
    write_docs(name, docs)
    p = subprocess.run([newsindex, "build", "--quiet", "--db", ns_db, docs], capture_output=True, text=True)
    if p.returncode not in (0, 1):
        raise RuntimeError(f"newsindex on {name} failed: {p.stderr[-500:]}")
    subprocess.run(["omindex", "--db", om_db, "--url", "/", docs], capture_output=True, check=True)
    with open(stamp, "w") as fh:
        fh.write(key)
    return docs, ns_db, om_db


def evaluate(name, work, newsindex, newssearch):
    _, ns_db, om_db = prepare(name, work, newsindex)
    qs, rel = queries(name), judgements(name)
    ids = [n for n in sorted(rel) if n in qs]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        a = list(pool.map(lambda i: ours(newssearch, ns_db, plain(qs[i])), ids))
        b = list(pool.map(lambda i: quest(om_db, plain(qs[i])), ids))
    ra, rb = [r for r, _ in a], [r for r, _ in b]
    sa, sb = score(ra, ids, rel), score(rb, ids, rel)
    sa["zero_vs"] = sum(1 for x, y, i in zip(ra, rb, ids) if not x and rel[i] & set(y))
    sb["zero_vs"] = sum(1 for x, y, i in zip(rb, ra, ids) if not x and rel[i] & set(y))
    sa["relaxed"] = sum(1 for _, relaxed in a if relaxed)
    return {"name": name, "queries": len(ids), "ours": sa, "quest": sb}


def table(rows):
    """The side-by-side table, a line per collection and one for their mean."""
    out = ["| collection | queries | MAP@100 ours / quest (ratio) | P@10 ours / quest | nDCG@10 ours / quest "
           "| relaxed | zero results ours / quest |",
           "| --- | ---: | --- | --- | --- | ---: | --- |"]

    def ratio(a, b):
        return f"{a / b:.2f}x" if b else "-"
    for r in rows:
        a, b = r["ours"], r["quest"]
        out.append(f"| {r['name'].upper()} | {r['queries']} | {a['map']:.3f} / {b['map']:.3f} ({ratio(a['map'], b['map'])}) "
                   f"| {a['p10']:.3f} / {b['p10']:.3f} | {a['ndcg10']:.3f} / {b['ndcg10']:.3f} | {a['relaxed']} "
                   f"| {a['zero']} / {b['zero']} |")
    if rows:
        ma = sum(r["ours"]["map"] for r in rows) / len(rows)
        mb = sum(r["quest"]["map"] for r in rows) / len(rows)
        pa = sum(r["ours"]["p10"] for r in rows) / len(rows)
        pb = sum(r["quest"]["p10"] for r in rows) / len(rows)
        na = sum(r["ours"]["ndcg10"] for r in rows) / len(rows)
        nb = sum(r["quest"]["ndcg10"] for r in rows) / len(rows)
        za = sum(r["ours"]["zero_vs"] for r in rows)
        out.append(f"| mean | | {ma:.3f} / {mb:.3f} ({ratio(ma, mb)}) | {pa:.3f} / {pb:.3f} | {na:.3f} / {nb:.3f} "
                   f"| | {za} with a relevant answer from quest |")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--newsindex", required=True)
    ap.add_argument("--newssearch", required=True)
    ap.add_argument("--work", required=True, help="folder for the documents and databases (kept between runs)")
    ap.add_argument("--only", default="adi,cisi,cran,med")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    rows = [evaluate(c, args.work, args.newsindex, args.newssearch) for c in args.only.split(",")]
    print(table(rows))
    if args.json:
        print(json.dumps(rows))


if __name__ == "__main__":
    sys.exit(main())
