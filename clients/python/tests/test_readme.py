"""The README's complete example is a test of this package, verbatim."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_example_is_the_connect_app_test():
    readme = (ROOT / "README.md").read_text("utf-8")
    match = re.search(r"<!-- example: (\S+) -->\n```python\n(.*?)```\n", readme, re.S)
    assert match, "the README's example block is missing"
    path, block = match.groups()
    assert path == "tests/test_connect_app.py"
    assert block == (ROOT / path).read_text("utf-8")
