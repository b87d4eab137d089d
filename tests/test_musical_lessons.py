"""Notebook 13's lessons, checked on the default demo with the notebook's own settings and code:
the beats are found where the synthesiser put them, the mode estimate is as weak as the notebook
says, one number separates the moods and one does not, the features model scores what the notebook
prints; and on real music, the recorded features run reaches the mel-statistics baseline by song."""

import nbformat
import numpy as np
import pytest

import helpers
from helpers.data.demo import demo_traits
from helpers.plumbing.results import recorded_folds

pytestmark = pytest.mark.lessons  # run after the notebooks, in CI's locked leg (conftest.py)

NOTEBOOK = helpers.PROJECT_ROOT / "notebooks" / "13_musical_features.ipynb"


def printed(start: str) -> str:
    """The committed output line of notebook 13 that starts with `start`."""
    for cell in nbformat.read(NOTEBOOK, as_version=4).cells:
        for output in cell.get("outputs", []):
            for line in output.get("text", "").splitlines():
                if line.startswith(start):
                    return line
    raise AssertionError(f"notebook 13 prints no line starting {start!r}")


@pytest.fixture(scope="module")
def demo(demo_settings):
    dataset = helpers.build_dataset(demo_settings, progress=False)
    return demo_settings, dataset, helpers.musical_dataset(dataset, demo_settings, progress=False)


def test_the_beats_are_where_the_synthesiser_put_them(demo):
    """"Hear them": the tracker's tempo is the synthesiser's on most demo songs (27 of 32 in the
    notebook, within 4 %), and twice it on a few: the mistake the notebook names."""
    import librosa

    settings, dataset, _ = demo
    ratios = []
    for song in dataset.songs:
        y = librosa.load(song.path, sr=settings.sample_rate)[0]
        found = float(np.atleast_1d(librosa.beat.beat_track(y=y, sr=settings.sample_rate)[0])[0])
        ratios.append(found / demo_traits(song.path, settings.seed)["bpm"])
    ratios = np.array(ratios)
    right, doubled = int(np.sum(np.abs(ratios - 1) < 0.04)), int(np.sum(np.abs(ratios - 2) < 0.08))
    assert right >= 24 and doubled >= 1
    assert printed("of 32 songs: tempo right") == \
        f"of 32 songs: tempo right (within 4 %) {right}, twice the tempo {doubled}, something else {32 - right - doubled}"


def test_the_mode_estimate_is_weak_on_the_demo(demo):
    """"Far from perfect": major or minor is right on about as many songs as guessing gets (18 of 32)."""
    settings, dataset, described = demo
    major_minus_minor = described.X[:, helpers.FEATURE_NAMES.index("major_minus_minor")]
    truth = np.array([demo_traits(song.path, settings.seed)["major"] for song in dataset.songs])
    right = int(np.sum((major_minus_minor > 0) == truth))
    assert 12 <= right <= 22
    assert printed("mode right in") == f"mode right in {right} of 32 songs (guessing: about 16)"


def test_one_number_separates_the_moods_and_one_does_not(demo):
    """The table: onsets per second separate the demo's moods almost perfectly (0.95), loudness,
    drawn from the same range in every mood, does not (0.53)."""
    _, _, described = demo
    separation = {name: helpers.separation(described.X[:, i], described.y) for i, name in enumerate(helpers.FEATURE_NAMES)}
    assert separation["onsets_per_second"] >= 0.9
    assert separation["rms_db_mean"] <= 0.65
    assert max(separation, key=separation.get) == "onsets_per_second"
    assert printed("best of all 37:") == f"best of all 37: onsets_per_second ({separation['onsets_per_second']:.2f})"


def test_the_features_model_scores_what_the_notebook_prints(demo):
    """"A baseline that knows music": on notebook 07's folds the features model gets 0.691 by song,
    about the mel statistics' 0.658 (one song more in two folds, one fewer in the third)."""
    settings, dataset, described = demo
    folds = helpers.cross_validation_folds(described, settings.folds, settings.seed)
    cv = helpers.cross_validate_features(described, folds, seed=settings.seed)
    mean = float(np.mean([fold["song_accuracy"] for fold in cv]))
    assert mean == pytest.approx(0.691, abs=0.07)
    assert printed("musical features     songs right per fold").endswith(f"mean {mean:.3f}")


def test_on_real_music_the_features_reach_the_mel_statistics_by_song():
    """Issue 31's target, on the committed runs (results/real_music.json): by song, the features
    model is at least the mel-statistics baseline; holding out games it is the notebook's 0.548."""
    mean = lambda folds: np.mean([fold["song_accuracy"] for fold in folds])  # noqa: E731
    assert mean(recorded_folds("features")) >= mean(recorded_folds("baseline"))
    assert mean(recorded_folds("features", "sources")) == pytest.approx(0.548, abs=0.001)
