#!/usr/bin/env python3
"""End-to-end tests of `newssearch --timeline` and `--cooccur`: an entity's
articles and stories per period equal the totals of the filtered searches
for each period, and co-occurring names are ranked by how much more often
than chance they appear together, so a name found everywhere comes last.
Standard library only.

    timeline_test.py --newsindex BIN --newssearch BIN [unittest args]
    timeline_test.py --list          (one test id per line, for ctest)
"""

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import ctest_unittest  # noqa: E402  (tests/ctest_unittest.py)

NEWSINDEX = NEWSSEARCH = None


def run(args, code=0):
    p = subprocess.run(args, capture_output=True, timeout=300)
    if code is not None and p.returncode != code:
        raise AssertionError(f"{args} exited {p.returncode}\n{p.stderr.decode()}")
    return p.stdout.decode("utf-8")


def article(i, rng, names, month, reprint_of=None):
    words = " ".join(rng.choice(["talks", "budget", "summit", "energy", "trade", "rates", "border", "vote"])
                     for _ in range(30))
    body = (f"{' and '.join(names)} met officials in Brussels on Tuesday to discuss the {words}. "
            f"The United States said it welcomed the talks, officials said.")
    return {"id": f"a{i}", "date": f"2010-{month:02d}-{1 + i % 27:02d}", "source": "Wire",
            "title": f"Summit talks {i}", "body": body}


class Timeline(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="timeline-test-")
        corpus = os.path.join(cls.tmp, "corpus")
        os.makedirs(corpus)
        rng = random.Random(3)
        rows = []
        for i in range(40):
            if i < 12:
                names = ["Angela Merkel", "Nicolas Sarkozy"]
            elif i < 16:
                names = ["Angela Merkel"]
            else:
                names = ["Gordon Brown"]
            rows.append(article(i, rng, names, 1 + i % 5))
        rows.append(dict(rows[0], id="a0-copy", source="Gazette"))  # a syndicated copy
        with open(os.path.join(corpus, "wire.jsonl"), "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r) + "\n")
        cls.db = os.path.join(cls.tmp, "db")
        run([NEWSINDEX, "build", "--db", cls.db, "--quiet", corpus])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def search_total(self, *args):
        return json.loads(run([NEWSSEARCH, "--db", self.db, "--json", "--facets", *args], code=None))["total"]

    def test_timeline_counts_equal_the_filtered_searches(self):
        out = run([NEWSSEARCH, "--db", self.db, "--json", "--timeline", "person:Angela Merkel",
                   "--timeline", "person:Gordon Brown", "--date-unit", "month", "talks"])
        t = json.loads(out)
        self.assertEqual(t["unit"], "month")
        self.assertEqual([s["entity"] for s in t["series"]], ["person:Angela Merkel", "person:Gordon Brown"])
        for s in t["series"]:
            self.assertGreater(len(s["points"]), 1)
            for p in s["points"]:
                total = self.search_total("--entity", s["entity"], "--from", p["period"], "--to", p["period"],
                                          "talks")
                self.assertEqual(p["stories"], total["stories"], (s["entity"], p))
                self.assertEqual(p["articles"], total["articles"], (s["entity"], p))
            self.assertEqual(sum(p["articles"] for p in s["points"]), s["articles"])
        merkel = t["series"][0]
        self.assertEqual(merkel["articles"], 17)  # 16 and the copy
        self.assertEqual(merkel["stories"], 16)

    def test_cooccurring_names_are_ranked_above_a_name_found_everywhere(self):
        out = run([NEWSSEARCH, "--db", self.db, "--json", "--cooccur", "person:Angela Merkel", "--facet-size", "5"])
        c = json.loads(out)["cooccurring"]
        names = [x["name"] for x in c]
        self.assertEqual(names[0], "Nicolas Sarkozy")
        self.assertNotIn("Angela Merkel", names)
        sarkozy = c[0]
        self.assertEqual(sarkozy["count"], 13)
        self.assertGreater(sarkozy["lift"], 1.5)
        everywhere = [x for x in c if x["name"] == "United States"]
        if everywhere:
            self.assertAlmostEqual(everywhere[0]["lift"], 1.0, places=2)
            self.assertGreater(names.index("United States"), 0)
        together = self.search_total("--no-collapse", "--entity", "person:Angela Merkel", "--entity",
                                     "person:Nicolas Sarkozy")
        self.assertEqual(together["articles"], sarkozy["count"])


if __name__ == "__main__":
    sys.exit(ctest_unittest.main_with_programs(__doc__))
