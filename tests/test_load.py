import numpy as np
import pytest
import soundfile as sf

from helpers import AudioError, describe_audio_file, load_song
from conftest import write_tone


def test_stereo_48k_becomes_mono_22050(tmp_path):
    path = write_tone(tmp_path / "song.wav", seconds=2.0, rate=48000, channels=2)
    signal = load_song(path, 22050)
    assert signal.ndim == 1 and signal.dtype == np.float32
    assert abs(len(signal) - 2 * 22050) <= 2
    assert np.max(np.abs(signal)) <= 1.0


def test_mp3_is_decoded_through_soundfile(tmp_path):
    path = tmp_path / "song.mp3"
    t = np.arange(44100 * 3) / 44100
    sf.write(path, np.stack([np.sin(2 * np.pi * 440 * t)] * 2, axis=1).astype(np.float32) * 0.5, 44100, format="MP3")
    signal = load_song(path, 22050)
    assert abs(len(signal) / 22050 - 3.0) < 0.1
    spectrum = np.abs(np.fft.rfft(signal[22050:44100]))
    assert abs(np.argmax(spectrum) - 440) <= 2  # 1 s of signal: bins are 1 Hz apart


def test_matches_librosa_load(tmp_path):
    import librosa

    path = write_tone(tmp_path / "song.wav", seconds=2.0, rate=44100, channels=2)
    ours = load_song(path, 22050)
    theirs, _ = librosa.load(path, sr=22050)
    np.testing.assert_allclose(ours, theirs, atol=1e-6)


def test_describe_reads_the_header(tmp_path):
    path = write_tone(tmp_path / "song.flac", seconds=1.5, rate=32000, channels=2)
    assert describe_audio_file(path) == {"sample_rate": 32000, "channels": 2, "seconds": 1.5, "format": "FLAC"}


def test_an_empty_file_names_the_file(tmp_path):
    path = tmp_path / "empty.mp3"
    path.write_bytes(b"")
    with pytest.raises(AudioError, match="empty.mp3.*empty"):
        load_song(path)


def test_random_bytes_name_the_file(tmp_path):
    path = tmp_path / "noise.mp3"
    path.write_bytes(np.random.default_rng(0).bytes(5000))
    with pytest.raises(AudioError, match="noise.mp3"):
        load_song(path)


def test_text_named_wav_names_the_file(tmp_path):
    path = tmp_path / "notes.wav"
    path.write_text("not a song\n" * 100)
    with pytest.raises(AudioError, match="notes.wav.*cannot be decoded"):
        load_song(path)


def test_silence_is_refused(tmp_path):
    path = tmp_path / "silent.wav"
    sf.write(path, np.zeros(22050, dtype=np.float32), 22050)
    with pytest.raises(AudioError, match="silent.wav.*silent"):
        load_song(path)


def test_nan_samples_are_refused(tmp_path):
    path = tmp_path / "broken.wav"
    audio = np.full(22050, 0.1, dtype=np.float32)
    audio[100:110] = np.nan
    sf.write(path, audio, 22050, subtype="FLOAT")
    with pytest.raises(AudioError, match="broken.wav.*10 NaN"):
        load_song(path)
