import numpy as np
import pytest

from helpers import count_pieces, segment


@pytest.mark.parametrize("n_samples, width, expected", [(300, 100, 3), (399, 100, 3), (99, 100, 0), (0, 100, 0), (100, 100, 1)])
def test_piece_counts_for_exact_and_inexact_lengths(n_samples, width, expected):
    pieces = segment(np.arange(n_samples, dtype=np.float32), width)
    assert pieces.shape == (expected, width)
    assert count_pieces(n_samples, width) == expected


def test_pieces_are_consecutive_and_the_tail_is_dropped():
    signal = np.arange(250, dtype=np.float32)
    pieces = segment(signal, 100)
    assert pieces[0, 0] == 0 and pieces[0, -1] == 99 and pieces[1, 0] == 100 and pieces[1, -1] == 199
    assert pieces.dtype == np.float32


def test_pieces_are_a_view_not_a_copy():
    signal = np.zeros(1000, dtype=np.float32)
    assert np.shares_memory(segment(signal, 100), signal)


def test_default_width_is_the_original_tutorials():
    assert segment(np.zeros(250_000)).shape == (2, 100_000)


def test_width_must_be_positive():
    with pytest.raises(ValueError, match="width"):
        segment(np.zeros(10), 0)
