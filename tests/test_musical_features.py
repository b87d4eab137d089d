"""The musical features (helpers/musical_features.py, notebook 13): a key found where it is, a tempo
heard where it is, descriptions cached and recomputed when damaged, the same folds as every other
model, and `python -m helpers train|evaluate|predict --model features`."""

import json

import numpy as np
import pytest

import helpers
from helpers import musical_features as mf
from test_cli import cli

RATE = 22050


def notes(midi_notes, seconds=4.0, rate=RATE, harmonics=4) -> np.ndarray:
    """Notes sounding together (a chord), each with a few harmonics."""
    t = np.arange(int(seconds * rate)) / rate
    signal = sum(sum(np.sin(2 * np.pi * 440 * 2 ** ((m - 69) / 12) * h * t) / h for h in range(1, harmonics + 1))
                 for m in midi_notes)
    return (0.2 * signal / np.max(np.abs(signal))).astype(np.float32)


@pytest.mark.parametrize("tonic, mode", [(60, "major"), (57, "minor"), (62, "major"), (64, "minor"), (65, "major"),
                                         (55, "minor")])
def test_a_scale_and_its_tonic_chord_are_heard_in_their_key(tonic, mode):
    import librosa

    scale = [0, 2, 4, 5, 7, 9, 11] if mode == "major" else [0, 2, 3, 5, 7, 8, 10]
    chord = [tonic, tonic + (4 if mode == "major" else 3), tonic + 7, tonic - 12]
    found = mf.estimate_key(librosa.feature.chroma_stft(y=notes([tonic + s for s in scale] + chord), sr=RATE, tuning=0.0))
    assert str(found) == f"{mf.PITCH_CLASSES[tonic % 12]} {mode}"
    assert found.correlation > 0.6
    assert (found.major_minus_minor > 0) == (mode == "major")


def test_a_key_from_a_profile_and_from_nothing():
    # The profile itself is its own key, rotated to any tonic:
    for k in range(12):
        assert str(mf.estimate_key(np.roll(mf.MINOR_PROFILE, k))) == f"{mf.PITCH_CLASSES[k]} minor"
        assert mf.estimate_key(np.roll(mf.MAJOR_PROFILE, k)).correlation == pytest.approx(1.0)
    assert mf.estimate_key(np.ones(12)).correlation == 0.0  # no pitch class stands out: no key


@pytest.mark.parametrize("bpm", [90, 120, 150])
def test_a_click_track_is_heard_at_its_tempo(bpm):
    import librosa

    seconds = 20
    beats = np.arange(0.5, seconds - 0.5, 60 / bpm)
    clicks = librosa.clicks(times=beats, sr=RATE, length=seconds * RATE)
    described = mf.describe_song(clicks.astype(np.float32), RATE)
    assert described["tempo_bpm"] == pytest.approx(bpm, rel=0.03)
    assert described["onsets_per_second"] == pytest.approx(bpm / 60, rel=0.1)
    assert described["beat_strength"] > 3  # the onsets all fall on beats
    assert list(described) == list(mf.FEATURE_NAMES) and all(np.isfinite(list(described.values())))


def test_brightness_and_loudness_mean_what_they_say():
    low, high = notes((48,)), notes((84,))
    assert mf.describe_song(high, RATE)["centroid_hz_mean"] > 4 * mf.describe_song(low, RATE)["centroid_hz_mean"]
    quiet = mf.describe_song(0.1 * low, RATE)["rms_db_mean"]
    assert mf.describe_song(low, RATE)["rms_db_mean"] - quiet == pytest.approx(20, abs=0.5)  # 10x = 20 dB


def test_a_separating_number_and_one_that_does_not():
    y = np.array([0] * 5 + [1] * 5)
    assert mf.separation(np.arange(10.0), y) == 1.0
    assert mf.separation(-np.arange(10.0), y) == 1.0  # either way round
    assert mf.separation(np.array([1, 2, 3, 4, 5, 1, 2, 3, 4, 5.0]), y) == 0.5
    # Three genres: the mean over the three pairs (0-1 and 1-2 apart, 0-2 apart: all 1.0; then one pair mixed)
    y3 = np.array([0, 0, 1, 1, 2, 2])
    assert mf.separation(np.array([1, 2, 3, 4, 5, 6.0]), y3) == 1.0
    assert mf.separation(np.array([1, 2, 1, 2, 5, 6.0]), y3) == pytest.approx((0.5 + 1 + 1) / 3)


def test_descriptions_are_cached_and_a_damaged_one_recomputed(tmp_settings, monkeypatch, capsys):
    songs, _ = helpers.find_songs(tmp_settings.tracks_dir)
    paths = [song.path for song in songs]
    first = mf.describe_songs(paths, tmp_settings, progress=False)
    assert all(isinstance(r, np.ndarray) and r.shape == (len(mf.FEATURE_NAMES),) for r in first)

    calls = []
    original = mf.describe_song
    monkeypatch.setattr(mf, "describe_song", lambda *a, **k: calls.append(1) or original(*a, **k))
    again = mf.describe_songs(paths, tmp_settings, progress=False)
    assert calls == [] and all(np.array_equal(a, b) for a, b in zip(first, again))  # all from the cache

    mf.cache_path(paths[0], tmp_settings).write_bytes(b"not an array")
    import gc
    import warnings

    with warnings.catch_warnings(record=True) as caught:  # one song to compute: no empty parallel run, on
        warnings.simplefilter("always")                  # which newer joblib warns as it is collected
        again = mf.describe_songs(paths, tmp_settings, progress=False)
        gc.collect()
    assert [str(w.message) for w in caught] == []
    assert len(calls) == 1 and np.array_equal(again[0], first[0])
    assert "cannot be read" in capsys.readouterr().out


def test_a_bad_file_is_named_and_the_others_described(tmp_settings):
    bad = tmp_settings.tracks_dir / "low" / "broken.mp3"
    bad.write_bytes(b"ID3 not really an mp3")
    songs, _ = helpers.find_songs(tmp_settings.tracks_dir)
    results = mf.describe_songs([s.path for s in songs], tmp_settings, progress=False)
    reasons = [r for r in results if isinstance(r, str)]
    assert len(reasons) == 1 and "cannot be decoded" in reasons[0]
    assert sum(isinstance(r, np.ndarray) for r in results) == 8


def test_one_row_per_song_on_the_same_folds_as_the_baseline(tmp_settings):
    dataset = helpers.build_dataset(tmp_settings, progress=False)
    described = mf.musical_dataset(dataset, tmp_settings, progress=False)
    assert described.X.shape == (8, len(mf.FEATURE_NAMES)) and list(described.groups) == list(range(8))
    assert described.song_names == dataset.song_names
    pieces = helpers.cross_validation_folds(dataset, 2, 42)
    songs = helpers.cross_validation_folds(described, 2, 42)
    for a, b in zip(pieces, songs):
        assert sorted(set(dataset.groups[a.test])) == sorted(described.groups[b.test])
    folds = mf.cross_validate_features(described, songs)
    assert [f["songs"] for f in folds] == [4, 4]
    assert all(f["song_accuracy"] == 1.0 for f in folds)  # low tones and high tones: brightness tells them apart


@pytest.mark.slow
def test_train_evaluate_and_predict_with_the_features_model(small_collection, tmp_path):
    run = cli("evaluate", "--tracks", small_collection, "--folds", 2, "--model", "features", cache=tmp_path / "cache")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["model"] == "features" and result["test_songs_per_fold"] == [4, 4]
    assert result["song_accuracy"] == 1.0

    run = cli("evaluate", "--tracks", small_collection, "--model", "features", "--split", "piece", cache=tmp_path / "cache")
    assert run.returncode == 1 and "describes whole songs" in run.stderr and run.stderr.count("\n") == 1

    run = cli("train", "--tracks", small_collection, "--model", "features", cache=tmp_path / "cache")
    assert run.returncode == 0, run.stderr
    saved = tmp_path / "models" / "features.json"
    record = json.loads(saved.read_text())["record"]
    assert record["model"] == "features" and record["features"] == list(mf.FEATURE_NAMES)
    assert len(record["trained_on"]) == 6 and record["genres"] == ["high", "low"]

    song = small_collection / "high" / "high 3.wav"
    run = cli("predict", saved, song, small_collection / "nothing.wav", cache=tmp_path / "cache")
    assert run.returncode == 0, run.stderr
    assert f"{song}: high (probability" in run.stdout and "nothing.wav: skipped" in run.stderr

    # A features file is not a musicnn file, nor the other way round: each loader says so.
    from helpers.plumbing.saved import ModelFileError
    from helpers.pretrained.transfer import load_transfer

    with pytest.raises(ModelFileError, match="holds a 'features' model"):
        load_transfer(saved)


@pytest.mark.slow
def test_a_fresh_install_describes_songs_without_a_word_on_stderr(tmp_settings, tmp_path):
    """librosa's beat tracker is compiled by numba on first use. Compiled by two threads at once it
    warned on stderr (a NumbaWarning, with librosa 1.0), which nbval counts as a changed output: on a
    fresh numba cache, describing songs must print nothing."""
    import os
    import subprocess
    import sys

    code = ("import helpers\n"
            f"settings = helpers.load_settings(tracks_dir={str(tmp_settings.tracks_dir)!r}, cache_dir={str(tmp_settings.cache_dir)!r})\n"
            "songs, _ = helpers.find_songs(settings.tracks_dir)\n"
            "helpers.describe_songs([song.path for song in songs], settings, progress=False)\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                         env={**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba")})
    assert run.returncode == 0 and run.stderr == "", run.stderr
