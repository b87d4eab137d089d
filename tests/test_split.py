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


def test_labels_that_mean_nothing_keep_songs_whole_and_are_drawn_anew():
    groups = np.repeat(np.arange(20), 3)
    y = np.repeat(np.arange(20) % 2, 3)
    drawn = helpers.labels_that_mean_nothing(y, groups, seed=1)
    for song in range(20):
        assert len(set(drawn[groups == song])) == 1  # one label per song
    assert np.bincount(drawn[::3]).min() >= MIN_SONGS_PER_GENRE  # enough songs per label to split by song
    assert 0 < np.mean(drawn != y) < 1  # really drawn anew
    assert np.array_equal(drawn, helpers.labels_that_mean_nothing(y, groups, seed=1))
    assert not np.array_equal(drawn, helpers.labels_that_mean_nothing(y, groups, seed=2))


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
    splits = helpers.cross_validation_by_song(y, groups, folds=3, seed=seed, song_names=[f"s{i}" for i in range(song)])
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
        helpers.cross_validation_by_song(y, groups, ["x", "y"], folds=4, song_names=[f"s{i}" for i in range(11)])


def test_cross_validation_by_song_needs_the_song_names():
    y, groups = fake_pieces((6, 6))
    with pytest.raises(TypeError):
        helpers.cross_validation_by_song(y, groups, folds=3)
    with pytest.raises(helpers.InputError, match="a name for every song.*got 11 for 12 songs"):
        helpers.cross_validation_by_song(y, groups, folds=3, song_names=[f"s{i}" for i in range(11)])


def fold_of_each_song(y, groups, names, folds=3, seed=42):
    splits = helpers.cross_validation_by_song(y, groups, folds=folds, seed=seed, song_names=names)
    return {names[s]: k for k, split in enumerate(splits) for s in np.unique(groups[split.test])}


@pytest.mark.parametrize("seed", range(4))
def test_a_song_keeps_its_fold_when_a_song_is_added(seed):
    # Each genre is dealt on its own: a new song of genre 0 moves no song of genre 1, and of
    # its own genre at most one song per boundary between runs (folds - 1).
    y, groups = fake_pieces((9, 9))
    names = [f"{'ab'[label]}/song {song}" for song, label in zip(*helpers.song_truth(y, groups))]
    before = fold_of_each_song(y, groups, names, seed=seed)
    added_y = np.concatenate([y, [0, 0]])
    added_groups = np.concatenate([groups, [18, 18]])
    after = fold_of_each_song(added_y, added_groups, names + ["a/new song"], seed=seed)
    moved = [name for name in before if before[name] != after[name]]
    assert not [name for name in moved if name.startswith("b/")], moved
    assert len(moved) <= 2, moved
    # Song indices change when a song sorts in front of the others; the names keep the folds.
    shifted = np.concatenate([[0, 0], y]), np.concatenate([[0, 0], groups + 1])
    assert fold_of_each_song(*shifted, ["a/new song"] + names, seed=seed) == after


def test_labels_that_mean_nothing_are_independent_of_the_true_genre():
    # Over many draws, a song's label does not depend on its genre: each label turns up in each
    # true genre as often as its share of the songs (here 1/3). Dealing the labels evenly within
    # each genre (the old way) made each draw exact but biased a by-song control below chance.
    y, groups = fake_pieces((12, 12, 12), pieces_per_song=2)
    drawn = np.array([helpers.labels_that_mean_nothing(y, groups, seed=seed)[::2] for seed in range(300)])
    for genre in range(3):
        share = np.bincount(drawn[:, y[::2] == genre].ravel(), minlength=3) / drawn[:, y[::2] == genre].size
        assert np.allclose(share, 1 / 3, atol=0.03), (genre, share)
    within = [np.bincount(d[y[::2] == 0], minlength=3).tolist() for d in drawn[:20]]
    assert any(counts != [4, 4, 4] for counts in within)  # not dealt evenly: each draw scatters
    y, groups = fake_pieces((15, 5))  # unequal genres: a label is drawn with its genre's share of the songs
    drawn = np.array([helpers.labels_that_mean_nothing(y, groups, seed=seed)[::5] for seed in range(300)])
    assert abs(np.mean(drawn == 1) - 0.25) < 0.03
    with pytest.raises(helpers.CollectionError, match="5 songs cannot give each of 2 labels 3 songs"):
        helpers.labels_that_mean_nothing(*fake_pieces((3, 2)))


def test_cross_validation_over_pieces_tests_every_piece_once_and_shares_songs():
    y, groups = fake_pieces((10, 10), pieces_per_song=6)
    splits = helpers.cross_validation_over_pieces(len(y), folds=3, seed=1)
    assert sorted(np.concatenate([s.test for s in splits]).tolist()) == list(range(len(y)))
    for split in splits:
        assert not set(split.test) & (set(split.train) | set(split.validation))
        assert len(split.train) + len(split.validation) + len(split.test) == len(y)
        assert len(set(groups[split.train]) & set(groups[split.test])) >= 15  # the leak


def test_fewer_training_songs_keeps_whole_songs_per_genre_and_the_test_set():
    from helpers.split import Split, fewer_training_songs

    groups = np.repeat(np.arange(12), 3)  # 12 songs of 3 pieces
    y = np.repeat(np.arange(12) % 2, 3)
    split = Split(np.flatnonzero(groups < 8), np.flatnonzero((groups >= 8) & (groups < 10)), np.flatnonzero(groups >= 10))
    fewer = fewer_training_songs(split, y, groups, 2, seed=1)
    kept = np.unique(groups[fewer.train])
    assert len(kept) == 4 and np.bincount(y[fewer.train][::3]).tolist() == [2, 2]  # 2 songs per genre, whole
    assert all(np.sum(groups[fewer.train] == song) == 3 for song in kept)
    assert set(kept) <= set(groups[np.concatenate([split.train, split.validation])])  # drawn from training and validation
    assert np.array_equal(fewer.test, split.test) and len(fewer.validation) == 0
    # The same songs for the patches of the same songs (another row count per song), and for the same seed
    patch_groups = np.repeat(np.arange(12), 5)
    patch_y = np.repeat(np.arange(12) % 2, 5)
    patches = Split(np.flatnonzero(patch_groups < 8), np.flatnonzero((patch_groups >= 8) & (patch_groups < 10)),
                    np.flatnonzero(patch_groups >= 10))
    assert set(np.unique(patch_groups[fewer_training_songs(patches, patch_y, patch_groups, 2, seed=1).train])) == set(kept)
    assert not all(set(np.unique(groups[fewer_training_songs(split, y, groups, 2, seed=s).train])) == set(kept)
                   for s in range(2, 8))  # other seeds, other songs
    assert len(fewer_training_songs(split, y, groups, None).train) == 30  # all ten training songs
    with pytest.raises(ValueError, match="6 songs per genre"):
        fewer_training_songs(split, y, groups, 6)
