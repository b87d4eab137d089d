"""The notebooks as nbval reads them: each output that may differ between machines is really excluded."""

import nbformat
from nbval.plugin import find_comment_markers

import helpers

NOTEBOOKS = sorted((helpers.PROJECT_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_every_nbval_marker_is_one_nbval_recognises():
    # nbval honours a marker only when the comment is the marker alone: "# NBVAL_IGNORE_OUTPUT: why"
    # is silently an ordinary comment, and the output is compared after all.
    marked = 0
    for path in NOTEBOOKS:
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type == "code" and "NBVAL_" in cell.source:
                assert dict(find_comment_markers(cell.source)), f"{path.name} cell {index}: the marker is not on a line of its own"
                marked += 1
    assert marked >= 15


def test_notebooks_are_committed_executed_in_order():
    for path in NOTEBOOKS:
        counts = [c.execution_count for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        assert counts == list(range(1, len(counts) + 1)), path.name


def test_progress_counts_are_committed_finished():
    # A count frozen at its start ("songs: 0 of 32", or tqdm's "0%|") reads as a hang on GitHub.
    import re

    counts = []
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            for output in cell.get("outputs", []):
                text = output.get("text") or output.get("data", {}).get("text/plain", "")
                assert "0%|" not in text, f"{path.name}: a tqdm bar frozen at its start"
                counts += [(path.name, int(done), int(total)) for done, total in re.findall(r"songs: (\d+) of (\d+)", text)]
    assert counts, "the notebooks show no progress count"
    assert all(done == total for _, done, total in counts), [c for c in counts if c[1] != c[2]]
