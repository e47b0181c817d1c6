#!/usr/bin/env python3
"""End-to-end tests of the built newsindex and newssearch programs.

Each test builds an index from corpus/ (or from files it writes) in a
temporary folder, runs the programs the way a person would, and checks their
answers, output shapes and exit codes. Standard library only.

    cli_test.py --newsindex BIN --newssearch BIN --source DIR [unittest args]
    cli_test.py --list          (one test id per line, for ctest)
"""


import argparse
import gzip
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import ctest_unittest  # noqa: E402  (tests/ctest_unittest.py)

NEWSINDEX = NEWSSEARCH = SOURCE = None


def corpus_dir():
    return os.path.join(SOURCE, "corpus")


def shared_data_dir():
    return os.path.normpath(os.path.join(SOURCE, "..", "shared", "data"))


def run(args, check_code=None):
    """Runs a program; returns (exit code, stdout, stderr) as text."""
    p = subprocess.run(args, capture_output=True, timeout=300)
    out = p.stdout.decode("utf-8", errors="replace")
    err = p.stderr.decode("utf-8", errors="replace")
    if check_code is not None and p.returncode != check_code:
        raise AssertionError(f"{args} exited {p.returncode}, expected {check_code}\nstdout:\n{out}\nstderr:\n{err}")
    return p.returncode, out, err


def build(db, *roots, code=None, extra=()):
    return run([NEWSINDEX, "build", "--db", db, "--quiet", *extra, *roots], check_code=code)


def search(db, *args, code=None):
    return run([NEWSSEARCH, "--db", db, *args], check_code=code)


def search_json(db, *args, code=0):
    _, out, _ = search(db, "--json", *args, code=code)
    return json.loads(out)


def label(path, doc_id):
    """Short name for a result: the seed number for seed files, else the id."""
    name = os.path.basename(path)
    m = re.match(r"(\d{3})_", name)
    return m.group(1) if m and ".txt" in name else doc_id


def found(response):
    """Every article a response shows, its folded copies included."""
    out = set()
    for r in response["results"]:
        out.add(label(r["path"], r["id"]))
        for d in r["duplicates"]:
            out.add(label(d["path"], d["id"]))
    return out


def summary_line(stdout):
    lines = [l for l in stdout.splitlines() if l.startswith("indexed ")]
    if len(lines) != 1:
        raise AssertionError(f"no single summary line in:\n{stdout}")
    return lines[0]


def corpus_files():
    known = (".txt", ".jsonl", ".trec", ".sgm")
    names = []
    for n in sorted(os.listdir(corpus_dir())):
        base = n[:-3] if n.endswith(".gz") else n[:-4] if n.endswith(".zst") else n
        if base.endswith(known):
            names.append(n)
    return names


class CorpusIndex(unittest.TestCase):
    """Queries against an index of the sample corpus, built once per process."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="newssearch-e2e-")
        cls.db = os.path.join(cls.tmp.name, "corpus.db")
        cls.build_result = build(cls.db, corpus_dir())

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def q(self, *args, **kw):
        return search_json(self.db, *args, **kw)

    def assertFinds(self, want, *args):
        self.assertEqual(found(self.q(*args)), set(want))
        # Unfolded, every copy is a result of its own.
        r = self.q("--no-collapse", "--limit", "100", *args)
        self.assertEqual({label(x["path"], x["id"]) for x in r["results"]}, set(want))
        self.assertTrue(all(not x["duplicates"] for x in r["results"]))

    # ---- the build itself ----

    def test_corpus_indexes_with_every_file_read(self):
        code, out, err = self.build_result
        self.assertEqual(code, 0, err)
        n = len(corpus_files())
        self.assertGreaterEqual(n, 10)
        line = summary_line(out)
        self.assertRegex(line, rf"^indexed \d+, updated 0, removed 0, skipped 0; {n} of {n} files read")
        self.assertNotIn("repaired", line)
        self.assertEqual(err.strip(), "")

    def test_progress_into_a_file_is_plain_lines_and_warnings_have_their_own(self):
        with tempfile.TemporaryDirectory() as tmp:
            root = os.path.join(tmp, "in")
            os.makedirs(root)
            for i in range(3):
                with open(os.path.join(root, f"a{i}.txt"), "w") as f:
                    f.write(f" date 2026-03-0{i + 1} Ferries resume sailing to the Hebrides, day {i}.\n")
            with open(os.path.join(root, "bad.jsonl"), "w") as f:
                f.write('{"id": "x1", "body": "Trams return to Zagreb."}\n{not json\n')
            code, out, err = run([NEWSINDEX, "build", "--db", os.path.join(tmp, "db"), "--progress",
                                  "--progress-every", "0.01", root])
            self.assertEqual(code, 1, err)  # one record skipped
            self.assertNotIn("\x1b[", err)
            self.assertNotIn("\r", err)
            lines = err.splitlines()
            self.assertTrue(any(l.startswith("files ") and "articles/s" in l for l in lines), err)
            warning = [l for l in lines if "bad.jsonl:2:" in l]
            self.assertEqual(len(warning), 1, err)
            self.assertTrue(warning[0].startswith(os.path.join(root, "bad.jsonl")), warning[0])

    def test_stats_json(self):
        _, out, _ = run([NEWSINDEX, "stats", "--db", self.db, "--json"], check_code=0)
        s = json.loads(out)
        indexed = int(re.match(r"indexed (\d+)", summary_line(self.build_result[1])).group(1))
        self.assertEqual(s["documents"], indexed)
        self.assertEqual(s["documents"], 18)
        self.assertEqual(s["first_date"], "2025-12-18")
        self.assertEqual(s["last_date"], "2026-04-11")
        sources = {x["name"]: x["count"] for x in s["sources"]}
        for name in ("Reuters", "Associated Press", "BBC", "Dawn"):
            self.assertIn(name, sources)

    # ---- phrases, dates, boolean, stemming ----

    def test_phrase_wall_street_journal(self):
        self.assertFinds({"002", "003"}, '"Wall Street Journal"')

    def test_phrase_security_forces(self):
        self.assertFinds({"000", "001"}, '"security forces"')

    def test_phrase_psychological_warfare(self):
        self.assertFinds({"001"}, '"psychological warfare"')

    def test_phrase_words_apart_do_not_match(self):
        # Both words occur in 000 but never next to each other in this order.
        search(self.db, '"forces security"', code=1)

    def test_date_day(self):
        self.assertFinds({"003"}, "date:2026-03-03")

    def test_date_range(self):
        self.assertFinds({"000", "001", "002"}, "date:2026-03-04..2026-03-05")

    def test_date_month(self):
        self.assertFinds({"rtr-20260216-rotterdam-strike", "gn-20260217-rotterdam-strike",
                          "rtr-20260224-rotterdam-deal", "dawn-20260209-karachi-textiles"}, "date:2026-02")

    def test_open_date_range(self):
        self.assertFinds({"000", "002", "003"}, "Kurdish date:..2026-03-04")
        self.assertFinds({"001"}, "Kurdish date:2026-03-05..")

    def test_boolean_operators(self):
        self.assertFinds({"000", "001"}, "Erbil AND Pentagon NOT Journal")
        self.assertFinds({"002", "003"}, "Kurdish AND Journal")
        self.assertFinds({"002", "003", "rtr-20260216-rotterdam-strike", "gn-20260217-rotterdam-strike",
                          "rtr-20260224-rotterdam-deal"}, "Journal OR dockworkers")

    def test_stemming(self):
        self.assertFinds({"001"}, "psychologically warfares")

    def test_from_to_options(self):
        self.assertFinds({"000", "002"}, "--from", "2026-03-04", "--to", "2026-03-04", "Iraq")
        self.assertFinds({"004"}, "--from", "2026-01", "--to", "2026-01-31", "Galicia")

    def test_every_reader_is_searchable(self):
        cases = {
            "Braga": {"004"},                                 # text with date line
            "Kisumu": {"005"},                                # text without date line
            "Beira": {"006"},                                 # .txt.gz
            "Chepkoech": {"AP20260111-0042"},                 # TREC
            "Codelco": {"AP20260114-0107"},                   # TREC, second record
            "Niigata": {"90001"},                             # Reuters SGML
            "monsoon": {"90002"},                             # Reuters SGML, TEXT TYPE="UNPROC"
            "Debrecen": {"bbc-20260411-hungary-vote"},        # JSON lines
            "Dresden": {"ap-20260402-dresden-chip-plant"},    # .jsonl.zst
        }
        for query, want in cases.items():
            with self.subTest(query=query):
                self.assertFinds(want, query)

    def test_entity_option(self):
        self.assertFinds({"000", "001", "002", "003"}, "--entity", "place:Iran", "--", "Kurdish")
        self.assertFinds({"003"}, "--entity", "place:Iran", "--", "date:2026-03-03")
        search(self.db, "--entity", "place:Atlantis", "--", "Kurdish", code=1)

    # Regression: --entity and --source once took every following word, so
    # the query after them was read as a second filter. The synopsis in
    # DESIGN.md, "[--entity TYPE:NAME]... QUERY", must work.
    def test_entity_option_followed_by_query(self):
        self.assertFinds({"000", "001", "002", "003"}, "--entity", "place:Iran", "Kurdish")

    # ---- syndicated copies ----
    # ---- syndicated copies ----

    def test_seed_copies_fold_into_one_result(self):
        r = self.q('"security forces"')
        self.assertEqual(len(r["results"]), 1)
        self.assertEqual(len(r["results"][0]["duplicates"]), 1)

    def test_wire_story_and_reprint_fold_related_story_stays_apart(self):
        r = self.q("Rotterdam dockworkers")
        groups = [{x["id"]} | {d["id"] for d in x["duplicates"]} for x in r["results"]]
        self.assertIn({"rtr-20260216-rotterdam-strike", "gn-20260217-rotterdam-strike"}, groups)
        self.assertIn({"rtr-20260224-rotterdam-deal"}, groups)
        self.assertEqual(len(groups), 2)

    # ---- sorting and paging ----

    ALL_DATED = "date:2025-01-01..2026-12-31"

    def test_sort_by_date_newest_and_oldest(self):
        newest = [x["date"] for x in self.q("--no-collapse", "--limit", "100", "--sort", "date", self.ALL_DATED)["results"]]
        oldest = [x["date"] for x in self.q("--no-collapse", "--limit", "100", "--sort", "oldest", self.ALL_DATED)["results"]]
        self.assertEqual(len(newest), 17)  # every article but the undated one
        self.assertEqual(newest, sorted(newest, reverse=True))
        self.assertEqual(oldest, sorted(oldest))
        self.assertEqual(newest[0], "2026-04-11")
        self.assertEqual(oldest[0], "2025-12-18")

    def test_limit_and_offset(self):
        args = ("--no-collapse", "--sort", "oldest", self.ALL_DATED)
        full = self.q("--limit", "100", *args)
        self.assertEqual(full["total"], {"estimate": 17, "exact": True})
        ids = [x["id"] for x in full["results"]]
        page = self.q("--limit", "3", "--offset", "3", *args)
        self.assertEqual(page["offset"], 3)
        self.assertEqual(page["limit"], 3)
        self.assertEqual([x["id"] for x in page["results"]], ids[3:6])
        self.assertEqual([x["rank"] for x in page["results"]], [4, 5, 6])
        self.assertEqual(page["total"]["estimate"], 17)
        last = self.q("--limit", "5", "--offset", "15", *args)
        self.assertEqual([x["id"] for x in last["results"]], ids[15:])
        # Past the end: no results, exit status 1, still valid JSON.
        beyond = search_json(self.db, "--limit", "5", "--offset", "50", *args, code=1)
        self.assertEqual(beyond["results"], [])

    # ---- output ----

    def test_json_shape(self):
        r = self.q('"security forces"')
        self.assertEqual(list(r)[:7], ["query", "total", "offset", "limit", "suggestion", "results", "relaxed"])
        self.assertIn("facets", r)
        self.assertIs(r["relaxed"], False)
        self.assertEqual(r["query"], '"security forces"')
        self.assertEqual(set(r["total"]), {"estimate", "exact"})
        self.assertIsInstance(r["total"]["estimate"], int)
        self.assertIsInstance(r["total"]["exact"], bool)
        self.assertEqual((r["offset"], r["limit"]), (0, 10))
        self.assertTrue(r["suggestion"] is None or isinstance(r["suggestion"], str))
        res = r["results"][0]
        keys = [k for k in res if k in ("id", "rank", "score", "date", "title", "source", "path", "snippet",
                                        "entities", "duplicates")]
        self.assertEqual(keys, ["id", "rank", "score", "date", "title", "source", "path", "snippet", "entities",
                                "duplicates"])
        self.assertEqual(res["rank"], 1)
        self.assertIsInstance(res["score"], (int, float))
        self.assertRegex(res["date"], r"^\d{4}-\d{2}-\d{2}$")
        self.assertTrue(res["title"])
        self.assertTrue(os.path.exists(res["path"]) or os.path.exists(os.path.join(SOURCE, res["path"])))
        for e in res["entities"]:
            self.assertEqual(list(e), ["type", "name", "count"])
            self.assertIn(e["type"], ("PERSON", "ORG", "PLACE", "MISC"))
            self.assertGreaterEqual(e["count"], 1)
        for d in res["duplicates"]:
            self.assertEqual(list(d), ["id", "source", "date", "title", "path", "match", "first_published"])
        f = self.q("--facets", "Kurdish")["facets"]
        for k in ("person", "org", "place", "misc", "source", "date"):
            self.assertIsInstance(f[k], list, k)
        for e in f["date"]:
            self.assertEqual(list(e), ["day", "count", "stories"])
        for e in f["place"]:
            self.assertEqual(list(e), ["name", "count", "stories"])

    def test_facets_count_stories_and_articles(self):
        # Seeds 000 and 001 are one story: every count has articles and
        # stories, each equal to what a filtered search finds unfolded
        # and folded.
        r = self.q("--facets", "Kurdish")
        self.assertEqual(r["total"]["articles"], self.q("--no-collapse", "Kurdish")["total"]["estimate"])
        self.assertEqual(r["total"]["stories"], r["total"]["estimate"])
        self.assertLess(r["total"]["stories"], r["total"]["articles"])
        folded_somewhere = False
        for e in r["facets"]["place"][:5]:
            spec = f'place:"{e["name"]}"'
            self.assertEqual(e["count"], self.q("--no-collapse", "Kurdish", spec)["total"]["estimate"], e)
            self.assertEqual(e["stories"], self.q("Kurdish", spec)["total"]["estimate"], e)
            folded_somewhere = folded_somewhere or e["stories"] < e["count"]
        self.assertTrue(folded_somewhere)
        days = {e["day"]: e for e in r["facets"]["date"]}
        for day, e in days.items():
            self.assertEqual(e["stories"], self.q("Kurdish", f"date:{day}")["total"]["estimate"], day)
        _, text, _ = search(self.db, "--facets", "Kurdish")
        self.assertRegex(text, r"\(\d+ stories, \d+ articles\)")

    def test_other_versions_say_how_they_were_matched(self):
        r = self.q('"Kurdish militias"')
        res = next(x for x in r["results"] if x["duplicates"])
        versions = [res] + res["duplicates"]
        self.assertEqual(sum(v["first_published"] for v in versions), 1)
        first = next(v for v in versions if v["first_published"])
        self.assertEqual(first["date"], min(v["date"] for v in versions))
        copies = [v for v in versions if v["match"] is not None]
        self.assertTrue(copies)
        for c in copies:
            self.assertIn(c["match"]["kind"], ("reprint", "correction", "update"))
            self.assertGreater(c["match"]["similarity"], 0)
            self.assertLessEqual(c["match"]["similarity"], 1)

    def test_snippets_mark_matches(self):
        r = self.q('"psychological warfare"')
        snippet = r["results"][0]["snippet"]
        self.assertRegex(snippet, r"<mark>psychological( warfare</mark>|</mark> <mark>warfare</mark>)")
        stripped = snippet.replace("<mark>", "").replace("</mark>", "")
        self.assertNotIn("<", stripped)
        self.assertNotIn(">", stripped)
        stem = self.q("psychologically warfares")["results"][0]["snippet"]
        self.assertIn("<mark>", stem)

    def test_text_output_for_people(self):
        code, out, err = search(self.db, '"Wall Street Journal"')
        self.assertEqual(code, 0, err)
        self.assertIn("2 matches", out)
        self.assertIn("1. ", out)
        self.assertIn("2. ", out)
        self.assertNotIn("<mark>", out)
        self.assertNotIn("\033[", out)  # not a terminal: no colour
        self.assertIn("Wall Street Journal", out)

    # ---- one article: show ----

    def test_show_prints_the_article_whole(self):
        code, out, err = search(self.db, "show", "rtr-20260216-rotterdam-strike")
        self.assertEqual(code, 0, err)
        lines = out.splitlines()
        self.assertEqual(lines[0], "Rotterdam dockworkers strike over automation, ships queue offshore")
        self.assertEqual(lines[1], "2026-02-16 · Reuters · id rtr-20260216-rotterdam-strike")
        self.assertTrue(lines[2].startswith("https://"), lines[2])
        # The whole body, in paragraphs (a blank line apart), wrapped.
        self.assertIn("Dockworkers at the port of Rotterdam", out)
        self.assertIn("\n\nThe FNV Havens union said", out)
        self.assertTrue(all(len(l) <= 78 for l in lines[4:] if " · " not in l), out)
        self.assertRegex(out, r"\nPlaces: .*Rotterdam \(\d+\)")
        self.assertIn("1 other version: (this one first published)", out)
        self.assertIn("id gn-20260217-rotterdam-strike", out)
        self.assertIn("More like this:", out)
        self.assertNotIn("\033[", out)  # not a terminal: no colour

    def test_show_json_shape_versions_and_like(self):
        _, out, _ = search(self.db, "show", "--json", "gn-20260217-rotterdam-strike", code=0)
        a = json.loads(out)
        for key in ("id", "title", "date", "source", "url", "path", "paragraphs", "entities", "versions", "like"):
            self.assertIn(key, a)
        self.assertEqual(a["id"], "gn-20260217-rotterdam-strike")
        self.assertEqual(a["source"], "Gulf News")
        self.assertGreaterEqual(len(a["paragraphs"]), 3)
        self.assertTrue(all(p and "\n" not in p for p in a["paragraphs"]))
        self.assertIn({"type", "name", "count"}, [set(e) for e in a["entities"]])
        self.assertEqual([(v["id"], v["date"], v["source"], v["first_published"]) for v in a["versions"]],
                         [("rtr-20260216-rotterdam-strike", "2026-02-16", "Reuters", True)])
        self.assertFalse(a["first_published"])
        # More like this is the --like search.
        like = self.q("--like", "gn-20260217-rotterdam-strike", "--limit", "5")
        self.assertEqual([x["id"] for x in a["like"]], [x["id"] for x in like["results"]])
        self.assertTrue(all({"id", "date", "title", "source"} <= set(x) for x in a["like"]))
        # The options of newssearch may come on either side of `show`.
        _, out2, _ = search(self.db, "--json", "show", "gn-20260217-rotterdam-strike", code=0)
        self.assertEqual(json.loads(out2)["paragraphs"], a["paragraphs"])
        _, out3, _ = run([NEWSSEARCH, "show", "--db", self.db, "--json", "gn-20260217-rotterdam-strike"], check_code=0)
        self.assertEqual(json.loads(out3)["id"], a["id"])

    def test_show_marks_the_words_of_a_query(self):
        _, out, _ = search(self.db, "show", "--json", "--q", "dockworkers strike", "rtr-20260216-rotterdam-strike",
                           code=0)
        html = " ".join(json.loads(out)["paragraphs_html"])
        self.assertIn("<mark>Dockworkers</mark>", html)
        self.assertIn("<mark>strike</mark>", html)
        _, plain, _ = search(self.db, "show", "--json", "rtr-20260216-rotterdam-strike", code=0)
        self.assertNotIn("<mark>", " ".join(json.loads(plain)["paragraphs_html"]))
        code, out, err = search(self.db, "show", "--color", "-q", "rotterdam", "rtr-20260216-rotterdam-strike")
        self.assertEqual(code, 0, err)
        self.assertIn("\033[1;33mRotterdam\033[0m", out)

    def test_show_unknown_id_exits_1_with_message(self):
        code, out, err = search(self.db, "show", "no-such-article")
        self.assertEqual(code, 1)
        self.assertEqual(out, "")
        self.assertEqual(err.strip(), "newssearch: no article with id no-such-article in this index")
        code, out, err = search(self.db, "show", "--json", "../corpus/wire.jsonl")
        self.assertEqual(code, 1)
        self.assertEqual(out, "")
        code, out, err = search(os.path.join(self.tmp.name, "no-such.db"), "show", "x")
        self.assertEqual(code, 2)
        self.assertIn("no-such.db", err)
        search(self.db, "show", code=2)  # no id
        search(self.db, "show", "--q", "date:2026-13-45", "rtr-20260216-rotterdam-strike", code=2)

    def test_the_word_show_is_searched_after_a_double_dash(self):
        # `show` is the subcommand; after -- it is a query word like any other.
        code, out, err = search(self.db, "--json", "--", "show")
        self.assertIn(code, (0, 1), err)
        self.assertEqual(json.loads(out)["query"], "show")
        # Past the first word of the query it is a word too.
        self.assertEqual(search_json(self.db, "Rotterdam", "show", code=0)["query"], "Rotterdam show")
        self.assertEqual(search_json(self.db, "--limit", "3", "Rotterdam", "show", code=0)["limit"], 3)
        _, help_text, _ = search(self.db, "--help", code=0)
        self.assertIn("show", help_text)
        self.assertIn("newssearch --db DB -- show", help_text)

    # ---- exit codes ----

    def test_exit_0_on_match_1_on_no_match(self):
        search(self.db, "Kurdish", code=0)
        code, out, err = search(self.db, "xylophonequasar", code=1)
        self.assertEqual(err, "")
        r = search_json(self.db, "xylophonequasar", code=1)
        self.assertEqual(r["results"], [])
        self.assertEqual(r["total"]["estimate"], 0)

    def test_exit_2_on_invalid_date_with_message(self):
        code, out, err = search(self.db, "date:2026-13-45", code=2)
        self.assertEqual(out, "")
        self.assertIn("2026-13-45", err)
        self.assertEqual(len(err.strip().splitlines()), 1)
        search(self.db, "--from", "2026-02-30", "Iraq", code=2)
        search(self.db, "--json", "iran date:2026-03-05..2026-03-01", code=2)

    def test_exit_2_on_missing_db(self):
        code, out, err = search(os.path.join(self.tmp.name, "no-such.db"), "Iraq", code=2)
        self.assertIn("no-such.db", err)
        self.assertEqual(out, "")

    def test_exit_2_on_bad_option(self):
        for args in (["--bogus", "Iraq"], ["--limit", "0", "Iraq"], ["--limit", "many", "Iraq"],
                     ["--sort", "sideways", "Iraq"], ["--entity", "colour:red", "Iraq"], []):
            with self.subTest(args=args):
                code, out, err = search(self.db, *args)
                self.assertEqual(code, 2, out + err)
                self.assertTrue(err.strip(), "an error message on stderr")
        run([NEWSSEARCH, "Iraq"], check_code=2)  # --db is required
        run([NEWSINDEX, "frobnicate"], check_code=2)
        run([NEWSINDEX, "build", "--db", os.path.join(self.tmp.name, "x.db")], check_code=2)  # no PATH
        run([NEWSINDEX, "stats", "--db", os.path.join(self.tmp.name, "no-such.db")], check_code=2)


class Incremental(unittest.TestCase):
    """Re-runs over a copy of the corpus: only what changed is indexed."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="newssearch-e2e-")
        self.root = os.path.join(self.tmp.name, "corpus")
        shutil.copytree(corpus_dir(), self.root)
        self.db = os.path.join(self.tmp.name, "index.db")
        self.first = build(self.db, self.root, code=0)

    def tearDown(self):
        self.tmp.cleanup()

    def rebuild(self, code=0):
        _, out, err = build(self.db, self.root, code=code)
        return summary_line(out), err

    def test_rerun_indexes_nothing(self):
        n = len(corpus_files())
        line, err = self.rebuild()
        self.assertRegex(line, rf"^indexed 0, updated 0, removed 0, skipped 0; 0 of {n} files read")
        self.assertEqual(err.strip(), "")
        found_before = found(search_json(self.db, "--limit", "100", "Kurdish"))
        self.assertEqual(found_before, {"000", "001", "002", "003"})

    def test_touched_file_with_same_bytes_is_not_reindexed(self):
        path = os.path.join(self.root, "wire.jsonl")
        st = os.stat(path)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 60 * 10**9))
        line, _ = self.rebuild()
        self.assertRegex(line, r"^indexed 0, updated 0, removed 0, skipped 0; 0 of ")

    def test_changed_file_is_reindexed(self):
        path = os.path.join(self.root, "005_nairobi_solar_feature.txt")
        with open(path, "a", encoding="utf-8") as f:
            f.write("\nA third workshop is planned in Eldoret next year.\n")
        search(self.db, "Eldoret", code=1)
        line, _ = self.rebuild()
        self.assertRegex(line, r"^indexed 0, updated 1, removed 0, skipped 0; 1 of ")
        self.assertEqual(found(search_json(self.db, "Eldoret")), {"005"})
        self.assertEqual(found(search_json(self.db, "--limit", "100", "Kisumu")), {"005"})

    def test_deleted_files_articles_vanish(self):
        self.assertEqual(found(search_json(self.db, "Galicia")), {"004"})
        os.remove(os.path.join(self.root, "004_storm_iberia.txt"))
        os.remove(os.path.join(self.root, "wire.jsonl"))
        line, _ = self.rebuild()
        self.assertRegex(line, r"^indexed 0, updated 0, removed 5, skipped 0")
        search(self.db, "Galicia", code=1)
        search(self.db, "Debrecen", code=1)
        # The reprint in regional.jsonl.zst is still there, now on its own.
        r = search_json(self.db, "Rotterdam dockworkers")
        self.assertEqual({x["id"] for x in r["results"]},
                         {"gn-20260217-rotterdam-strike", "rtr-20260224-rotterdam-deal"})
        _, out, _ = run([NEWSINDEX, "stats", "--db", self.db, "--json"], check_code=0)
        self.assertEqual(json.loads(out)["documents"], 18 - 5)


class BadInput(unittest.TestCase):
    """A folder of broken files beside good ones: reported, counted, and the rest indexed."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="newssearch-e2e-")
        self.root = os.path.join(self.tmp.name, "in")
        os.makedirs(self.root)
        self.db = os.path.join(self.tmp.name, "index.db")

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, data):
        path = os.path.join(self.root, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def test_bad_files_are_reported_and_good_records_searchable(self):
        self.write("good.txt", b" date 2026-01-20 Ferries to the Faroe Islands resumed on Tuesday.\n")
        self.write("latin1.txt", b" date 2026-01-21 Caf\xe9 owners in Reykjavik protested on Wednesday.\n")
        self.write("empty.txt", b"")
        rng = random.Random(1234)
        self.write("random.txt", bytes(rng.randrange(256) for _ in range(4096)))
        self.write("mixed.jsonl", b'{"id": "ok-1", "date": "2026-01-22", "body": "Trams return to Tartu."}\n'
                                  b'{"id": "broken", "body": "no closing\n'
                                  b'{"id": "feb30", "date": "2026-02-30", "body": "An impossible day in Oslo."}\n'
                                  b'{"id": "ok-2", "date": "2026-01-23", "body": "Snow closes roads near Bergen."}\n')
        code, out, err = build(self.db, self.root)
        self.assertEqual(code, 1, out + err)
        root = self.root
        for line_re in (rf"^{re.escape(root)}/latin1\.txt:1: invalid UTF-8",
                        rf"^{re.escape(root)}/empty\.txt:1: empty file",
                        rf"^{re.escape(root)}/random\.txt:1: binary file",
                        rf"^{re.escape(root)}/mixed\.jsonl:2: malformed JSON",
                        rf"^{re.escape(root)}/mixed\.jsonl:3: impossible date"):
            with self.subTest(line=line_re):
                self.assertRegex(err, re.compile(line_re, re.M))
        self.assertEqual(len([l for l in err.splitlines() if l.strip()]), 5, err)
        line = summary_line(out)
        self.assertRegex(line, r"^indexed 4, updated 0, removed 0, skipped 4 \(")
        self.assertIn("repaired 1", line)
        for q, want in (("Faroe", {"good.txt"}), ("Reykjavik", {"latin1.txt"}), ("Tartu", {"mixed.jsonl"}),
                        ("Bergen", {"mixed.jsonl"})):
            with self.subTest(query=q):
                r = search_json(self.db, q)
                self.assertEqual({os.path.basename(x["path"]) for x in r["results"]}, want)
        # The repaired text is valid UTF-8: é from the Latin-1 byte.
        r = search_json(self.db, "Reykjavik")
        self.assertIn("Café", r["results"][0]["title"] + r["results"][0]["snippet"])
        search(self.db, "Oslo", code=1)


class Reuters21578(unittest.TestCase):
    """Reuters-21578 SGML read through .zst and .gz (needs ../shared/data)."""

    def test_compressed_sgml_files(self):
        src = os.path.join(shared_data_dir(), "reuters21578")
        if not os.path.exists(os.path.join(src, "reut2-000.sgm")):
            self.skipTest(f"Reuters-21578 not found at {src}")
        if shutil.which("zstd") is None:
            self.skipTest("the zstd program is not installed")
        with tempfile.TemporaryDirectory(prefix="newssearch-e2e-") as tmp:
            root = os.path.join(tmp, "reuters")
            os.makedirs(root)
            subprocess.run(["zstd", "-q", "-o", os.path.join(root, "reut2-000.sgm.zst"),
                            os.path.join(src, "reut2-000.sgm")], check=True)
            with open(os.path.join(src, "reut2-001.sgm"), "rb") as f, \
                    gzip.open(os.path.join(root, "reut2-001.sgm.gz"), "wb") as g:
                shutil.copyfileobj(f, g)
            db = os.path.join(tmp, "reuters.db")
            code, out, err = build(db, root)
            self.assertIn(code, (0, 1), err)
            self.assertRegex(summary_line(out), r"; 2 of 2 files read")
            _, stats, _ = run([NEWSINDEX, "stats", "--db", db, "--json"], check_code=0)
            s = json.loads(stats)
            self.assertEqual(s["documents"], 2000)
            self.assertEqual(s["first_date"][:4], "1987")
            r = search_json(db, "--limit", "50", '"cocoa" date:1987-02-26')
            self.assertGreaterEqual(len(r["results"]), 1)
            for x in r["results"]:
                self.assertEqual(x["date"], "1987-02-26")
                self.assertEqual(x["source"], "Reuters")
            self.assertIn("BAHIA COCOA REVIEW", [x["title"] for x in r["results"]])


def main():
    global NEWSINDEX, NEWSSEARCH, SOURCE
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--newsindex")
    ap.add_argument("--newssearch")
    ap.add_argument("--source", default=os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..")))
    ap.add_argument("--list", action="store_true", help="print the test ids and exit")
    opts, rest = ap.parse_known_args()
    if opts.list:
        print("\n".join(ctest_unittest.test_ids(__name__)))
        return 0
    if not opts.newsindex or not opts.newssearch:
        ap.error("--newsindex and --newssearch are required")
    NEWSINDEX, NEWSSEARCH, SOURCE = opts.newsindex, opts.newssearch, os.path.abspath(opts.source)
    return ctest_unittest.run(rest)


if __name__ == "__main__":
    sys.exit(main())
