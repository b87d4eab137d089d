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
    """"Hear them": with the notebook's recipe (onset strength, then the beat tracker), the tempo is
    the synthesiser's on most demo songs (26 of 32, within 4 %) and twice it on a few slow ones (4):
    the mistake the notebook names."""
    import librosa

    settings, dataset, _ = demo
    counts = {"right (within 4 %)": 0, "twice the tempo": 0, "half the tempo": 0, "something else": 0}
    for song in dataset.songs:
        y = librosa.load(song.path, sr=settings.sample_rate)[0]
        tempo, _ = librosa.beat.beat_track(onset_envelope=librosa.onset.onset_strength(y=y, sr=settings.sample_rate),
                                           sr=settings.sample_rate)
        true = demo_traits(song.path, settings.seed)["bpm"]
        ratio = float(np.atleast_1d(tempo)[0]) / true
        level = next((name for name, r in zip(counts, (1, 2, 0.5)) if abs(ratio / r - 1) < 0.04), "something else")
        counts[level] += 1
        if level == "twice the tempo":
            assert true < 90  # the tracker leans towards 120 beats per minute: it doubles slow songs
    assert counts["right (within 4 %)"] >= 22 and counts["twice the tempo"] >= 1
    assert printed("of 32 songs, tempo") == "of 32 songs, tempo " + ", ".join(f"{name}: {n}" for name, n in counts.items())


def test_the_mode_estimate_is_no_better_than_guessing_on_the_demo(demo):
    """"No better than guessing": major or minor is right on 18 of 32 songs, as many as always answering minor."""
    settings, dataset, described = demo
    major_minus_minor = described.X[:, helpers.FEATURE_NAMES.index("major_minus_minor")]
    truth = np.array([demo_traits(song.path, settings.seed)["major"] for song in dataset.songs])
    right, minor = int(np.sum((major_minus_minor > 0) == truth)), int(np.sum(~truth))
    assert right <= max(minor, 32 - minor) + 2  # not clearly better than always giving the commoner answer
    assert printed("mode right in").startswith(f"mode right in {right} of 32 songs")
    assert printed("mode right in").endswith(f"{minor} songs are minor, so always answering minor is right in {minor}")


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


def test_on_real_music_the_features_trail_the_mel_statistics_by_song_not_shown():
    """Notebook 13's real-music paragraph, on the committed runs (results/real_music.json, the audited
    collection): by song the features model is below the mel-statistics baseline, a difference not
    shown; holding out games, its balanced accuracy is the paragraph's, and its fold that holds out
    M.A.R.S. and X-Moto gets under a third of its songs right. (Issue 31's target, the features at
    least the baseline by song, held on the collection before the audit: 0.811 against 0.750.)"""
    from helpers.plumbing.results import compare_runs, read_results

    mean = lambda folds: float(np.mean([fold["song_accuracy"] for fold in folds]))  # noqa: E731
    features, baseline = mean(recorded_folds("features")), mean(recorded_folds("baseline"))
    assert features < baseline and compare_runs("features", "baseline")["verdict"] == "not shown"
    (games,) = [run["result"] for run in read_results() if run["result"]["model"] == "features"
                and run["result"]["group"] == "source"]
    text = "".join(c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "markdown")
    assert f"scores {features:.3f}, below the mel statistics' {baseline:.3f}" in text
    assert f"{games['song_balanced_accuracy']:.3f} against chance's 0.5" in text
    assert min(games["song_accuracy_per_fold"]) < 1 / 3


def test_a_held_tone_pulls_the_dramatic_songs_key(demo):
    """"The two songs above show both sides": the first silly-energy song's key is estimated right
    (A# minor, the synthesiser's), while the first dramatic song (F# minor) is estimated B minor: its
    strongest pitch class, B, far above the rest (the printed 0.77; no other reaches 0.5), is the
    loudest peak of its spectrum, a held tone near 493 Hz."""
    import librosa

    settings, dataset, _ = demo
    names = list(helpers.musical_features.PITCH_CLASSES)
    first = {song.genre: song.path for song in reversed(dataset.songs)}  # the first song of each mood
    signals = {genre: librosa.load(path, sr=settings.sample_rate)[0] for genre, path in first.items()}
    chroma = {genre: librosa.feature.chroma_stft(y=y, sr=settings.sample_rate, tuning=0.0) for genre, y in signals.items()}
    assert str(helpers.estimate_key(chroma["silly_energy"])) == "A# minor"
    assert str(helpers.estimate_key(chroma["dramatic"])) == "B minor"
    profile = chroma["dramatic"].mean(axis=1)
    assert names[int(np.argmax(profile))] == "B" and profile.max() > 0.7 and np.sort(profile)[-2] < 0.5
    assert printed("dramatic, strongest pitch classes: ") == \
        "dramatic, strongest pitch classes: " + ", ".join(f"{names[k]} {profile[k]:.2f}" for k in np.argsort(profile)[::-1][:3])
    spectrum = np.abs(librosa.stft(signals["dramatic"], n_fft=16384)).mean(axis=1)
    loudest = librosa.fft_frequencies(sr=settings.sample_rate, n_fft=16384)[int(np.argmax(spectrum))]
    assert 480 < loudest < 500  # B4 is 493.9 Hz
