"""helpers/pretrained/musicnn.py: the Keras 3 rebuild of musicnn equals musicnn's own TensorFlow 1 graph on
the committed reference (tests/data/musicnn_reference.npz, from benchmarks/musicnn_reference.py),
its input equals musicnn's, and its weights come from the pinned wheel, once, or with a clear error.

The tests that need the real wheel download it by package name from PyPI into the series'
cache (.cache/pretrained/, as a reader gets it), once; they are skipped only when pip cannot
reach the registry, and fail under CI, which always can.
"""

import hashlib
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from helpers.pretrained import musicnn
from helpers.settings import load_settings

REFERENCE = Path(__file__).parent / "data" / "musicnn_reference.npz"


@pytest.fixture(scope="module")
def reference():
    return dict(np.load(REFERENCE))


@pytest.mark.parametrize("name", musicnn.MODELS)
def test_keras_model_equals_musicnn_graph(name, reference, real_cache):
    model = musicnn.load_musicnn(name, real_cache)
    outputs = musicnn.predict_patches(model, reference["patches"])
    for layer, size in musicnn.LAYERS.items():
        assert outputs[layer].shape == (3, size)
        # Both are float32 with the same weights and input; only the order of the sums differs
        # (oneDNN's convolution algorithms, Conv1D for musicnn's 7 x all-features Conv2D). Measured
        # largest differences: 2e-7 on the tags (sigmoids in [0, 1]), 2e-6 on penultimate and
        # mean_pool, 8e-5 on max_pool (values up to 74). 1e-4, relative and absolute, leaves room
        # for other CPUs and still fails on any real mistake (a wrong padding, epsilon or order
        # of the pooled features moves values by 1e-2 or more).
        np.testing.assert_allclose(outputs[layer], reference[f"{name}/{layer}"], rtol=1e-4, atol=1e-4,
                                   err_msg=f"{name} {layer}")
    assert musicnn.tag_names(model) == musicnn.TAGS[name] and len(musicnn.tag_names(model)) == 50


def test_input_equals_musicnns(reference, tmp_path):
    """The reference signal, as musicnn's extractor turned it into patches (from a 16 kHz WAV),
    and through the series' own decoder."""
    signal = reference["signal"].astype(np.float32) / 32768
    ours = musicnn.patches(musicnn.musicnn_input(signal))
    assert ours.shape == reference["patches"].shape == (3, 187, 96) and ours.dtype == np.float32
    # Equal here, bit for bit. Another librosa or FFT library could move a value across a
    # float16 rounding boundary of musicnn's input: one float16 step is 0.004 at 4.
    np.testing.assert_allclose(ours, reference["patches"], rtol=0, atol=0.004)
    assert np.mean(ours == reference["patches"]) > 0.999
    wav = tmp_path / "reference.wav"
    sf.write(wav, reference["signal"], musicnn.SAMPLE_RATE, subtype="PCM_16")
    np.testing.assert_array_equal(musicnn.song_patches(wav), ours)


def test_a_44_1_khz_file_is_heard_as_its_16_khz_original(reference, real_cache, tmp_path):
    """Songs are rarely 16 kHz: the resampling path (load_song at musicnn's rate) gives the network
    what the 16 kHz signal gives it, up to the resampler's own small differences."""
    import soxr

    signal = reference["signal"].astype(np.float32) / 32768
    wav = tmp_path / "at 44.1 kHz.wav"
    sf.write(wav, soxr.resample(signal, musicnn.SAMPLE_RATE, 44100, quality="VHQ"), 44100, subtype="FLOAT")
    heard = musicnn.song_patches(wav)
    assert heard.shape == reference["patches"].shape
    model = musicnn.load_musicnn("MSD_musicnn", real_cache)
    here = musicnn.predict_patches(model, heard)["taggram"].mean(axis=0)
    there = musicnn.predict_patches(model, reference["patches"])["taggram"].mean(axis=0)
    assert np.abs(here - there).max() < 0.03
    assert set(np.argsort(here)[-3:]) == set(np.argsort(there)[-3:])  # the same three strongest tags


def test_input_scaling():
    """log10(1 + 10000 S): silence is 0; a full-scale tone, where musicnn's float16 overflows to
    infinity, stays finite, above float16's largest log (log10 65504 = 4.8)."""
    assert np.all(musicnn.musicnn_input(np.zeros(16_000, np.float32)) == 0)
    tone = np.sin(2 * np.pi * 440 * np.arange(48_000) / 16_000).astype(np.float32)
    loud = musicnn.musicnn_input(tone)
    assert loud.shape == (188, 96) and np.isfinite(loud).all() and loud.max() > 5.5
    assert musicnn.patches(loud).shape == (1, 187, 96)
    assert musicnn.patches(loud[:186]).shape == (0, 187, 96)


def test_conversion_checks_every_shape(real_cache, tmp_path):
    wheel = musicnn.musicnn_wheel(real_cache)
    with pytest.raises(ValueError, match=r"dense_1/kernel has shape \(200, 50\)"):
        musicnn.convert_checkpoint(wheel, musicnn.build_musicnn("MSD_musicnn", n_tags=10), tmp_path / "x.weights.h5")
    assert not list(tmp_path.iterdir())  # nothing half-written


def _fake_wheel(path: Path) -> bytes:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("musicnn/__init__.py", "")
    return path.read_bytes()


def test_damaged_wheel_is_set_aside_and_downloaded_again(tmp_path, monkeypatch, capsys):
    good = _fake_wheel(tmp_path / "good.whl")
    monkeypatch.setattr(musicnn, "WHEEL_SHA256", hashlib.sha256(good).hexdigest())
    calls = []

    def download(folder):
        calls.append(folder)
        (folder / musicnn.WHEEL).write_bytes(good)
        return musicnn.subprocess.CompletedProcess([], 0, "", "")

    monkeypatch.setattr(musicnn, "_pip_download", download)
    cache = tmp_path / "cache"
    (cache / "pretrained").mkdir(parents=True)
    (cache / "pretrained" / musicnn.WHEEL).write_bytes(b"half a download")
    (cache / "pretrained" / "my notes.txt").write_text("mine")
    wheel = musicnn.musicnn_wheel(cache)
    assert wheel.read_bytes() == good and len(calls) == 1
    aside = list((cache / "pretrained").glob(f"{musicnn.WHEEL}.damaged-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == b"half a download"  # kept, not deleted
    assert (cache / "pretrained" / "my notes.txt").read_text() == "mine"
    assert "set aside" in capsys.readouterr().out
    assert musicnn.musicnn_wheel(cache) == wheel and len(calls) == 1  # never downloaded twice


def test_wrong_download_is_refused(tmp_path, monkeypatch):
    def download(folder):
        (folder / musicnn.WHEEL).write_bytes(b"something else")
        return musicnn.subprocess.CompletedProcess([], 0, "", "")

    monkeypatch.setattr(musicnn, "_pip_download", download)
    with pytest.raises(musicnn.PretrainedWeightsError, match="not the pinned"):
        musicnn.musicnn_wheel(tmp_path)
    assert not (tmp_path / "pretrained" / musicnn.WHEEL).exists()


def test_offline_message(tmp_path, monkeypatch):
    """pip pointed at an address where nothing listens, with no configuration files and no retries."""
    for key in [key for key in os.environ if key.startswith("PIP_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_TIMEOUT", "2")
    with pytest.raises(musicnn.PretrainedWeightsError) as error:
        musicnn.load_musicnn("MSD_musicnn", tmp_path)
    message = str(error.value)
    folder = tmp_path / "pretrained"
    assert "could not download" in message and musicnn.WHEEL in message and str(folder) in message
    assert f"python -m pip download --no-deps --only-binary=:all: musicnn==0.1.0 -d {folder}" in message
    assert isinstance(error.value, ValueError)
    assert [p.name for p in folder.iterdir()] == []  # no temporary folder left behind


def test_converted_weights_need_no_wheel(real_cache, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    (cache / "pretrained").mkdir(parents=True)
    weights = musicnn.weights_path("MSD_musicnn", real_cache)
    (cache / "pretrained" / weights.name).write_bytes(weights.read_bytes())
    monkeypatch.setattr(musicnn, "musicnn_wheel", lambda *a: pytest.fail("looked for the wheel"))
    assert musicnn.load_musicnn("MSD_musicnn", cache).name == "MSD_musicnn"


def test_embed_songs_is_cached(reference, real_cache, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    (cache / "pretrained").mkdir(parents=True)
    weights = musicnn.weights_path("MSD_musicnn", real_cache)
    (cache / "pretrained" / weights.name).write_bytes(weights.read_bytes())
    settings = load_settings(cache_dir=cache)
    song, short = tmp_path / "song.wav", tmp_path / "short.wav"
    sf.write(song, reference["signal"], musicnn.SAMPLE_RATE, subtype="PCM_16")
    sf.write(short, reference["signal"][:40_000], musicnn.SAMPLE_RATE, subtype="PCM_16")
    first = musicnn.embed_songs([song, short], settings=settings, progress=False)
    assert first[0].shape == (3, 200) and first[1].shape == (0, 200) and first[0].dtype == np.float32
    np.testing.assert_allclose(first[0], reference["MSD_musicnn/penultimate"], rtol=1e-4, atol=1e-4)
    assert len(list((cache / "embeddings").glob("*.npy"))) == 2 * len(musicnn.LAYERS)  # every layer of the pass
    monkeypatch.setattr(musicnn, "load_musicnn", lambda *a: pytest.fail("computed again"))
    again = musicnn.embed_songs([song, short], settings=settings, progress=False)
    np.testing.assert_array_equal(again[0], first[0])
    tags = musicnn.embed_songs([song], layer="taggram", settings=settings, progress=False)  # read, not computed
    np.testing.assert_allclose(tags[0], reference["MSD_musicnn/taggram"], rtol=1e-4, atol=1e-4)
    os.utime(song, ns=(0, 0))  # a changed song (other modification time) is computed again
    with pytest.raises(pytest.fail.Exception, match="computed again"):
        musicnn.embed_songs([song], settings=settings, progress=False)


def test_songs_embedded_two_at_a_time_are_the_songs_embedded_one_by_one(reference, real_cache, tmp_path):
    songs = []
    for k, signal in enumerate([reference["signal"], reference["signal"][::-1].copy(), reference["signal"][:40_000],
                                0.5 * reference["signal"]]):
        songs.append(tmp_path / f"song{k}.wav")
        sf.write(songs[-1], signal, musicnn.SAMPLE_RATE, subtype="PCM_16")
    embedded = {}
    for workers in (1, 2):
        cache = tmp_path / f"cache{workers}"
        (cache / "pretrained").mkdir(parents=True)
        weights = musicnn.weights_path("MSD_musicnn", real_cache)
        (cache / "pretrained" / weights.name).write_bytes(weights.read_bytes())
        embedded[workers] = musicnn.embed_songs(songs, settings=load_settings(cache_dir=cache), progress=False,
                                                workers=workers)
    assert [e.shape for e in embedded[2]] == [(3, 200), (3, 200), (0, 200), (3, 200)]  # in the songs' order
    for one, two in zip(embedded[1], embedded[2]):
        np.testing.assert_allclose(two, one, rtol=1e-5, atol=1e-5)
    assert not np.allclose(embedded[2][0], embedded[2][1])  # different songs, different embeddings
