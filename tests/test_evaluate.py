import numpy as np
import pytest

import helpers
from helpers import accuracies, song_predictions

# Three songs: song 0 has three pieces, song 1 two, song 2 three.
PROBA = np.array([[0.9, 0.1], [0.4, 0.6], [0.8, 0.2],   # song 0: votes 2-1 for genre 0
                  [0.45, 0.55], [0.9, 0.1],             # song 1: a 1-1 tie; mean says genre 0
                  [0.4, 0.6], [0.45, 0.55], [0.0, 1.0]])  # song 2: genre 1 everywhere
GROUPS = np.array([0, 0, 0, 1, 1, 2, 2, 2])


def test_majority_vote_with_ties_broken_by_the_mean():
    songs, predicted = song_predictions(PROBA, GROUPS, "vote")
    assert songs.tolist() == [0, 1, 2] and predicted.tolist() == [0, 0, 1]


def test_vote_and_mean_can_disagree():
    proba = np.array([[0.45, 0.55], [0.45, 0.55], [1.0, 0.0]])
    assert song_predictions(proba, np.zeros(3, int), "vote")[1].tolist() == [1]
    assert song_predictions(proba, np.zeros(3, int), "mean")[1].tolist() == [0]


def test_accuracies_per_piece_and_per_song():
    y = np.array([0, 0, 0, 1, 1, 1, 1, 1])
    scores = accuracies(PROBA, y, GROUPS)
    assert scores["piece_accuracy"] == pytest.approx(6 / 8)
    assert scores["song_accuracy"] == pytest.approx(2 / 3)
    assert scores["songs"] == 3 and scores["pieces"] == 8
    # songs: 0 is genre 0 (right), 1 and 2 genre 1 (one right): balanced (1 + 1/2) / 2
    assert scores["song_balanced_accuracy"] == pytest.approx(0.75)
    assert scores["song_chance"] == pytest.approx(2 / 3) and scores["piece_chance"] == pytest.approx(5 / 8)
    assert scores["balanced_chance"] == 0.5


def test_one_rule_gives_a_songs_verdict():
    assert helpers.SONG_RULE == "vote"
    proba = np.array([[0.45, 0.55], [0.45, 0.55], [1.0, 0.0]])
    genre, votes, confidence = helpers.song_verdict(proba)
    assert (genre, votes) == (1, 2) and confidence == pytest.approx(1.1 / 3)


def test_unknown_method():
    with pytest.raises(ValueError, match="median"):
        song_predictions(PROBA, GROUPS, "median")


def test_song_truth_lists_each_song_once_with_its_genre():
    y = np.array([1, 1, 0, 0, 0, 2])
    groups = np.array([7, 7, 3, 3, 5, 9])
    songs, truth = helpers.song_truth(y, groups)
    assert songs.tolist() == [3, 5, 7, 9] and truth.tolist() == [0, 0, 1, 2]


def test_confusion_matrix_plot_counts_with_genre_names():
    import matplotlib
    matplotlib.use("Agg")
    genres = ["calm", "dramatic", "silly_energy"]
    ax = helpers.plot_confusion(np.array([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 2, 2, 0]), genres)
    cells = [[None] * 3 for _ in range(3)]
    for text in ax.texts:
        column, row = text.get_position()
        cells[int(row)][int(column)] = int(text.get_text())
    assert cells == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]  # rows: true genre, columns: predicted
    assert [t.get_text() for t in ax.get_xticklabels()] == genres == [t.get_text() for t in ax.get_yticklabels()]


def test_timeline_has_one_line_per_genre_spanning_the_song():
    import matplotlib
    matplotlib.use("Agg")
    proba = np.array([[0.9, 0.1], [0.4, 0.6], [0.2, 0.8]])
    ax = helpers.plot_timeline(proba, ["a", "b"], seconds_per_piece=4.5)
    assert len(ax.patches) == 2 and ax.get_xlim() == (0.0, 13.5)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]


def test_the_accuracy_interval_says_how_little_a_few_songs_prove():
    low, high = helpers.accuracy_interval(24, 24)
    assert abs(low - 0.86) < 0.01 and high == 1.0  # 24 of 24 right: the true accuracy could still be 0.86
    low, high = helpers.accuracy_interval(4, 4)
    assert abs(low - 0.40) < 0.01 and high == 1.0
    low, high = helpers.accuracy_interval(10, 20)
    assert low < 0.5 < high and abs((0.5 - low) - (high - 0.5)) < 1e-9  # symmetric around one half
    with pytest.raises(ValueError):
        helpers.accuracy_interval(3, 2)


def test_the_least_certain_songs_are_the_mistakes_first_then_the_closest_calls():
    # Four songs of two pieces: song 0 right and sure, 1 right but close, 2 wrong, 3 wrong and sure.
    y = np.array([0, 0, 1, 1, 0, 0, 1, 1])
    groups = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    p_second = np.array([0.1, 0.1, 0.6, 0.55, 0.7, 0.8, 0.1, 0.05])
    proba = np.column_stack([1 - p_second, p_second])
    found = helpers.least_certain_songs(proba, y, groups, n=3)
    assert [s["song"] for s in found] == [3, 2, 1]
    assert [s["verdict"] for s in found] == [0, 1, 1] and [s["genre"] for s in found] == [1, 0, 1]
    assert abs(found[0]["p_true"] - 0.075) < 1e-9 and list(found[0]["pieces"]) == [6, 7]


def test_two_models_are_compared_fold_by_fold():
    consistent = helpers.compare_folds([0.80, 0.70, 0.90, 0.75, 0.85], [0.60, 0.52, 0.71, 0.55, 0.66])
    assert consistent["verdict"] == "larger than the noise" and abs(consistent["difference"] - 0.192) < 1e-9
    # The same mean gain, but the folds disagree: not shown.
    mixed = helpers.compare_folds([0.9, 0.5, 0.9], [0.5, 0.9, 0.224])
    assert mixed["verdict"] == "not shown" and mixed["p"] > 0.05
    assert helpers.compare_folds([0.5, 0.6], [0.5, 0.6]) | {"per_fold": None} == \
        {"difference": 0.0, "per_fold": None, "p": 1.0, "verdict": "not shown"}
    assert list(helpers.compare_folds([0.5, 0.6], [0.4, 0.5])["per_fold"]) == pytest.approx([0.1, 0.1])


def test_the_fold_comparison_is_corrected_for_folds_that_share_training_songs():
    """Nadeau and Bengio's correction: notebook 09's old verdict, improved over original by .182,
    .182 and .300 on 3 folds, was p = 0.03 with the plain paired t-test, and is p = 0.07 corrected."""
    from scipy.stats import ttest_rel

    improved, original = [0.682, 0.682, 0.800], [0.500, 0.500, 0.500]
    plain = ttest_rel(improved, original).pvalue
    corrected = helpers.compare_folds(improved, original)
    assert plain == pytest.approx(0.030, abs=0.002) and corrected["p"] == pytest.approx(0.071, abs=0.002)
    assert corrected["verdict"] == "not shown"
    # The correction is var * (1/k + n_test/n_train); with no test share at all it is the plain test:
    assert helpers.compare_folds(improved, original, test_train_ratio=0)["p"] == pytest.approx(plain)
    # Three folds that each differ by one song of 22 give no spread, hence no evidence (issue 24's 66 songs):
    same = helpers.compare_folds([0.5 + 1 / 22] * 3, [0.5] * 3)
    assert np.isnan(same["p"]) and same["verdict"] == "not shown"
    with pytest.raises(ValueError):
        helpers.compare_folds([0.5], [0.4])


def test_reliability_groups_pieces_by_confidence_and_measures_how_often_each_group_is_right():
    # Two genres: confidence runs from 0.5 to 1; with 5 groups the edges are 0.5, 0.6, ... 1.0.
    proba = np.array([[0.55, 0.45], [0.45, 0.55],            # group 0.5-0.6: confidence 0.55, one right of two
                      [0.95, 0.05], [0.99, 0.01], [0.02, 0.98], [1.0, 0.0]])  # group 0.9-1.0, including 1.0
    y = np.array([0, 0, 0, 1, 1, 0])
    groups = helpers.reliability(proba, y, bins=5)
    assert [g["pieces"] for g in groups] == [2, 4]
    assert groups[0]["low"] == pytest.approx(0.5) and groups[0]["high"] == pytest.approx(0.6)
    assert groups[0]["confidence"] == pytest.approx(0.55) and groups[0]["accuracy"] == pytest.approx(0.5)
    assert groups[1]["confidence"] == pytest.approx((0.95 + 0.99 + 0.98 + 1.0) / 4)
    assert groups[1]["accuracy"] == pytest.approx(0.75)  # the 0.99 piece is a confident mistake


def test_reliability_diagram_has_one_bar_per_group_and_returns_figure_and_axes():
    import matplotlib
    matplotlib.use("Agg")
    proba = np.array([[0.55, 0.45], [0.45, 0.55], [0.95, 0.05], [0.99, 0.01]])
    fig, ax = helpers.plot_reliability(proba, np.array([0, 0, 0, 1]), bins=5)
    assert ax.figure is fig and len(ax.patches) == 2
    assert [t.get_text() for t in ax.texts] == ["2", "2"]


def test_compare_songs_counts_only_the_songs_one_model_got_right():
    a = np.array([1, 1, 1, 0, 1, 0, 1], bool)
    b = np.array([1, 0, 0, 0, 1, 1, 0], bool)  # a alone: 3 songs; b alone: 1
    result = helpers.compare_songs(a, b)
    assert (result["only_a"], result["only_b"]) == (3, 1)
    assert result["p"] == pytest.approx(0.625) and result["verdict"] == "not shown"  # 2 x P(X >= 3 | 4 tosses)


def test_three_songs_all_one_way_are_not_shown_where_the_fold_test_has_no_spread():
    # The case: one song more in each of three folds. compare_folds sees no spread (NaN);
    # song by song it is 3 discordant songs, all one way: p = 0.25.
    a, b = np.ones(33, bool), np.ones(33, bool)
    b[[0, 11, 22]] = False
    assert np.isnan(helpers.compare_folds([1, 1, 1], [10 / 11, 10 / 11, 10 / 11])["p"])
    result = helpers.compare_songs(a, b)
    assert result["p"] == pytest.approx(0.25) and result["verdict"] == "not shown"
    b[:9] = False  # nine songs only a got right, none the other way: 2 / 2**9 < 0.05
    assert helpers.compare_songs(a, b)["verdict"] == "larger than the noise"
    assert helpers.compare_songs(a, a)["p"] == 1.0
    with pytest.raises(ValueError, match="the same songs"):
        helpers.compare_songs(a, a[:-1])


def test_songs_right_pools_the_folds_and_judges_each_song_once():
    y = np.array([0, 0, 1, 1, 0, 0, 1, 1])
    groups = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    folds = [{"test": [0, 1, 2, 3], "proba": [[0.9, 0.1], [0.8, 0.2], [0.9, 0.1], [0.7, 0.3]]},  # song 1 wrong
             {"test": [4, 5, 6, 7], "proba": [[0.6, 0.4], [0.7, 0.3], [0.2, 0.8], [0.1, 0.9]]}]
    songs, right = helpers.songs_right(folds, y, groups)
    assert songs.tolist() == [0, 1, 2, 3] and right.tolist() == [True, False, True, True]


def test_a_difference_is_shown_only_when_folds_and_songs_agree():
    # Two songs per fold of 10, three folds: b gets the first `wrong[k]` songs of fold k wrong, a none.
    y = np.zeros(30, int)
    groups = np.arange(30)

    def cv(wrong):
        return [{"test": list(range(10 * k, 10 * k + 10)), "song_accuracy": 1 - w / 10,
                 "proba": [[0.1, 0.9] if i < w else [0.9, 0.1] for i in range(10)]} for k, w in enumerate(wrong)]

    perfect = cv([0, 0, 0])
    steady = helpers.compare_cross_validations(perfect, cv([3, 3, 3]), y, groups)
    assert np.isnan(steady["p"]) and steady["songs"]["p"] < 0.01 and steady["verdict"] == "not shown"
    varied = helpers.compare_cross_validations(perfect, cv([3, 3, 4]), y, groups)
    assert varied["p"] < 0.05 and varied["songs"]["only_a"] == 10 and varied["verdict"] == "larger than the noise"
    few = helpers.compare_cross_validations(perfect, cv([1, 1, 2]), y, groups)
    assert few["songs"]["p"] > 0.05 and few["verdict"] == "not shown"
    shifted = [{**fold, "test": [t + 1 if t == 29 else t for t in fold["test"]]} for fold in perfect]
    with pytest.raises(ValueError, match="the same songs"):
        helpers.compare_cross_validations(perfect, shifted, np.zeros(31, int), np.arange(31))


def test_a_comparison_is_said_in_one_plain_line():
    """Notebooks 07, 09, 10 and 11 print one line per comparison; how sure it is, notebook 12 says."""
    folds_a = [{"song_accuracy": 8 / 11, "songs": 11}, {"song_accuracy": 9 / 11, "songs": 11}, {"song_accuracy": 0.9, "songs": 10}]
    folds_b = [{"song_accuracy": 5 / 11, "songs": 11}, {"song_accuracy": 6 / 11, "songs": 11}, {"song_accuracy": 0.6, "songs": 10}]
    assert helpers.say_comparison(folds_a, folds_b, ("improved", "original")) == \
        "improved vs original: ahead in 3 of 3 folds, by 3, 3 and 3 songs; how sure: notebook 12"
    # Accuracies need the folds' sizes; a mixed result lists every fold's songs with their sign.
    assert helpers.say_comparison([0.9, 0.5, 0.7], [0.8, 0.5, 0.75], ("a", "b"), songs_per_fold=[10, 10, 20]) == \
        "a vs b: ahead in 1 of 3 folds, level in 1, behind in 1 (songs per fold +1, 0, -1); how sure: notebook 12"
    assert helpers.say_comparison([0.6], [0.5], ("a", "b"), songs_per_fold=[10]) == \
        "a vs b: ahead in 1 of 1 folds, by 1 song; how sure: notebook 12"
    assert "behind in 2 (songs per fold -2, -1)" in helpers.say_comparison([0.3, 0.4], [0.5, 0.5], ("a", "b"), [10, 10])
    with pytest.raises(ValueError):
        helpers.say_comparison([0.5, 0.6], [0.5], ("a", "b"), [10, 10])
    with pytest.raises(ValueError):
        helpers.say_comparison([0.5, 0.6], [0.4, 0.5], ("a", "b"))
