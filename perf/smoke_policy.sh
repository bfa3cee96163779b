#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# That bench_dataplane --policy measures what it says (a correctness
# check of the benchmark, not a timing): under every mode all frames come
# out, in order, and nothing is dropped, so the acl case really lets its
# traffic through 1,000 rules instead of timing the drop path.
#   perf/smoke_policy.sh BUILD/perf/bench_dataplane
set -euo pipefail
bench=$1
out=$(timeout 120 "$bench" --quick --no-aead --sizes 64 --peers 100 \
    --workers 1 --policy none,rate,acl 2>&1) || {
    echo "$out" >&2
    echo "FAIL: bench_dataplane exited with an error" >&2
    exit 1
}
echo "$out" | grep -v '^{'
python3 - "$out" <<'PY'
import json, sys
rows = [json.loads(l) for l in sys.argv[1].splitlines() if l.startswith("{")]
seen = {(r["policy"], r["path"]) for r in rows}
want = {(p, d) for p in ("none", "rate", "acl") for d in ("encrypt", "decrypt")}
bad = [r for r in rows if r["drops"] or r["order_errors"] or r["mpps"] <= 0]
if seen != want or bad:
    print("FAIL: cases %s, want %s; bad rows %s" % (sorted(seen), sorted(want), bad))
    sys.exit(1)
print("PASS: %d cases, no drops, in order" % len(rows))
PY
