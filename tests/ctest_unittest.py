"""Shared by the Python test suites (tests/e2e, tests/robust, tests/shards):
lists their test ids for CMake, and runs them with the exit codes ctest
reads: 0 passed, 1 failed, 77 every test skipped (SKIP_RETURN_CODE)."""
import sys
import unittest


def test_ids(module_name):
    """'Class.method' for every test of the module, in load order."""
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[module_name])
    ids = []

    def walk(s):
        for t in s:
            if isinstance(t, unittest.TestSuite):
                walk(t)
            else:
                ids.append(t.id().split(".", 1)[1])
    walk(suite)
    return ids


def run(args):
    """Runs the __main__ module's tests named in `args` (all when empty)."""
    prog = unittest.main(module="__main__", argv=[sys.argv[0], "-v", *args], exit=False)
    r = prog.result
    if not r.wasSuccessful():
        return 1
    # Every test skipped: tell ctest rather than pass silently.
    if r.testsRun and len(r.skipped) == r.testsRun:
        return 77
    return 0
