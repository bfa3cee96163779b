#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Count test results for scripts/test.

Each argument is either a meson build directory (its
meson-logs/testlog.json is read: every cmocka case counts once, a case
that started but never reported OK is a failure, and a meson test that
failed without a failed case counts as one failure, so a crash is never
lost) or a file of lines
'PASS name' / 'FAIL name' written by a bash suite.

Prints one line per suite and the final 'N passed, M failed' line; exits 1
when anything failed or nothing ran at all.
"""
import json
import os
import re
import sys

OK_RE = re.compile(r"^\[       OK \] ", re.M)
RUN_RE = re.compile(r"^\[ RUN      \] ", re.M)


def count_meson(build_dir):
    path = os.path.join(build_dir, "meson-logs", "testlog.json")
    passed = failed = 0
    if not os.path.exists(path):
        print(f"  {build_dir}: no test log (did the build fail?)")
        return 0, 1
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            t = json.loads(line)
            out = (t.get("stdout") or "") + (t.get("stderr") or "")
            ok = len(OK_RE.findall(out))
            # a case that started and never said OK failed (or crashed)
            bad = len(RUN_RE.findall(out)) - ok
            if t.get("result") not in ("OK", "EXPECTEDFAIL") and bad == 0:
                bad = 1
            if ok == 0 and bad == 0:
                ok = 1  # a plain (non-cmocka) test that passed
            passed += ok
            failed += bad
            if bad:
                print(f"  FAILED: {build_dir}: {t.get('name')}")
    return passed, failed


def count_lines(path):
    passed = failed = 0
    with open(path) as f:
        for line in f:
            if line.startswith("PASS "):
                passed += 1
            elif line.startswith("FAIL "):
                failed += 1
                print(f"  FAILED: {line[5:].strip()}")
    return passed, failed


def main():
    total_p = total_f = 0
    for arg in sys.argv[1:]:
        if os.path.isdir(arg):
            p, f = count_meson(arg)
        elif os.path.isfile(arg):
            p, f = count_lines(arg)
        else:
            print(f"  {arg}: suite produced no results")
            p, f = 0, 1
        print(f"  {arg}: {p} passed, {f} failed")
        total_p += p
        total_f += f
    print(f"{total_p} passed, {total_f} failed")
    return 1 if total_f or not total_p else 0


if __name__ == "__main__":
    sys.exit(main())
