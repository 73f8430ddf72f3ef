"""Validates recorded exchanges (JSONL, one response a line) against
Twilio's OpenAPI document; used for the Node suite, whose recording HTTP
client writes every response its SDK sees.

    python -m sdkharness.validate_jsonl [--require FILE] [--label NAME] FILE...

A line is {"context", "method", "url", "status", "content_type", "body",
"raw_captured"}: `body` is the response text exactly as received. Exits 1
when any response breaks the document, when a response's raw text was not
captured, when no response was recorded at all, or when an operation listed
in the --require file ("GET /2010-04-01/Accounts.json 200", one a line) was
never seen.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from .spec import SpecValidator, Violation


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--require", type=Path, help="operations that must have been exercised")
    ap.add_argument("--label", default="recorded responses")
    ap.add_argument("--quiet", action="store_true", help="no per-operation summary")
    args = ap.parse_args(argv)

    validator = SpecValidator()
    ops: Counter[str] = Counter()
    violations: list[Violation] = []
    total = 0
    for path in args.files:
        with open(path, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    e = json.loads(line)
                except ValueError as err:
                    violations.append(Violation("?", f"{path}:{lineno}", 0, [f"unreadable record: {err}"]))
                    continue
                total += 1
                outcome = validator.check(e["method"], e["url"], int(e["status"]),
                                          e.get("content_type"), e.get("body"))
                ops[outcome.operation] += 1
                problems = list(outcome.problems)
                if e.get("raw_captured") is False:
                    problems.append("the recording client did not capture the raw response text")
                if problems:
                    violations.append(Violation(e["method"], e["url"], int(e["status"]), problems,
                                                e.get("body") or "", e.get("context", "")))

    print(f"== {args.label}: {total} responses checked against Twilio's OpenAPI document")
    if not args.quiet:
        for op, n in sorted(ops.items()):
            print(f"{n:6d}  {op}")

    failed = False
    if total == 0:
        print("FAIL: no response was recorded: is the recording HTTP client hooked in?")
        failed = True
    if args.require:
        wanted = [ln.strip() for ln in args.require.read_text().splitlines()
                  if ln.strip() and not ln.lstrip().startswith("#")]
        missing = [w for w in wanted if w not in ops]
        if missing:
            failed = True
            print(f"FAIL: {len(missing)} required operation(s) never exercised:")
            for m in missing:
                print(f"    {m}")
    if violations:
        failed = True
        print(f"FAIL: {len(violations)} response(s) do not match Twilio's OpenAPI document:")
        for v in violations:
            print(v.render())
    if not failed:
        print(f"OK: {total} responses, {len(ops)} operations, no violations")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
