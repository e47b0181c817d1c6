#!/usr/bin/env python3
"""Story folding against labelled pairs. Used by `tools/bench --fold`; runs
alone too:

  tools/fold_eval.py --newsindex BIN --fold-report BIN --work DIR [--seed N] [--sample N]

Builds one JSONL corpus from real articles in ../shared/data (Reuters
2006-2013, BBC, Reuters-21578) with a seeded generator, indexes it with
`newsindex build`, reads every article's story id (`fold_report --dump`)
and scores the folds. The labelling rules are in docs/benchmarks.md
("Story folding"):

- originals: articles of the sources, minus any that may tell one story
  with another within 3 days (word Jaccard >= 0.4, a fifth of the shorter
  one's word 5-grams in the other, as an update shares its paragraphs, or
  the same title), so that two originals are two stories;
- positives: reprints made from an original as newspapers make them
  (headline rewritten, lede trimmed or rewritten, closing sentences cut,
  a byline, dateline or local intro added, a few words changed, another
  source, the same or the next day), corrections ("CORRECTION - ", one
  figure or word changed, a line saying so) and updates ("UPDATE 1-", the
  first version being the story's first 60 % of sentences);
- negatives: two originals within a day of each other that share at least
  two names (capitalised words not opening a sentence) and, for
  Reuters-21578, a topic and a place, with word Jaccard < 0.3.

A fold is an article whose story is another's; it is right when the two
come from one original. Precision = right folds / folds; recall = copies
whose story is their original's.
"""
import argparse
import collections
import datetime
import glob
import json
import os
import random
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))
SENT = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"']))\s+(?=[\"'A-Z(])")
WORD = re.compile(r"[a-z0-9]+")
NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]{2,}(?:\s+[A-Z][a-z]+)*)")

PAPERS = ["The Daily Ledger", "Harbour Gazette", "Midland Courier", "The Valley Post", "Northern Echo Online",
          "Coastal Tribune", "Evening Standard Wire", "The Record-Herald"]
WRITERS = ["Anna Keller", "James Whitfield", "Maria Okafor", "Tom Brandt", "Priya Raman", "Luis Ortega",
           "Helen Marsh", "David Cho"]
CITIES = ["SPRINGFIELD", "RIVERTON", "LAKEWOOD", "FAIRVIEW", "MILLBROOK", "ASHFORD"]
INTROS = ["Local businesses are watching the news closely.",
          "The development was followed closely in the region on {day}.",
          "Here is what we know so far.",
          "Readers have asked what this means for them."]
SWAPS = {"said": "stated", "percent": "per cent", "also": "additionally", "however": "but", "about": "around",
         "company": "firm", "government": "administration", "officials": "authorities", "told": "informed",
         "expected": "anticipated", "people": "residents", "says": "states", "but": "yet", "large": "big"}


def words(text):
    return set(WORD.findall(text.lower()))


def jaccard(a, b):
    return len(a & b) / max(1, len(a | b))


def sentences(text):
    return [s.strip() for s in SENT.split(" ".join(text.split())) if s.strip()]


def names(text):
    return {m.group(1) for m in NAME.finditer(" ".join(text.split()))}


# ---- sources -----------------------------------------------------------------

def read_zst_lines(path):
    out = subprocess.run(["zstdcat", path], check=True, capture_output=True).stdout
    return out.decode("utf-8", "replace").splitlines()


def source_reuters_news(rng, years, per_year):
    arts = []
    for y in years:
        rows = [json.loads(l) for l in read_zst_lines(os.path.join(DATA, "reuters-news-2006-2013", f"reuters-{y}.jsonl.zst"))]
        rows = [r for r in rows if len(r.get("text", "")) >= 800 and r.get("dir_date")]
        # Whole days, so that same-day negatives exist.
        by_day = collections.defaultdict(list)
        for r in rows:
            by_day[r["dir_date"]].append(r)
        days = sorted(by_day)
        rng.shuffle(days)
        n = 0
        for d in days:
            for r in by_day[d]:
                arts.append({"id": "rn-" + r["id"][-24:], "date": d, "title": r["title"].strip(), "body": r["text"],
                             "source": "Reuters", "origin": "reuters-news"})
                n += 1
            if n >= per_year:
                break
    return arts


def source_bbc(rng, n):
    arts = []
    files = sorted(glob.glob(os.path.join(DATA, "bbc-news", "*", "*.txt")))
    rng.shuffle(files)
    base = datetime.date(2005, 3, 1)
    for path in files[:n]:
        raw = open(path, "rb").read().decode("utf-8", "replace").strip().split("\n", 1)
        if len(raw) < 2 or len(raw[1]) < 800:
            continue
        topic = os.path.basename(os.path.dirname(path))
        # No dates in the collection: a topic's articles share a short span,
        # as a week's coverage does.
        day = base + datetime.timedelta(days=rng.randrange(0, 20))
        arts.append({"id": f"bbc-{topic}-{os.path.basename(path)[:-4]}", "date": day.isoformat(),
                     "title": raw[0].strip(), "body": raw[1].strip(), "source": "BBC", "origin": "bbc",
                     "topic": topic})
    return arts


def source_reuters21578(rng, n):
    arts = []
    months = {m: i + 1 for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split())}
    for path in sorted(glob.glob(os.path.join(DATA, "reuters21578", "reut2-*.sgm"))):
        text = open(path, encoding="latin-1").read()
        for m in re.finditer(r"<REUTERS[^>]*NEWID=\"(\d+)\">(.*?)</REUTERS>", text, re.S):
            rec = m.group(2)
            body = re.search(r"<BODY>(.*?)</BODY>", rec, re.S)
            title = re.search(r"<TITLE>(.*?)</TITLE>", rec, re.S)
            date = re.search(r"<DATE>\s*(\d+)-([A-Z]+)-(\d+)", rec)
            if not (body and title and date) or len(body.group(1)) < 600:
                continue
            topics = set(re.findall(r"<D>(.*?)</D>", (re.search(r"<TOPICS>(.*?)</TOPICS>", rec, re.S) or m).group(1)))
            places = set(re.findall(r"<D>(.*?)</D>", (re.search(r"<PLACES>(.*?)</PLACES>", rec, re.S) or m).group(1)))
            b = re.sub(r"&lt;", "<", body.group(1))
            b = re.sub(r"\s*Reuter\s*&#3;\s*$", "", b).replace("&#3;", "")
            day = datetime.date(int(date.group(3)), months[date.group(2)], int(date.group(1)))
            arts.append({"id": f"r87-{m.group(1)}", "date": day.isoformat(),
                         "title": title.group(1).replace("&lt;", "<").strip(),
                         "body": b.strip(), "source": "Reuters", "origin": "reuters21578",
                         "topics": sorted(topics), "places": sorted(places)})
    # Whole days, so that same-day negatives exist.
    by_day = collections.defaultdict(list)
    for a in arts:
        by_day[a["date"]].append(a)
    days = sorted(by_day)
    rng.shuffle(days)
    out = []
    for d in days:
        if len(out) >= n:
            break
        out += by_day[d]
    return out


def grams(text, n=5):
    w = WORD.findall(text.lower())
    return {" ".join(w[i:i + n]) for i in range(max(1, len(w) - n + 1))}


def overlap(a, b):
    return len(a & b) / max(1, min(len(a), len(b)))


def distinct(arts):
    """Drops originals that may tell one story with another (labelling rule 1)."""
    by_day = collections.defaultdict(list)
    for a in arts:
        a["_words"] = words(a["title"] + " " + a["body"])
        a["_grams"] = grams(a["body"])
        a["_day"] = datetime.date.fromisoformat(a["date"])
        by_day[a["_day"]].append(a)
    dropped = set()
    for a in arts:
        if a["id"] in dropped:
            continue
        for k in range(0, 4):
            for b in by_day.get(a["_day"] + datetime.timedelta(days=k), []):
                if b is a or b["id"] in dropped or (k == 0 and b["id"] < a["id"]):
                    continue
                if (jaccard(a["_words"], b["_words"]) >= 0.4 or overlap(a["_grams"], b["_grams"]) >= 0.2
                        or a["title"].lower() == b["title"].lower()):
                    dropped.add(b["id"])
    return [a for a in arts if a["id"] not in dropped]


# ---- copies ------------------------------------------------------------------

def change_words(rng, text, rate):
    out = []
    for w in text.split(" "):
        low = w.lower().strip(".,")
        if low in SWAPS and rng.random() < 0.5:
            w = w.replace(low, SWAPS[low]) if w.islower() else w
        elif rng.random() < rate:
            continue  # a word dropped
        out.append(w)
    return " ".join(out)


def reprint(rng, orig, n):
    sents = sentences(orig["body"])
    keep = max(3, round(len(sents) * rng.uniform(0.45, 1.0)))  # closing sentences cut
    body = sents[:keep]
    ops = []
    r = rng.random()
    if r < 0.3 and len(body) > 3:
        body = body[1:]
        ops.append("lede dropped")
    elif r < 0.6:
        first = body[0].split(",")[0].split(" ")
        body[0] = " ".join(first[:max(6, len(first) * 2 // 3)]).rstrip(".") + "."
        ops.append("lede trimmed")
    body = [change_words(rng, s, 0.02) for s in body]
    ops.append("words changed")
    day = orig["_day"] + datetime.timedelta(days=rng.choice([0, 0, 1]))
    head = []
    r = rng.random()
    if r < 0.3:
        head.append(f"By {rng.choice(WRITERS)}, {rng.choice(PAPERS)}")
        ops.append("byline")
    elif r < 0.6:
        body[0] = f"{rng.choice(CITIES)} - " + body[0]
        ops.append("dateline")
    elif r < 0.8:
        body.insert(0, rng.choice(INTROS).format(day=day.strftime("%A")))
        ops.append("local intro")
    title_words = orig["title"].split()
    r = rng.random()
    if r < 0.4:
        title = " ".join(sentences(orig["body"])[0].split()[:9]).rstrip(",.")
    elif r < 0.7:
        title = " ".join(w for w in title_words if rng.random() > 0.3) or orig["title"]
    else:
        title = orig["title"].title()
    paras = head + [" ".join(body[i:i + 2]) for i in range(0, len(body), 2)]
    return {"id": f"{orig['id']}-p{n}", "date": day.isoformat(), "title": title, "body": "\n\n".join(paras),
            "source": rng.choice(PAPERS), "kind": "reprint", "ops": ops}


def correction(rng, orig):
    sents = sentences(orig["body"])
    body = " ".join(sents)
    nums = re.findall(r"\b\d+(?:\.\d+)?\b", body)
    if nums:
        x = rng.choice(nums)
        body = body.replace(x, str(int(float(x)) + 1), 1)
        note = "(Corrects figure in paragraph {})".format(rng.randrange(2, 6))
    else:
        note = "(Corrects spelling of name in paragraph 2)"
    day = orig["_day"] + datetime.timedelta(days=rng.choice([0, 1, 2]))
    return {"id": orig["id"] + "-c", "date": day.isoformat(), "title": "CORRECTION - " + orig["title"],
            "body": note + "\n\n" + body, "source": orig["source"], "kind": "correction", "ops": ["corrected"]}


def update(rng, orig):
    """Turns `orig` into the story's first, shorter version; the update is the whole text."""
    sents = sentences(orig["body"])
    cut = max(3, round(len(sents) * 0.6))
    full = dict(orig)
    orig["body"] = " ".join(sents[:cut])
    return {"id": orig["id"] + "-u", "date": orig["date"], "title": "UPDATE 1-" + full["title"],
            "body": " ".join(sents), "source": orig["source"], "kind": "update",
            "ops": [f"{len(sents) - cut} sentences added"]}


# ---- negatives ----------------------------------------------------------------

def negatives(arts, want):
    by_day = collections.defaultdict(list)
    for a in arts:
        a["_names"] = names(a["body"])
        by_day[a["_day"]].append(a)
    pairs = []
    for day in sorted(by_day):
        today = by_day[day]
        tomorrow = by_day.get(day + datetime.timedelta(days=1), [])
        for i, a in enumerate(today):
            for b in today[i + 1:] + tomorrow:
                if a["origin"] != b["origin"]:
                    continue
                if a["origin"] == "reuters21578" and not (set(a["topics"]) & set(b["topics"])
                                                          and set(a["places"]) & set(b["places"])):
                    continue
                if a["origin"] == "bbc" and a["topic"] != b["topic"]:
                    continue
                shared = a["_names"] & b["_names"]
                if len(shared) >= 2 and jaccard(a["_words"], b["_words"]) < 0.3:
                    pairs.append((a["id"], b["id"], a["origin"], len(shared)))
    pairs.sort(key=lambda p: -p[3])  # the hardest: most names shared
    return pairs[:want]


# ---- running -------------------------------------------------------------------

def build(work, seed):
    rng = random.Random(seed)
    arts = source_reuters_news(rng, [2008, 2011], 1600) + source_bbc(rng, 900) + source_reuters21578(rng, 1400)
    arts = distinct(arts)
    rng.shuffle(arts)
    copies, family = [], {}
    for i, a in enumerate(arts):
        family[a["id"]] = a["id"]
        if a["origin"] == "reuters21578":
            continue  # kept as originals and negatives: their texts are short wires
        r = rng.random()
        made = []
        if r < 0.12:
            made.append(update(rng, a))
        elif r < 0.24:
            made.append(correction(rng, a))
        made.append(reprint(rng, a, 1))
        if rng.random() < 0.25:
            made.append(reprint(rng, a, 2))
        for c in made:
            c["of"] = a["id"]
            family[c["id"]] = a["id"]
        copies += made
    negs = negatives(arts, 3000)
    os.makedirs(work, exist_ok=True)
    corpus = os.path.join(work, "corpus")
    shutil.rmtree(corpus, ignore_errors=True)
    os.makedirs(corpus)
    # One file, in publication order with each original before its copies
    # (an update's first version before the update).
    order = {"": 0, "update": 1, "correction": 2, "reprint": 1}
    rows = sorted(arts + copies, key=lambda x: (x["date"], order[x.get("kind", "")], x["id"]))
    with open(os.path.join(corpus, "eval.jsonl"), "w") as f:
        for r in rows:
            f.write(json.dumps({k: r[k] for k in ("id", "date", "title", "body", "source")}) + "\n")
    return rows, copies, family, negs


def evaluate(work, newsindex, fold_report, seed=20261207, sample=0):
    rows, copies, family, negs = build(work, seed)
    db = os.path.join(work, "db")
    shutil.rmtree(db, ignore_errors=True)
    subprocess.run([newsindex, "build", "--quiet", "--db", db, os.path.join(work, "corpus")], check=True)
    out = subprocess.run([fold_report, "--dump", db], check=True, capture_output=True, text=True).stdout
    story = {}
    for line in out.splitlines():
        f = line.split("\t")
        story[f[1]] = f[2]
    byid = {r["id"]: r for r in rows}
    folds = [(i, s) for i, s in story.items() if s != i]
    right = [f for f in folds if family.get(f[0]) == family.get(f[1])]
    wrong = [f for f in folds if family.get(f[0]) != family.get(f[1])]
    kinds = collections.Counter(c["kind"] for c in copies)
    found = collections.Counter(c["kind"] for c in copies if story.get(c["id"]) == story.get(c["of"]))
    neg_merged = [p for p in negs if story.get(p[0]) == story.get(p[1])]
    res = {"articles": len(story), "originals": len(rows) - len(copies), "copies": dict(kinds),
           "folds": len(folds), "right": len(right), "wrong": len(wrong),
           "precision": len(right) / max(1, len(folds)),
           "recall": sum(found.values()) / max(1, len(copies)),
           "recall_by_kind": {k: found[k] / kinds[k] for k in kinds},
           "negatives": len(negs), "negatives_by_origin": dict(collections.Counter(p[2] for p in negs)),
           "negatives_folded": len(neg_merged),
           "wrong_examples": [(byid[a]["title"][:70], byid[b]["title"][:70]) for a, b in wrong[:8]],
           "missed_examples": [(c["kind"], ",".join(c["ops"]), c["title"][:60]) for c in copies
                               if story.get(c["id"]) != story.get(c["of"])][:8]}
    if sample:
        rng = random.Random(seed + 1)
        labelled = [("copy", c["of"], c["id"]) for c in copies] + [("not", a, b) for a, b, _, _ in negs]
        res["sample"] = [(lab, byid[a], byid[b]) for lab, a, b in rng.sample(labelled, sample)]
    return res


def table(res):
    rk = res["recall_by_kind"]
    lines = ["| measure | value |", "| --- | ---: |",
             f"| articles (originals + copies) | {res['articles']} ({res['originals']} + {sum(res['copies'].values())}) |",
             "| copies: reprints / corrections / updates | {} / {} / {} |".format(
                 res["copies"].get("reprint", 0), res["copies"].get("correction", 0), res["copies"].get("update", 0)),
             f"| labelled negative pairs | {res['negatives']} ({', '.join(f'{k} {v}' for k, v in sorted(res['negatives_by_origin'].items()))}) |",
             f"| folds made | {res['folds']} |",
             f"| precision of folds | {res['precision']:.3f} ({res['wrong']} wrong) |",
             f"| recall of copies | {res['recall']:.3f} |",
             "| recall: reprints / corrections / updates | {:.3f} / {:.3f} / {:.3f} |".format(
                 rk.get("reprint", 0), rk.get("correction", 0), rk.get("update", 0)),
             f"| negative pairs folded | {res['negatives_folded']} |"]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--newsindex", required=True)
    ap.add_argument("--fold-report", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--seed", type=int, default=20261207)
    ap.add_argument("--sample", type=int, default=0, help="print N random labelled pairs to read")
    args = ap.parse_args()
    res = evaluate(args.work, args.newsindex, args.fold_report, args.seed, args.sample)
    print(table(res))
    for a, b in res["wrong_examples"]:
        print(f"wrong fold: [{a}] under [{b}]")
    for k, ops, t in res["missed_examples"]:
        print(f"missed {k} ({ops}): {t}")
    for lab, a, b in res.get("sample", []):
        print(f"\n== {lab}: {a['id']} {a['date']} | {b['id']} {b['date']}\n  A {a['title'][:90]}\n    "
              f"{' '.join(a['body'].split())[:260]}\n  B {b['title'][:90]}\n    {' '.join(b['body'].split())[:260]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
