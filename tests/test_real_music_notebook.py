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
    assert {genre: len(names) for genre, names in record["songs"].items()} == {"dramatic": 60, "silly_energy": 44}


def test_the_notebook_fetches_only_when_asked():
    sources = [c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "code"]
    assert any("FETCH = False" in source and "if FETCH:" in source for source in sources)


def test_the_fold_by_fold_comparisons_are_the_committed_results():
    """The notebook's plain lines come from the committed runs, and its prose holds for them: the
    baseline leads the original CNN in every fold by one or two songs, larger than the noise by the
    fold test (notebook 12); no other lead is shown."""
    from helpers.plumbing.results import compare_runs, recorded_folds

    printed = printed_by("say_comparison(").splitlines()
    pairs = [("baseline", "original"), ("improved", "original"), ("improved", "baseline"), ("features", "baseline")]
    assert len(printed) == len(pairs)
    for line, (better, worse) in zip(printed, pairs):
        assert line == helpers.say_comparison(recorded_folds(better), recorded_folds(worse), (better, worse))
        verdict = compare_runs(better, worse, held_out="songs")["verdict"]
        assert verdict == ("larger than the noise" if (better, worse) == ("baseline", "original") else "not shown")
    assert printed[0].startswith("baseline vs original: ahead in 5 of 5 folds, by 1, 2, 2, 1 and 2 songs")  # the prose's


def test_every_model_fails_the_fold_that_holds_out_mars():
    """"Every model fails one fold, the one that holds out M.A.R.S. and X-Moto (0.12 to 0.35 of its songs
    right)": on each recorded dealing of the folds by game, every model's worst fold is the one testing
    M.A.R.S. (with X-Moto on seeds 42 and 1), and on seed 42 it gets 0.12 to 0.35 right."""
    import numpy as np

    from helpers.plumbing.results import REAL_MUSIC_SEEDS
    from helpers.sources import song_source
    from helpers.split import cross_validation_by_source

    record = read_collection()
    names = [f"{genre}/{name}" for genre, songs in record["songs"].items() for name in songs]
    genres = list(record["songs"])
    y = np.array([genres.index(name.split("/")[0]) for name in names])
    sources = [song_source(name) for name in names]
    runs = [run["result"] for path in (REAL_MUSIC_RESULTS, REAL_MUSIC_SEEDS) for run in read_results(path)
            if run["result"]["group"] == "source"]
    assert {run["model"] for run in runs} >= {"baseline", "improved", "original", "musicnn", "features", "musicnn-tuned"}
    for run in runs:
        folds = cross_validation_by_source(y, np.arange(len(names)), sources, genres, folds=4, seed=run.get("seed", 42),
                                           song_names=names)
        assert [len(fold.test) for fold in folds] == run["test_songs_per_fold"]
        worst = int(np.argmin(run["song_accuracy_per_fold"]))
        assert "marsshooter" in {sources[song] for song in folds[worst].test}, run["model"]
        if run.get("seed", 42) == 42:
            assert {sources[song] for song in folds[worst].test} == {"marsshooter", "xmoto"}
            assert 0.11 < run["song_accuracy_per_fold"][worst] < 0.36, run["model"]


def test_the_seeds_table_is_the_committed_runs_and_musicnn_meets_its_targets():
    """The table of three dealings is the committed files', and its prose: musicnn's frozen classifier
    averages 0.930 by song and 0.765 balanced holding out games (issue 32's targets: 0.90 and 0.75)."""
    import numpy as np

    from helpers.plumbing.results import REAL_MUSIC_SEEDS, seeds_table

    assert printed_by("print(seeds_table(") == seeds_table(REAL_MUSIC_RESULTS, REAL_MUSIC_SEEDS) + "\n"
    runs = [run["result"] for path in (REAL_MUSIC_RESULTS, REAL_MUSIC_SEEDS) for run in read_results(path)
            if run["result"]["model"] == "musicnn"]
    by_song = [run["song_accuracy"] for run in runs if run["group"] == "song"]
    by_game = [run["song_balanced_accuracy"] for run in runs if run["group"] == "source"]
    assert len(by_song) == len(by_game) == 3
    assert round(float(np.mean(by_song)), 3) == 0.930 >= 0.90 and round(float(np.mean(by_game)), 3) == 0.765 >= 0.75


def test_the_baseline_run_here_is_the_recorded_one():
    """The skipped cell that cross-validates the baseline on the collection printed, when it ran, the
    numbers of the recorded runs 1 and 3 (by song, holding out games): the same model on the same folds."""
    printed = printed_by("helpers.cross_validate_baseline(dataset, splits)").splitlines()
    runs = {run["result"]["group"]: run["result"] for run in read_results(REAL_MUSIC_RESULTS)
            if run["result"]["model"] == "baseline" and run["result"]["split"] == "song"}
    assert len(printed) == 2
    for line, (group, folds) in zip(printed, (("song", 5), ("source", 4))):
        run = runs[group]
        assert line == (f"baseline, {folds} folds holding out whole {group}s: song accuracy {run['song_accuracy']:.3f} "
                        f"(chance {run['song_chance']:.3f}), balanced {run['song_balanced_accuracy']:.3f} (chance 0.5)")
