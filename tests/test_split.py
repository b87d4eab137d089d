import numpy as np
import pytest

import helpers
from helpers.split import MIN_SONGS_PER_GENRE


def fake_pieces(songs_per_genre=(10, 10), pieces_per_song=5):
    y, groups = [], []
    song = 0
    for label, n in enumerate(songs_per_genre):
        for _ in range(n):
            y += [label] * pieces_per_song
            groups += [song] * pieces_per_song
            song += 1
    return np.array(y), np.array(groups)


def test_no_song_lands_in_two_sets():
    y, groups = fake_pieces((10, 13, 7))
    split = helpers.split_by_song(y, groups, seed=3)
    sets = [set(groups[index]) for _, index in split.items()]
    assert not (sets[0] & sets[1]) and not (sets[0] & sets[2]) and not (sets[1] & sets[2])
    assert sorted(np.concatenate([split.train, split.validation, split.test])) == list(range(len(y)))


def test_every_genre_is_in_every_set_in_proportion():
    y, groups = fake_pieces((10, 20))
    split = helpers.split_by_song(y, groups, seed=0)
    for _, index in split.items():
        assert set(y[index]) == {0, 1}
    test_songs = {label: len(set(groups[split.test][y[split.test] == label])) for label in (0, 1)}
    assert test_songs == {0: 2, 1: 4}


def test_the_same_seed_gives_the_same_split():
    y, groups = fake_pieces()
    a, b = helpers.split_by_song(y, groups, seed=5), helpers.split_by_song(y, groups, seed=5)
    assert all(np.array_equal(x, z) for (_, x), (_, z) in zip(a.items(), b.items()))
    c = helpers.split_by_song(y, groups, seed=6)
    assert not np.array_equal(a.test, c.test)


def test_three_songs_is_the_minimum_and_the_message_says_why():
    y, groups = fake_pieces((MIN_SONGS_PER_GENRE, 2))
    with pytest.raises(helpers.CollectionError, match="'rock' has 2 usable song.*at least 3"):
        helpers.split_by_song(y, groups, genres=["jazz", "rock"])
    y, groups = fake_pieces((3, 3))
    split = helpers.split_by_song(y, groups)
    assert len(set(groups[split.train])) == 2


def test_the_split_table_counts_songs_and_pieces():
    y, groups = fake_pieces((10, 10), pieces_per_song=3)
    table = helpers.split_table(helpers.split_by_song(y, groups), y, groups, ["a", "b"])
    assert "6/18" in table.splitlines()[2] and "12/36" in table.splitlines()[2]


def test_a_random_split_over_pieces_leaks():
    y, groups = fake_pieces((10, 10), pieces_per_song=8)
    leaky = helpers.random_split_over_pieces(len(y), seed=0)
    shared = set(groups[leaky.train]) & set(groups[leaky.test])
    assert len(shared) >= 15


def test_labels_that_mean_nothing_keep_songs_whole_and_genre_sizes():
    groups = np.repeat(np.arange(20), 3)
    y = np.repeat(np.arange(20) % 2, 3)
    dealt = helpers.labels_that_mean_nothing(y, groups, seed=1)
    for song in range(20):
        assert len(set(dealt[groups == song])) == 1  # one label per song
    assert np.bincount(dealt[::3]).tolist() == np.bincount(y[::3]).tolist()  # as many songs per genre as before
    assert 0 < np.mean(dealt != y) < 1  # really dealt anew
    assert np.array_equal(dealt, helpers.labels_that_mean_nothing(y, groups, seed=1))


def test_held_out_sets_are_capped_together_so_training_keeps_a_song():
    y, groups = fake_pieces((4, 4))
    split = helpers.split_by_song(y, groups, validation=0.4, test=0.4)
    for label in (0, 1):
        assert len(set(groups[split.train][y[split.train] == label])) >= 1
        assert len(set(groups[split.test][y[split.test] == label])) >= 1
        assert len(set(groups[split.validation][y[split.validation] == label])) >= 1


@pytest.mark.parametrize("validation, test", [(0.5, 0.5), (0.0, 0.2), (0.2, -0.1), (1.2, 0.1)])
def test_fractions_that_leave_no_training_songs_are_refused_with_a_hint(validation, test):
    y, groups = fake_pieces()
    with pytest.raises(ValueError, match="together below 1"):
        helpers.split_by_song(y, groups, validation=validation, test=test)


def test_adding_a_song_keeps_every_other_songs_test_set():
    y, groups = fake_pieces((20, 20))
    names = [f"{'ab'[label]}/song {song}.mp3" for song, label in zip(*helpers.song_truth(y, groups))]
    before = helpers.split_by_song(y, groups, seed=1, song_names=names)
    y2, groups2 = fake_pieces((21, 20))  # one more song in genre 0: every later song index shifts by one
    names2 = names[:20] + ["a/a new song.mp3"] + names[20:]
    after = helpers.split_by_song(y2, groups2, seed=1, song_names=names2)
    def tested(split, g, n):
        return {n[s] for s in np.unique(g[split.test])}

    a_before, a_after = ({t for t in tested(*args) if t.startswith("a/")}
                         for args in ((before, groups, names), (after, groups2, names2)))
    assert len(a_before - a_after) <= 1  # at most the new song takes one song's place
    assert {t for t in tested(before, groups, names) if t.startswith("b/")} == \
        {t for t in tested(after, groups2, names2) if t.startswith("b/")}  # the other genre: exactly the same


def songs_of(split_part, groups):
    return set(np.unique(groups[split_part]).tolist())


@pytest.mark.parametrize("seed", range(5))
def test_cross_validation_tests_every_song_once_balanced_by_song_not_piece(seed):
    rng = np.random.default_rng(seed)
    y, groups, song = [], [], 0
    for label, n in enumerate((9, 8, 6)):
        for _ in range(n):
            pieces = int(rng.integers(1, 60))  # songs of very unequal length
            y += [label] * pieces
            groups += [song] * pieces
            song += 1
    y, groups = np.array(y), np.array(groups)
    splits = helpers.cross_validation_by_song(y, groups, folds=3, seed=seed)
    tested = [songs_of(s.test, groups) for s in splits]
    assert sorted(s for t in tested for s in t) == list(range(song))  # every song tested exactly once
    song_genre = dict(zip(*helpers.song_truth(y, groups)))
    for label, n in enumerate((9, 8, 6)):
        per_fold = [sum(song_genre[s] == label for s in t) for t in tested]
        assert max(per_fold) - min(per_fold) <= 1, (label, per_fold)
    for split in splits:
        train, val, test = songs_of(split.train, groups), songs_of(split.validation, groups), songs_of(split.test, groups)
        assert not (train & val) and not (train & test) and not (val & test)
        assert len(train | val | test) == song
        assert sorted(song_genre[s] for s in val) == [0, 1, 2]  # one validation song per genre


def test_cross_validation_needs_folds_plus_two_songs_per_genre():
    y, groups = fake_pieces((5, 6))
    with pytest.raises(helpers.CollectionError, match="'x' has 5 usable song.*at least 6"):
        helpers.cross_validation_by_song(y, groups, ["x", "y"], folds=4)


def test_labels_that_mean_nothing_are_dealt_evenly_within_each_true_genre():
    y, groups = fake_pieces((12, 12, 12), pieces_per_song=2)
    for seed in range(5):
        dealt = helpers.labels_that_mean_nothing(y, groups, seed=seed)[::2]
        for genre in range(3):  # each true genre's 12 songs: 4 of each meaningless label
            assert np.bincount(dealt[y[::2] == genre], minlength=3).tolist() == [4, 4, 4]
    y, groups = fake_pieces((7, 6))  # uneven: each true genre as even as it can be
    dealt = helpers.labels_that_mean_nothing(y, groups, seed=3)[::5]
    assert sorted(np.bincount(dealt[:7])) == [3, 4] and np.bincount(dealt[7:]).tolist() == [3, 3]


def test_cross_validation_over_pieces_tests_every_piece_once_and_shares_songs():
    y, groups = fake_pieces((10, 10), pieces_per_song=6)
    splits = helpers.cross_validation_over_pieces(len(y), folds=3, seed=1)
    assert sorted(np.concatenate([s.test for s in splits]).tolist()) == list(range(len(y)))
    for split in splits:
        assert not set(split.test) & (set(split.train) | set(split.validation))
        assert len(split.train) + len(split.validation) + len(split.test) == len(y)
        assert len(set(groups[split.train]) & set(groups[split.test])) >= 15  # the leak
