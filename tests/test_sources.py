"""Sources and near-duplicate families from file names; cross-validation that holds out whole
sources; `evaluate --group`'s folds keep a tune and its variants together."""

import json
import time
import types

import numpy as np
import pytest

from helpers import CollectionError
from helpers.__main__ import parser
from helpers.split import cross_validation_folds
from helpers.plumbing.results import record_result, results_table
from helpers.sources import family_groups, song_source, song_title, variant_family
from helpers.split import cross_validation_by_song, cross_validation_by_source


@pytest.mark.parametrize("name, source, family", [
    ("silly_energy/supertuxkart__celtic_fast.ogg", "supertuxkart", "supertuxkart/celtic"),
    ("supertuxkart__farm_f.ogg", "supertuxkart", "supertuxkart/farm"),
    ("supertuxkart__jumping_to_the_stars_remake_fast.ogg", "supertuxkart", "supertuxkart/jumping_to_the_stars_remake"),
    ("dramatic/widelands__ingame_03.ogg", "widelands", "widelands/ingame_03"),
    ("jazz/Nina Simone - Sinnerman (Live).mp3", "Nina Simone", "nina simone/sinnerman"),
    ("Nina Simone - Sinnerman.mp3", "Nina Simone", "nina simone/sinnerman"),
    ("rock/my song.wav", "my song", "my song/my song"),  # nothing known: its own source and family
    ("rock/fast.mp3", "fast", "fast/fast"),
])
def test_source_and_family_from_the_file_name(name, source, family):
    assert song_source(name) == source
    assert variant_family(name) == family


def test_title_is_what_follows_the_source():
    assert song_title("a__b__c.ogg") == "b__c" and song_title("Artist - A - B.mp3") == "A - B"


def collection():
    """Two genres, three games each, four songs per game (two pieces each); one game has a `_fast` variant."""
    names, y = [], []
    for label, (genre, games) in enumerate((("dark", ("castle", "crypt", "keep")), ("fun", ("kart", "moto", "sled")))):
        for game in games:
            for tune in range(4):
                names.append(f"{genre}/{game}__tune{tune}.ogg")
                y.append(label)
    names.append("fun/kart__tune0_fast.ogg")
    y.append(1)
    groups = np.repeat(np.arange(len(names)), 2)
    return np.repeat(np.array(y), 2), groups, names


def test_families_join_a_tune_and_its_variant():
    y, groups, names = collection()
    family_of_piece, family_names, family_sources = family_groups(groups, names)
    assert len(family_names) == len(names) - 1 == 24
    kart = family_names.index("fun/kart/tune0")
    assert set(np.flatnonzero(family_of_piece == kart) // 2) == {names.index("fun/kart__tune0.ogg"), len(names) - 1}
    assert family_sources[kart] == "kart" and sorted(set(family_sources)) == ["castle", "crypt", "kart", "keep",
                                                                             "moto", "sled"]


def test_holding_out_whole_sources():
    y, groups, names = collection()
    family_of_piece, family_names, family_sources = family_groups(groups, names)
    splits = cross_validation_by_source(y, family_of_piece, family_sources, ["dark", "fun"], folds=3,
                                        song_names=family_names)
    tested = []
    for split in splits:
        test_sources = {song_source(names[s]) for s in set(groups[split.test])}
        train_sources = {song_source(names[s]) for s in set(groups[split.train]) | set(groups[split.validation])}
        assert not test_sources & train_sources
        assert sorted(len(set(y[split.test]) & {label}) for label in (0, 1)) == [1, 1]  # each fold: one game per genre
        assert len(test_sources) == 2 and len(set(groups[split.validation])) == 2
        tested += sorted(test_sources)
        assert (split.test.size + split.train.size + split.validation.size) == len(y)
    assert sorted(tested) == sorted(["castle", "crypt", "keep", "kart", "moto", "sled"])  # each game tested once

    with pytest.raises(CollectionError, match="'dark' has 3 source"):
        cross_validation_by_source(y, family_of_piece, family_sources, ["dark", "fun"], folds=4)


def test_evaluate_folds_keep_variants_together_and_equal_notebook_07s_without_them():
    y, groups, names = collection()
    dataset = types.SimpleNamespace(y=y, groups=groups, song_names=names, genres=["dark", "fun"], songs=names)
    settings = types.SimpleNamespace(folds=3, seed=42)
    fast, plain = len(names) - 1, names.index("fun/kart__tune0.ogg")
    for group in ("song", "source"):
        for split in cross_validation_folds(dataset, settings.folds, settings.seed, group=group):
            for part in (split.train, split.validation, split.test):
                assert (fast in groups[part]) == (plain in groups[part])

    # Without variants the folds are exactly those of cross_validation_by_song (notebook 07's).
    keep = groups != fast
    dataset = types.SimpleNamespace(y=y[keep], groups=groups[keep], song_names=names[:-1], genres=["dark", "fun"],
                                    songs=names[:-1])
    ours = cross_validation_folds(dataset, settings.folds, settings.seed)
    theirs = cross_validation_by_song(y[keep], groups[keep], ["dark", "fun"], 3, 42, song_names=names[:-1])
    assert all(np.array_equal(a.test, b.test) and np.array_equal(a.validation, b.validation)
               for a, b in zip(ours, theirs))


def test_evaluate_takes_group_and_record():
    options = parser().parse_args(["evaluate", "--group", "source", "--record", "r.json"])
    assert options.group == "source" and str(options.record) == "r.json"
    assert parser().parse_args(["evaluate"]).group == "song"


def test_results_file_and_table(tmp_path):
    path = tmp_path / "results" / "real.json"
    assert results_table(path).startswith("No results measured yet")
    result = {"songs": 95, "model": "original", "group": "source", "song_accuracy": 0.7,
              "song_accuracy_per_fold": [0.6, 0.7, 0.8], "song_balanced_accuracy": 0.65, "balanced_chance": 0.5, "song_chance": 0.52}
    record_result(path, "python -m helpers evaluate --group source", result)
    record_result(path, "python -m helpers evaluate --group source", {**result, "song_accuracy": 0.75})  # replaced
    record_result(path, "python -m helpers evaluate", {**result, "group": "song"})
    record_result(path, "python -m helpers evaluate --group source", {**result, "song_accuracy": 0.75})  # keeps its place
    runs = json.loads(path.read_text())["runs"]
    assert [run["command"] for run in runs] == ["python -m helpers evaluate --group source",
                                                "python -m helpers evaluate"]
    lines = results_table(path).splitlines()
    assert lines[1].split() == ["1", "original", "sources", "95", "3", "0.750", "0.600-0.800", "0.520", "0.650", "0.500"]
    assert lines[2].split()[2] == "songs" and lines[-1].startswith("run 2: python -m helpers evaluate")



def test_a_run_gives_its_time_and_the_seeds_table_its_mean_over_dealings(tmp_path):
    from helpers.plumbing.results import seeds_table

    first, others = tmp_path / "seed42.json", tmp_path / "seeds.json"
    run = {"songs": 95, "model": "musicnn", "group": "song", "split": "song", "song_accuracy_per_fold": [0.8, 0.9],
           "song_balanced_accuracy": 0.8, "balanced_chance": 0.5, "song_chance": 0.52}
    record_result(first, "python -m helpers evaluate --model musicnn", {**run, "song_accuracy": 0.85, "seed": 42, "seconds": 118.4})
    record_result(first, "python -m helpers evaluate --model baseline", {**run, "model": "baseline", "song_accuracy": 0.7})
    record_result(first, "python -m helpers evaluate --split piece", {**run, "split": "piece", "song_accuracy": 0.99})
    for seed, accuracy in ((1, 0.80), (2, 0.90)):
        record_result(others, f"python -m helpers evaluate --model musicnn --seed {seed}",
                      {**run, "song_accuracy": accuracy, "seed": seed})
    assert results_table(first).splitlines()[-3].endswith(f"({time.strftime('%Y-%m-%d')}, 118 s)")
    lines = seeds_table(first, others).splitlines()
    assert lines[0].split() == ["model", "held", "out", "seed", "42", "seed", "1", "seed", "2", "mean"]
    assert lines[1].split() == ["musicnn", "songs", "0.850", "(0.800)", "0.800", "(0.800)", "0.900", "(0.800)",
                                "0.850", "(0.800)"]
    assert len(lines) == 2  # the baseline ran on one dealing only, the random split over pieces is not a dealing of songs


def test_compare_runs_pairs_two_models_on_the_same_folds(tmp_path):
    from helpers.plumbing.results import compare_runs

    path = tmp_path / "real.json"
    run = {"songs": 10, "split": "song", "group": "song", "test_songs_per_fold": [5, 5]}
    record_result(path, "a", {**run, "model": "original", "song_accuracy_per_fold": [0.4, 0.6]})
    record_result(path, "b", {**run, "model": "improved", "song_accuracy_per_fold": [0.8, 1.0]})
    record_result(path, "c", {**run, "model": "improved", "group": "source", "song_accuracy_per_fold": [0.5, 0.5, 0.5],
                              "test_songs_per_fold": [3, 3, 4]})
    comparison = compare_runs("improved", "original", path)  # by song: runs b and a, never c
    # The same difference in both folds: no spread to judge the noise by, so nothing is shown.
    assert comparison["difference"] == pytest.approx(0.4) and np.isnan(comparison["p"])
    assert comparison["verdict"] == "not shown"
    with pytest.raises(ValueError, match="0 runs of model 'original' holding out sources"):
        compare_runs("improved", "original", path, held_out="sources")
    record_result(path, "d", {**run, "model": "baseline", "song_accuracy_per_fold": [0.5, 0.5], "test_songs_per_fold": [4, 6]})
    with pytest.raises(ValueError, match="not made on the same folds"):
        compare_runs("baseline", "original", path)

@pytest.mark.slow
def test_evaluate_by_source_holds_out_whole_artists_and_records_the_run(tmp_path):
    import os
    import subprocess
    import sys

    from conftest import write_tone

    tracks = tmp_path / "tracks"
    for genre, base in (("low", 110), ("high", 1760)):
        for a, artist in enumerate(("Ann", "Bob")):
            for s in range(2):
                write_tone(tracks / genre / f"{genre} {artist} - song {s}.wav", freq=base * (1 + a / 5 + s / 10), seed=s)
    results = tmp_path / "results.json"
    env = {**os.environ, "CACHE_DIR": str(tmp_path / "cache"), "MODELS_DIR": str(tmp_path / "models")}
    args = ["evaluate", "--tracks", str(tracks), "--group", "source", "--folds", "2", "--epochs", "1",
            "--record", str(results)]
    run = subprocess.run([sys.executable, "-m", "helpers", *args], capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["group"] == "source" and result["model"] == "original"
    assert result["test_songs_per_fold"] == [4, 4]  # one artist of each genre, both their songs, in each fold
    recorded = json.loads(results.read_text())["runs"]
    assert recorded[0]["command"] == "python -m helpers " + " ".join(args) and recorded[0]["result"] == result
