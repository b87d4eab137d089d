"""The "Open in Colab" badge and the set-up cell that every notebook starts with.

REPOSITORY below is the one place that names where the series lives. The badge at the top of
each notebook and the set-up cell under it are written from it; a fork changes that line and
runs ``python -m helpers.plumbing.colab`` once, which rewrites the badge and the set-up cell of every
notebook in notebooks/ (and nothing else). tests/test_colab.py checks they agree.

The set-up cell is as short as TensorFlow's tutorials' install cells and does nothing outside
Colab. On Colab (no copy of the repository; TensorFlow and librosa preinstalled) it clones the
series shallowly into /content/<name> (once: every later notebook finds the clone), pip-installs
it, which installs only the helpers' requirements that Colab lacks (TensorFlow is not among them:
pyproject.toml leaves it out on purpose, because reinstalling it breaks Colab's runtime), and
imports helpers from the clone, so tracks/, .cache/ and models/ are the clone's folders.

Used by every notebook, from notebooks/01_listen_and_load.ipynb on.
"""

from __future__ import annotations

import argparse
from pathlib import Path

REPOSITORY = "https://github.com/sound-ml-series/sound-ml-series"
"""Where the series lives on GitHub. A fork: change this, then run ``python -m helpers.plumbing.colab``."""

BRANCH = "main"

BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"

SETUP_CELL = '''\
# Set-up. On Colab: fetch the series, install what Colab lacks (helpers/plumbing/colab.py). Elsewhere: nothing to do.
import sys
if "google.colab" in sys.modules:
    import os, subprocess; SERIES = "/content/{name}"
    if not os.path.isdir(SERIES):
        subprocess.run(["git", "clone", "--depth", "1", "--branch", "{branch}", "{repository}", SERIES], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", SERIES], check=True); sys.path.insert(0, SERIES)
import helpers
settings = helpers.load_settings()  # change a setting here, e.g. helpers.load_settings(segment_width=50_000)'''


def setup_cell(repository: str = REPOSITORY, branch: str = BRANCH) -> str:
    """The source of every notebook's first code cell."""
    repository = repository.rstrip("/")
    return SETUP_CELL.format(repository=repository, branch=branch, name=repository.rsplit("/", 1)[-1])


def colab_url(notebook: str, repository: str = REPOSITORY, branch: str = BRANCH) -> str:
    """The address that opens `notebook` (a file name in notebooks/) from GitHub in Colab."""
    path = repository.rstrip("/").removeprefix("https://github.com/")
    return f"https://colab.research.google.com/github/{path}/blob/{branch}/notebooks/{notebook}"


def badge(notebook: str, repository: str = REPOSITORY, branch: str = BRANCH) -> str:
    """The markdown line of the "Open in Colab" badge for `notebook`."""
    return f"[![Open In Colab]({BADGE_IMAGE})]({colab_url(notebook, repository, branch)})"


def _with_badge(markdown: str, line: str) -> str:
    """`markdown` whose first line after the title is `line` (replacing an earlier badge)."""
    lines = markdown.split("\n")
    title, rest = lines[:1], lines[1:]
    while rest and rest[0] == "":
        rest = rest[1:]
    if rest and rest[0].startswith("[![Open In Colab]"):
        rest = rest[1:]
    while rest and rest[0] == "":
        rest = rest[1:]
    return "\n".join(title + ["", line, ""] + rest)


def write_notebooks(folder: Path, repository: str = REPOSITORY, branch: str = BRANCH) -> list[Path]:
    """Write the badge and the set-up cell into every numbered notebook of `folder`.

    Only the first markdown cell's badge line and the first code cell's source change; outputs,
    execution counts and every other cell are kept as they are.
    """
    import nbformat

    changed = []
    for path in sorted(Path(folder).glob("[0-9][0-9]_*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        first_markdown = next(c for c in notebook.cells if c.cell_type == "markdown")
        first_code = next(c for c in notebook.cells if c.cell_type == "code")
        new_markdown = _with_badge(first_markdown.source, badge(path.name, repository, branch))
        new_code = setup_cell(repository, branch)
        if (new_markdown, new_code) != (first_markdown.source, first_code.source):
            first_markdown.source, first_code.source = new_markdown, new_code
            nbformat.write(notebook, path)
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.plumbing.colab",
        description="Rewrite the Colab badge and the set-up cell of every notebook from REPOSITORY "
                    "in helpers/plumbing/colab.py (change that line first, in a fork).")
    parser.add_argument("--notebooks", type=Path, default=Path(__file__).resolve().parents[2] / "notebooks",
                        help="the folder of the numbered notebooks (default: the checkout's notebooks/)")
    args = parser.parse_args(argv)
    changed = write_notebooks(args.notebooks)
    print(f"{len(changed)} notebook(s) rewritten for {REPOSITORY} ({BRANCH})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
