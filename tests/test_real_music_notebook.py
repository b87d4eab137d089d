"""Notebook 10 shows what the committed files hold: the collection's record and the results measured on it."""

import nbformat

import helpers
from helpers.data.open_music import games_table, read_collection
from helpers.plumbing.results import REAL_MUSIC_RESULTS, read_results, results_table

NOTEBOOK = helpers.PROJECT_ROOT / "notebooks" / "10_real_music.ipynb"


def printed_by(marker: str) -> str:
    """The text printed by the notebook's code cell whose source contains `marker`."""
    cells = [c for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "code" and marker in c.source]
    assert len(cells) == 1, marker
    return "".join(output.get("text", "") for output in cells[0].outputs if output.output_type == "stream")


def test_the_results_table_is_the_committed_results_file():
    assert printed_by("print(results_table(") == results_table(REAL_MUSIC_RESULTS) + "\n"
    for number, run in enumerate(read_results(REAL_MUSIC_RESULTS), 1):  # every row says how to reproduce it
        assert f"run {number}: {run['command']}" in printed_by("print(results_table(")


def test_the_collection_table_is_the_committed_record():
    assert printed_by("print(games_table(") == games_table(read_collection()) + "\n"
    record = read_collection()
    assert {genre: len(names) for genre, names in record["songs"].items()} == {"dramatic": 54, "silly_energy": 41}


def test_the_notebook_fetches_only_when_asked():
    sources = [c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "code"]
    assert any("FETCH = False" in source and "if FETCH:" in source for source in sources)


def test_the_fold_by_fold_comparisons_are_the_committed_results():
    """The notebook's plain lines come from the committed runs, and its prose (no difference by song
    is shown on five folds; notebook 12 tests them) holds for them."""
    from helpers.plumbing.results import compare_runs, recorded_folds

    printed = printed_by("say_comparison(").splitlines()
    pairs = [("baseline", "original"), ("improved", "original"), ("improved", "baseline"), ("features", "baseline")]
    assert len(printed) == len(pairs)
    for line, (better, worse) in zip(printed, pairs):
        assert line == helpers.say_comparison(recorded_folds(better), recorded_folds(worse), (better, worse))
        assert compare_runs(better, worse, held_out="songs")["verdict"] == "not shown"
    assert printed[1].startswith("improved vs original: ahead in 4 of 5 folds, level in 1")  # never loses a fold
