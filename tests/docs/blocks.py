"""Runs the code blocks of README.md and docs/*.md as written, against a
running Switchboard. See tests/docs/run.sh for the rules; in short:

- ```python and ```js blocks run (unless marked ```python skip);
- shell blocks (```sh, ```bash) run when marked ```sh test, are skipped when
  marked ```sh skip, and an unmarked one is an error: each says which it is;
- other blocks (```json, plain ```) are data and never run.

Every block that runs gets TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN (a Full
account), SWITCHBOARD_URL (the server), SWITCHBOARD_DATABASE_URL (its
database) and SWITCHBOARD_ACCOUNT_PASSWORD, as the README tells a reader to
set them; `switchboard` on PATH; and curl with --fail-with-body, so an HTTP
error fails the block. One substitution: `cargo run --release --` becomes
`switchboard` (the binary under test), so no release build is needed.

Usage: blocks.py --list FILE...   (what each block is; runs nothing)
       blocks.py --run FILE...    (needs the environment run.sh sets up)
"""

import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

RUN_BY_DEFAULT = {"python": "python", "py": "python", "js": "node", "javascript": "node"}
SHELL = {"sh", "bash", "shell"}
TIMEOUT_SECONDS = 60


@dataclass
class Block:
    path: str
    line: int
    lang: str
    flags: list = field(default_factory=list)
    code: str = ""

    @property
    def where(self):
        return f"{self.path}:{self.line}"

    def kind(self):
        """('run', runner) | ('skip', why) | ('data', why) | ('error', why)"""
        if "skip" in self.flags and "test" in self.flags:
            return ("error", "marked both test and skip")
        if self.lang in RUN_BY_DEFAULT:
            if "skip" in self.flags:
                return ("skip", f"```{self.lang} skip")
            return ("run", RUN_BY_DEFAULT[self.lang])
        if self.lang in SHELL:
            if "test" in self.flags:
                return ("run", "bash")
            if "skip" in self.flags:
                return ("skip", f"```{self.lang} skip")
            return ("error", f"unmarked shell block: write ```{self.lang} test (self-contained, "
                             f"run by the test) or ```{self.lang} skip (not run)")
        return ("data", f"```{self.lang}" if self.lang else "```")


FENCE = re.compile(r"^ {0,3}(`{3,})(.*)$")


def blocks_of(path):
    found = []
    current = None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            fence = FENCE.match(line.rstrip("\n"))
            if current is None:
                if fence:
                    words = fence.group(2).split()
                    current = Block(path, number, words[0] if words else "", words[1:])
                    current.fence = fence.group(1)
            elif fence and fence.group(1) == current.fence and not fence.group(2).strip():
                found.append(current)
                current = None
            else:
                current.code += line
    if current is not None:
        sys.exit(f"{current.where}: a code block that never ends")
    return found


def run_block(block, runner, workdir):
    code = block.code
    suffix = {"python": ".py", "node": ".js", "bash": ".sh"}[runner]
    if runner == "bash":
        code = code.replace("cargo run --release -- ", "switchboard ")
        code = "set -euo pipefail\n" + code
    name = os.path.join(workdir, f"example-{block.line}{suffix}")
    with open(name, "w", encoding="utf-8") as f:
        f.write(code)
    command = {
        "python": [os.environ["DOCS_PYTHON"], name],
        "node": ["node", name],
        "bash": ["bash", name],
    }[runner]
    try:
        done = subprocess.run(command, cwd=workdir, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        return False, f"timed out after {TIMEOUT_SECONDS}s"
    output = (done.stdout + done.stderr).strip()
    return done.returncode == 0, output


def main():
    mode, paths = sys.argv[1], sys.argv[2:]
    blocks = [b for p in paths for b in blocks_of(p)]
    ran, failed, skipped, data, errors = [], [], [], [], []
    workdir = os.environ.get("DOCS_WORKDIR") or tempfile.mkdtemp()
    for block in blocks:
        kind, detail = block.kind()
        if kind == "error":
            errors.append(block)
            print(f"  ERROR   {block.where}: {detail}")
        elif kind == "skip":
            skipped.append(block)
            print(f"  skip    {block.where} ({detail})")
        elif kind == "data":
            data.append(block)
            print(f"  data    {block.where} ({detail}, never run)")
        elif mode == "--list":
            print(f"  would run {block.where} ({detail})")
        else:
            ok, output = run_block(block, detail, workdir)
            (ran if ok else failed).append(block)
            print(f"  {'ok    ' if ok else 'FAILED'}  {block.where} ({block.lang}, run with {detail})")
            if not ok or os.environ.get("DOCS_VERBOSE"):
                print("    | " + output.replace("\n", "\n    | "))
    print(f"code blocks in {len(paths)} files: {len(ran)} ran, {len(failed)} failed, "
          f"{len(skipped)} skipped as marked, {len(data)} data, {len(errors)} unmarked")
    if mode == "--list":
        return 1 if errors else 0
    if not ran and not failed:
        print("no code block ran: the extraction is broken or every block is skipped")
        return 1
    print(f"docs-blocks: {len(ran)} passed, {len(failed) + len(errors)} failed, {len(skipped)} skipped")
    return 1 if failed or errors else 0


if __name__ == "__main__":
    sys.exit(main())
