import os

from pathlib import Path

import numpy as np
import pytest

import helpers
from helpers import dataset as dataset_module
from helpers.dataset import cache_path
from conftest import write_tone


def test_shapes_labels_and_groups(tmp_settings):
    dataset = helpers.build_dataset(tmp_settings, progress=False)
    # 10 s at 22050 Hz = 220500 samples: 2 pieces of 100000 per song.
    assert dataset.X.shape == (16, 128, 196, 1) and dataset.X.dtype == np.float32
    assert dataset.genres == ["high", "low"]
    assert np.array_equal(np.bincount(dataset.y), [8, 8])
    assert np.array_equal(np.bincount(dataset.groups), [2] * 8)
    for piece in range(16):
        assert dataset.songs[dataset.groups[piece]].genre == dataset.genres[dataset.y[piece]]
    assert helpers.songs_per_genre(dataset) == {"high": 4, "low": 4}
    assert "total                8      16        0" in dataset.summary()


def test_the_second_build_comes_from_the_cache(tmp_settings):
    first = helpers.build_dataset(tmp_settings, progress=False)
    second = helpers.build_dataset(tmp_settings, progress=False)
    assert first.computed == 8 and second.computed == 0
    assert np.array_equal(first.X, second.X)


def test_a_changed_song_or_setting_is_recomputed(tmp_settings):
    helpers.build_dataset(tmp_settings, progress=False)
    song = tmp_settings.tracks_dir / "low" / "low 0.wav"
    write_tone(song, seconds=15, freq=100)  # replaced: a longer song
    dataset = helpers.build_dataset(tmp_settings, progress=False)
    assert dataset.computed == 1 and len(dataset.y) == 17
    os.utime(song, ns=(song.stat().st_atime_ns, song.stat().st_mtime_ns + 10**9))  # touched
    assert helpers.build_dataset(tmp_settings, progress=False).computed == 1
    assert helpers.build_dataset(tmp_settings.replace(n_mels=64), progress=False).computed == 8


def test_a_corrupt_cache_file_is_reported_and_rebuilt(tmp_settings, capsys):
    good = helpers.build_dataset(tmp_settings, progress=False)
    file = cache_path(tmp_settings.tracks_dir / "high" / "high 1.wav", tmp_settings)
    file.write_bytes(file.read_bytes()[:200])  # truncated, as by a crash mid-write
    again = helpers.build_dataset(tmp_settings, progress=False)
    assert again.computed == 1 and np.array_equal(good.X, again.X)
    assert f"cache file {file}" in capsys.readouterr().out


class Planted:
    """Unpickling this touches a file: the proof that a pickle in the cache would run code."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_a_pickle_planted_in_the_cache_is_never_run(tmp_settings, tmp_path, capsys):
    helpers.build_dataset(tmp_settings, progress=False)
    file = sorted((tmp_settings.cache_dir / "features").iterdir())[0]
    marker = tmp_path / "the pickle ran"
    np.save(file, np.array([Planted(marker)], dtype=object), allow_pickle=True)
    again = helpers.build_dataset(tmp_settings, progress=False)
    assert not marker.exists()  # read with allow_pickle=False: refused, not run
    assert again.computed == 1 and f"cache file {file}" in capsys.readouterr().out  # reported and computed again
    np.load(file, allow_pickle=False)  # and replaced by plain numbers


def test_a_song_shorter_than_a_piece_is_skipped_with_a_reason(tmp_settings):
    write_tone(tmp_settings.tracks_dir / "low" / "short.wav", seconds=2)
    dataset = helpers.build_dataset(tmp_settings, progress=False)
    assert [(s.path.name, s.reason) for s in dataset.skipped] == [("short.wav", "shorter than one piece (4.5 s at 22050 Hz)")]
    assert len(dataset.songs) == 8


def test_one_genre_is_not_enough(tmp_path):
    write_tone(tmp_path / "only" / "a.wav")
    settings = helpers.load_settings(tracks_dir=tmp_path, cache_dir=tmp_path / "cache")
    with pytest.raises(helpers.CollectionError, match=f"{tmp_path}.*only the genre 'only'"):
        helpers.build_dataset(settings, progress=False)


def test_the_same_folder_gives_the_same_dataset(tmp_settings, tmp_path):
    a = helpers.build_dataset(tmp_settings, progress=False)
    b = helpers.build_dataset(tmp_settings.replace(cache_dir=tmp_path / "other-cache"), progress=False)
    assert b.computed == 8
    assert np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y) and np.array_equal(a.groups, b.groups)


def test_a_new_decoder_or_librosa_version_is_recomputed(tmp_settings, monkeypatch):
    song = tmp_settings.tracks_dir / "low" / "low 0.wav"
    before = cache_path(song, tmp_settings)
    import librosa
    import soundfile

    helpers.dataset.feature_versions.cache_clear()
    monkeypatch.setattr(librosa, "__version__", "99.0")
    assert cache_path(song, tmp_settings) != before
    monkeypatch.undo()
    helpers.dataset.feature_versions.cache_clear()
    monkeypatch.setattr(soundfile, "__libsndfile_version__", "0.1")
    assert cache_path(song, tmp_settings) != before
    monkeypatch.undo()
    helpers.dataset.feature_versions.cache_clear()
    assert cache_path(song, tmp_settings) == before


def test_cache_files_respect_the_umask(tmp_settings):
    old = os.umask(0o022)
    try:
        helpers.build_dataset(tmp_settings, progress=False)
    finally:
        os.umask(old)
    files = list((tmp_settings.cache_dir / "features").iterdir())
    assert len(files) == 8 and {f.stat().st_mode & 0o777 for f in files} == {0o644}


def test_a_bad_song_is_skipped_but_a_bad_setting_stops_the_build(tmp_settings, monkeypatch):
    """Each error type is caught only where it is meant: an AudioError skips its song with the
    reason; a SettingsError (raised while computing any song) is the reader's setting, not that
    song's fault, so it reaches the reader instead of becoming a list of skipped files."""
    real = dataset_module.song_features

    def one_bad_file(path, settings):
        if path.name == "high 1.wav":
            raise helpers.AudioError(f"{path}: cannot be decoded as audio (test)")
        return real(path, settings)

    monkeypatch.setattr(dataset_module, "song_features", one_bad_file)
    dataset = helpers.build_dataset(tmp_settings, progress=False)
    assert [(s.path.name, s.reason) for s in dataset.skipped] == [("high 1.wav", "cannot be decoded as audio (test)")]

    def bad_setting(path, settings):
        raise helpers.SettingsError("N_FFT: 3 is not a power of two")

    monkeypatch.setattr(dataset_module, "song_features", bad_setting)
    with pytest.raises(helpers.SettingsError, match="N_FFT"):
        helpers.build_dataset(tmp_settings.replace(n_mels=64), progress=False)
    assert not issubclass(helpers.SettingsError, helpers.AudioError)
    assert issubclass(helpers.SettingsError, helpers.InputError) and issubclass(helpers.AudioError, helpers.InputError)
