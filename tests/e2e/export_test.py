#!/usr/bin/env python3
"""End-to-end tests of `newssearch --export csv|jsonl`.

Builds an index of a generated corpus larger than a search's page cap
(offset + limit 10,000), with syndicated copies, and checks that the export
holds every match: as many rows as `--facets` counts stories (articles with
--no-collapse), in the search's order, as RFC 4180 CSV that Python's csv
module and LibreOffice read back cell for cell. Standard library only.

    export_test.py --newsindex BIN --newssearch BIN [unittest args]
    export_test.py --list          (one test id per line, for ctest)
"""

import csv
import io
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
STORIES, REPRINTS = 10_300, 300  # more stories than the page cap of 10,000
COLUMNS = ["rank", "id", "story", "copies", "date", "source", "title", "url", "path", "people",
           "organisations", "places", "misc", "lead"]
TRICKY_TITLE = 'Port strike, day 3: "no deal", says union'
TRICKY_BODY = ("José Müller, the head of Çelik Holding in São Paulo, said the harbour talks, which began "
               "on Monday, had failed.\n\nThe union's leader, Zoë Ångström, said: \"We stay out.\"")


def run(args, code=0):
    p = subprocess.run(args, capture_output=True, timeout=600)
    if code is not None and p.returncode != code:
        raise AssertionError(f"{args} exited {p.returncode}, expected {code}\nstderr:\n{p.stderr.decode()}")
    return p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def words(rng, n):
    syll = ["ka", "lo", "mi", "ren", "tu", "sa", "vor", "el", "din", "pra", "qui", "zo", "bel", "tan"]
    return " ".join("".join(rng.choice(syll) for _ in range(rng.randint(2, 4))) for _ in range(n))


def write_corpus(folder):
    """Distinct stories that all say "harbour", some reprinted word for word by another source."""
    rng = random.Random(7)
    path = os.path.join(folder, "wire.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        bodies = []
        for i in range(STORIES):
            body = f"The harbour {words(rng, 70)}."
            bodies.append(body)
            day = 1 + i % 28
            f.write(json.dumps({"id": f"s{i}", "date": f"2025-{1 + i % 12:02d}-{day:02d}", "source": "Wire",
                                "title": f"Harbour {words(rng, 4)}", "body": body}) + "\n")
        for k in range(REPRINTS):
            i = k * 31
            f.write(json.dumps({"id": f"r{k}", "date": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}",
                                "source": "Gazette", "title": "Reprint", "body": bodies[i]}) + "\n")
        f.write(json.dumps({"id": "tricky", "date": "2025-06-30", "source": "Wire", "title": TRICKY_TITLE,
                            "body": TRICKY_BODY + " The harbour stayed shut."}) + "\n")
    return path


class Export(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="export-test-")
        corpus = os.path.join(cls.tmp, "corpus")
        os.makedirs(corpus)
        write_corpus(corpus)
        cls.db = os.path.join(cls.tmp, "db")
        run([NEWSINDEX, "build", "--db", cls.db, "--quiet", corpus])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def totals(self, *args):
        out, _ = run([NEWSSEARCH, "--db", self.db, "--json", "--facets", *args])
        return json.loads(out)["total"]

    def export(self, fmt, *args):
        out, err = run([NEWSSEARCH, "--db", self.db, "--export", fmt, *args])
        return out, err

    def test_csv_holds_every_story_beyond_the_page_cap(self):
        total = self.totals("harbour")
        self.assertTrue(total["exact"])
        self.assertLess(total["stories"], total["articles"])  # the reprints folded
        out, err = self.export("csv", "harbour")
        rows = list(csv.reader(io.StringIO(out, newline="")))
        self.assertEqual(rows[0], COLUMNS)
        body = [dict(zip(COLUMNS, r)) for r in rows[1:]]
        self.assertGreater(len(body), 10_000)
        self.assertEqual(len(body), total["stories"])
        self.assertEqual(sum(int(r["copies"]) for r in body), total["articles"])
        self.assertEqual(len({r["story"] for r in body}), len(body))
        self.assertEqual([int(r["rank"]) for r in body], list(range(1, len(body) + 1)))
        self.assertIn(f"exported {len(body)} stories", err)
        # A search cannot page that deep; the export is the way to all of them.
        run([NEWSSEARCH, "--db", self.db, "--offset", "10000", "harbour"], code=2)

    def test_jsonl_without_folding_holds_every_article_with_its_text(self):
        total = self.totals("--no-collapse", "harbour")
        out, _ = self.export("jsonl", "--no-collapse", "harbour")
        rows = [json.loads(line) for line in out.splitlines()]
        self.assertEqual(len(rows), total["articles"])
        self.assertEqual(len({r["id"] for r in rows}), len(rows))
        self.assertTrue(all(r["copies"] == 1 and "harbour" in r["text"].lower() for r in rows))
        self.assertIn("r0", {r["id"] for r in rows})

    def test_rows_follow_the_search_order(self):
        for args in (["harbour"], ["--sort", "date", "harbour"], ["--sort", "oldest", "--no-collapse", "harbour"]):
            out, _ = run([NEWSSEARCH, "--db", self.db, "--json", "--limit", "1000", *args])
            page = [r["id"] for r in json.loads(out)["results"]]
            rows = [json.loads(line) for line in self.export("jsonl", *args)[0].splitlines()]
            ids = [r["id"] for r in rows]
            if "--sort" in args:
                self.assertEqual(ids[:1000], page, args)
            else:  # (equal scores may be ordered otherwise: the search breaks ties by id)
                self.assertLessEqual(len(set(page) - set(ids[:1100])), 0, args)
                self.assertEqual(ids[0], page[0])
            if "--sort" in args:
                dates = [r["date"] for r in rows]
                self.assertEqual(dates, sorted(dates, reverse="oldest" not in args), args)

    def test_filters_apply(self):
        total = self.totals("--source", "Gazette", "harbour")
        out, _ = self.export("csv", "--source", "Gazette", "--no-collapse", "harbour")
        rows = list(csv.DictReader(io.StringIO(out, newline="")))
        self.assertEqual(len(rows), total["articles"])
        self.assertEqual({r["source"] for r in rows}, {"Gazette"})
        self.assertEqual(len(rows), REPRINTS)

    def test_nothing_matched_exits_1_with_a_header(self):
        out, err = run([NEWSSEARCH, "--db", self.db, "--export", "csv", "zzzqqq"], code=1)
        self.assertEqual(out, ",".join(COLUMNS) + "\r\n")
        self.assertIn("exported 0", err)

    def test_bad_format_is_an_error(self):
        _, err = run([NEWSSEARCH, "--db", self.db, "--export", "xlsx", "harbour"], code=None)
        self.assertIn("--export", err)

    def tricky_csv(self):
        out, _ = self.export("csv", "title:strike")
        self.assertIn('"Port strike, day 3: ""no deal"", says union"', out)
        rows = list(csv.DictReader(io.StringIO(out, newline="")))
        self.assertEqual(len(rows), 1)
        return out, rows[0]

    def test_csv_quotes_commas_quotes_and_keeps_non_ascii_names(self):
        out, row = self.tricky_csv()
        self.assertEqual(row["title"], TRICKY_TITLE)
        self.assertIn("José Müller", row["people"])
        self.assertIn("São Paulo", row["places"])
        self.assertEqual(row["lead"], TRICKY_BODY.replace("\n\n", "\n") + " The harbour stayed shut.")
        self.assertTrue(out.endswith("\r\n"))

    def test_libreoffice_reads_the_csv_back_cell_for_cell(self):
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if not soffice:
            self.skipTest("soffice not installed (Debian package libreoffice-calc-nogui)")
        out, row = self.tricky_csv()
        work = tempfile.mkdtemp(prefix="lo-", dir=self.tmp)
        src = os.path.join(work, "export.csv")
        with open(src, "w", encoding="utf-8", newline="") as f:
            f.write(out)
        # Read as UTF-8 CSV (comma, double quote), written back as .ods and
        # from that as CSV again: each cell must come back as it was.
        profile = "file://" + os.path.join(work, "profile")
        filt = "CSV:44,34,76,1"
        run([soffice, f"-env:UserInstallation={profile}", "--headless", f"--infilter={filt}", "--convert-to",
             "ods", "--outdir", work, src])
        back = os.path.join(work, "back")
        os.makedirs(back)
        run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to",
             'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,true,true', "--outdir", back,
             os.path.join(work, "export.ods")])
        with open(os.path.join(back, "export.csv"), encoding="utf-8", newline="") as f:
            cells = list(csv.reader(f))
        self.assertEqual(cells[0], COLUMNS)
        self.assertEqual(dict(zip(COLUMNS, cells[1])), row)


if __name__ == "__main__":
    sys.exit(ctest_unittest.main_with_programs(__doc__))
