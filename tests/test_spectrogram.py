import numpy as np

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
