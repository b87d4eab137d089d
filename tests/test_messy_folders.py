"""Real folders are messy: every trap a reader's downloads can set, built as real files."""

import tracemalloc

import numpy as np
import pytest
import soundfile as sf

import helpers
from helpers.dataset import song_features
from conftest import write_tone


@pytest.mark.parametrize("ending, rate, channels, subtype", [
    ("wav", 8000, 1, "PCM_U8"), ("wav", 16000, 2, "PCM_16"), ("wav", 44100, 2, "PCM_24"), ("wav", 48000, 6, "FLOAT"),
    ("wav", 96000, 2, "PCM_16"), ("flac", 44100, 2, None), ("ogg", 44100, 2, None), ("mp3", 44100, 2, None),
    ("mp3", 22050, 1, None), ("WAV", 32000, 4, "PCM_16"), ("MP3", 48000, 2, None),
])
def test_every_common_format_loads_as_mono_22050(tmp_path, ending, rate, channels, subtype):
    path = write_tone(tmp_path / f"song.{ending}", seconds=3.0, rate=rate, channels=channels, freq=330, subtype=subtype)
    signal = helpers.load_song(path, 22050)
    assert signal.ndim == 1 and signal.dtype == np.float32
    assert abs(len(signal) / 22050 - 3.0) < 0.06  # MP3 adds encoder delay and padding
    spectrum = np.abs(np.fft.rfft(signal[11025:33075]))
    assert abs(np.argmax(spectrum) - 330) <= 2  # still the same tone: 1 s of signal, 1 Hz per bin


def test_clipped_float_samples_are_clipped_into_range(tmp_path):
    path = tmp_path / "hot.wav"
    sf.write(path, np.full(22050 * 5, 3.0, dtype=np.float32) * np.sin(np.arange(22050 * 5)), 22050, subtype="FLOAT")
    signal = helpers.load_song(path, 22050)
    assert signal.max() <= 1.0 and signal.min() >= -1.0 and signal.max() == 1.0


def test_a_truncated_mp3_keeps_what_it_holds(tmp_path):
    whole = write_tone(tmp_path / "whole.mp3", seconds=10.0, rate=44100, channels=2)
    half = tmp_path / "half.mp3"
    half.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    signal = helpers.load_song(half, 22050)
    assert 4.0 < len(signal) / 22050 < 6.0


@pytest.mark.slow
def test_an_hour_long_song_never_sits_in_memory_at_full_size(tmp_path):
    path = tmp_path / "an hour.wav"
    rate, block = 44100, 44100 * 60
    tone = (0.3 * np.sin(2 * np.pi * 220 * np.arange(block) / rate)).astype(np.float32)
    with sf.SoundFile(path, "w", rate, 2, subtype="PCM_16") as file:
        for _ in range(60):
            file.write(np.column_stack([tone, tone]))
    raw_mib = 3600 * rate * 2 * 4 / 2**20  # the whole song as float32 stereo: 1211 MiB
    settings = helpers.load_settings()
    tracemalloc.start()
    try:
        features = song_features(path, settings)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert features.shape == (3600 * 22050 // 100_000, 128, 196)
    mono_mib = 3600 * 22050 * 4 / 2**20  # the mono song at 22050 Hz: 303 MiB
    assert peak / 2**20 < mono_mib + 250, f"peak {peak / 2**20:.0f} MiB for a song of {raw_mib:.0f} MiB"


def test_a_folder_of_every_trap_uses_the_good_songs_and_names_each_trap(tmp_path):
    tracks = tmp_path / "tracks"
    for i in range(3):
        write_tone(tracks / "rock" / f"good rock {i}.wav", freq=110 + 10 * i, seed=i)
        write_tone(tracks / "jazz" / f"good jazz {i}.flac", freq=1500 + 100 * i, seed=10 + i)
    rock, jazz = tracks / "rock", tracks / "jazz"
    (rock / ".DS_Store").write_bytes(b"\0\0")
    (rock / "Thumbs.db").write_bytes(b"\0")
    (rock / "._good rock 0.wav").write_bytes(b"\0")  # macOS resource fork: hidden
    (rock / "cover.jpg").write_bytes(b"\xff\xd8\xff")
    (jazz / "notes.txt").write_text("liner notes")
    (jazz / "bonus").mkdir()
    (rock / "empty.mp3").write_bytes(b"")
    (rock / "noise.mp3").write_bytes(np.random.default_rng(1).bytes(4000))
    (jazz / "letter.wav").write_text("Dear reader, " * 50)
    write_tone(jazz / "short.wav", seconds=2.0)
    sf.write(jazz / "silent.wav", np.zeros(22050 * 6, np.float32), 22050)
    write_tone(tracks / "loose song.mp3", seconds=6.0, rate=44100)
    (tracks / "empty genre").mkdir()
    before = {p: p.stat().st_mtime_ns for p in tracks.rglob("*")}

    settings = helpers.load_settings(tracks_dir=tracks, cache_dir=tmp_path / "cache")
    dataset = helpers.build_dataset(settings, progress=False)

    assert dataset.genres == ["jazz", "rock"] and len(dataset.songs) == 6 and len(dataset.y) == 12
    reasons = {s.path.name: s.reason for s in dataset.skipped}
    expected = {"cover.jpg": "not an audio file", "notes.txt": "not an audio file", "bonus": "folder inside a genre folder",
                "empty.mp3": "empty (0 bytes)", "noise.mp3": "cannot be decoded", "letter.wav": "cannot be decoded",
                "short.wav": "shorter than one piece", "silent.wav": "completely silent",
                "loose song.mp3": "directly in the tracks folder", "empty genre": "empty genre folder"}
    assert set(reasons) == set(expected)
    for name, words in expected.items():
        assert words in reasons[name], (name, reasons[name])
    summary = dataset.summary()
    assert "10 file(s) skipped" in summary and f"skipped {rock / 'noise.mp3'}: " in summary
    assert {p: p.stat().st_mtime_ns for p in tracks.rglob("*")} == before  # nothing of the reader's was touched


def test_songs_straight_in_the_tracks_folder_get_a_message_not_a_demo(tmp_path):
    for i in range(3):
        write_tone(tmp_path / f"song {i}.wav")
    settings = helpers.load_settings(tracks_dir=tmp_path, cache_dir=tmp_path / ".c")
    with pytest.raises(helpers.CollectionError, match="no usable songs") as error:
        helpers.build_dataset(settings, progress=False)
    assert "directly in the tracks folder" in str(error.value)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == ["song 0.wav", "song 1.wav", "song 2.wav"]


def test_a_missing_tracks_folder_is_named_and_not_created(tmp_path):
    settings = helpers.load_settings(tracks_dir=tmp_path / "Msuic", cache_dir=tmp_path / "cache")
    with pytest.raises(helpers.CollectionError, match="Msuic does not exist"):
        helpers.build_dataset(settings, progress=False)
    assert not (tmp_path / "Msuic").exists()


@pytest.mark.slow
def test_an_empty_folder_gets_the_demo(tmp_path):
    settings = helpers.load_settings(tracks_dir=tmp_path, demo_genres=("calm", "dramatic"), demo_songs_per_genre=1)
    (tmp_path / "README.md").write_text("my notes")
    written = helpers.ensure_songs(settings)
    assert sorted(p.name for p in written) == ["calm_01.mp3", "dramatic_01.mp3"]


def test_a_genre_with_too_few_songs_says_how_many_are_needed(tmp_settings):
    for path in list((tmp_settings.tracks_dir / "low").iterdir())[:2]:
        path.unlink()
    dataset = helpers.build_dataset(tmp_settings, progress=False)
    with pytest.raises(helpers.CollectionError, match="'low' has 2 usable song.*at least 3.*Add songs"):
        helpers.split_by_song(dataset.y, dataset.groups, dataset.genres)
