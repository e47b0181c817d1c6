#!/usr/bin/env python3
"""End-to-end tests of where each article's date came from: `newsindex
stats` counts each kind (text date line, JSON key, TREC and SGML fields,
none), `date:none` finds the undated, and the facets count them apart
from the dated bars. Standard library only.

    dates_test.py --newsindex BIN --newssearch BIN [unittest args]
    dates_test.py --list          (one test id per line, for ctest)
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import ctest_unittest  # noqa: E402  (tests/ctest_unittest.py)

NEWSINDEX = NEWSSEARCH = None

FILES = {
    "dated.txt": " date 2026-03-04 \nA dated harbour piece\n\nThe harbour opened in Lisbon today.\n",
    "undated.txt": "An undated harbour piece\n\nThe harbour closed in Porto today.\n",
    "wire.jsonl": json.dumps({"id": "j1", "published": "2026-03-05", "title": "Harbour news",
                              "body": "The harbour of Faro opened."}) + "\n" +
                  json.dumps({"id": "j2", "title": "Undated harbour news", "body": "The harbour of Faro shut."}) + "\n",
    "archive.trec": "<DOC>\n<DOCNO>T1</DOCNO>\n<DATE>2026-03-06</DATE>\n<HEADLINE>Harbour</HEADLINE>\n"
                    "<TEXT>The harbour of Vigo opened.</TEXT>\n</DOC>\n",
    "reut.sgm": '<REUTERS NEWID="9">\n<DATE>26-FEB-1987 15:01:01.79</DATE>\n<TEXT><TITLE>HARBOUR</TITLE>\n'
                "<BODY>The harbour of Cadiz opened.</BODY></TEXT>\n</REUTERS>\n",
}


def run(args):
    p = subprocess.run(args, capture_output=True, timeout=300, check=True)
    return p.stdout.decode("utf-8")


class DateFrom(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="dates-test-")
        corpus = os.path.join(cls.tmp, "corpus")
        os.makedirs(corpus)
        for name, text in FILES.items():
            with open(os.path.join(corpus, name), "w", encoding="utf-8") as f:
                f.write(text)
        cls.db = os.path.join(cls.tmp, "db")
        run([NEWSINDEX, "build", "--db", cls.db, "--quiet", corpus])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_stats_count_each_kind(self):
        stats = json.loads(run([NEWSINDEX, "stats", "--db", self.db, "--json"]))
        self.assertEqual(stats["date_from"], {"json": 1, "line": 1, "none": 2, "sgml": 1, "trec": 1})
        self.assertIn("dated by:   json 1 line 1 none 2 sgml 1 trec 1", run([NEWSINDEX, "stats", "--db", self.db]))

    def test_date_none_finds_the_undated_and_the_facets_count_them_apart(self):
        undated = json.loads(run([NEWSSEARCH, "--db", self.db, "--json", "--no-collapse", "harbour date:none"]))
        self.assertEqual(sorted(r["title"] for r in undated["results"]),
                         ["An undated harbour piece", "Undated harbour news"])
        self.assertTrue(all(r["date"] is None or r["date"] == "" for r in undated["results"]))
        facets = json.loads(run([NEWSSEARCH, "--db", self.db, "--json", "--facets", "--no-collapse", "harbour"]))
        self.assertEqual(facets["facets"]["undated"], 2)
        self.assertEqual(sum(d["count"] for d in facets["facets"]["date"]) + 2, facets["total"]["articles"])


if __name__ == "__main__":
    sys.exit(ctest_unittest.main_with_programs(__doc__))
