import numpy as np

import helpers
from helpers import log_mel, n_frames


def tone(freq, n=100_000, rate=22050):
    return (0.5 * np.sin(2 * np.pi * freq * np.arange(n) / rate)).astype(np.float32)


def test_shape_and_dtype_of_a_batch():
    pieces = np.stack([tone(220), tone(880), tone(3520)])
    spectrograms = log_mel(pieces)
    assert spectrograms.shape == (3, 128, n_frames(100_000, 512)) == (3, 128, 196)
    assert spectrograms.dtype == np.float32


def test_batch_equals_piece_by_piece():
    pieces = np.stack([tone(220), tone(1000)])
    batch = log_mel(pieces, n_mels=64)
    for k in range(2):
        np.testing.assert_allclose(batch[k], log_mel(pieces[k], n_mels=64), atol=1e-3)


def test_a_higher_tone_lights_a_higher_band():
    low, high = log_mel(np.stack([tone(220), tone(3520)])).mean(axis=2)
    assert np.argmax(high) > np.argmax(low) + 20


def test_quiet_stays_quieter_than_loud():
    loud, quiet = log_mel(np.stack([tone(440), 0.01 * tone(440)]))
    assert loud.max() - quiet.max() > 35  # 40 dB softer, not normalised away
    # The floor is -100 dB (amin=1e-10). librosa 1.0 computes it in float32, where -100 comes out as
    # -100.00001: the silence between the tone's harmonics sits on the floor, give or take float32 rounding.
    assert abs(quiet.min() - (-100.0)) < 1e-3


def test_the_encoder_cutoff_is_found_where_the_content_stops_abruptly():
    # Noise whose treble fades gradually, as music's does, cut off above 9 kHz as an encoder would.
    sr = 44100
    noise = np.random.default_rng(0).standard_normal(5 * sr)
    spectrum = np.fft.rfft(noise)
    frequencies = np.fft.rfftfreq(len(noise), 1 / sr)
    spectrum *= 1 / (1 + frequencies / 500)
    spectrum[frequencies > 9000] = 0
    signal = np.fft.irfft(spectrum, len(noise)) * 0.1 + np.random.default_rng(1).standard_normal(len(noise)) * 1e-5
    freqs, level = helpers.average_spectrum(signal, sr)
    assert freqs[-1] == sr / 2 and level.shape == freqs.shape
    assert abs(helpers.encoder_cutoff(freqs, level) - 9000) < 300
