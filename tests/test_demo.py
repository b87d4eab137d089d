import librosa
import numpy as np
import pytest

import helpers
from helpers.data.demo import RATE, synthesise_song, write_demo_collection
from conftest import write_tone


def test_the_same_seed_gives_the_same_song():
    a = synthesise_song("dramatic", 7, 0, seconds=10)  # 10 s: every ingredient is drawn, in a fraction of the time
    assert np.array_equal(a, synthesise_song("dramatic", 7, 0, seconds=10))
    assert not np.array_equal(a[: RATE], synthesise_song("dramatic", 7, 1, seconds=10)[: RATE])
    assert not np.array_equal(a[: RATE], synthesise_song("dramatic", 8, 0, seconds=10)[: RATE])


@pytest.mark.slow
@pytest.mark.parametrize("genre", ["silly_energy", "dramatic", "calm"])
def test_songs_are_60_to_90_seconds_of_stereo_below_full_scale(genre):
    audio = synthesise_song(genre, 42, 3)
    assert audio.dtype == np.float32 and audio.shape[1] == 2
    assert 60 <= len(audio) / RATE <= 90
    assert 0.05 < np.max(np.abs(audio)) < 1.0


@pytest.mark.slow
def test_genres_differ_on_average_but_overlap_and_loudness_gives_nothing_away():
    # Genres are statistical, as in real music: silly_energy is faster (more onsets) on average
    # than dramatic, but not every song; loudness comes from the same range in every genre.
    def onsets_per_second_and_loudness(audio):
        mono = librosa.resample(audio.mean(axis=1), orig_sr=RATE, target_sr=22050)
        onsets = librosa.onset.onset_detect(y=mono, sr=22050, units="time")
        return len(onsets) / (len(mono) / 22050), 20 * np.log10(np.sqrt(np.mean(audio ** 2)))

    # Each song made 30 s long (the same draws: artist, traits, tempo, loudness) says the same, three times faster.
    silly = np.array([onsets_per_second_and_loudness(synthesise_song("silly_energy", 42, i, 30)) for i in range(6)])
    dramatic = np.array([onsets_per_second_and_loudness(synthesise_song("dramatic", 42, i, 30)) for i in range(6)])
    assert np.median(silly[:, 0]) > np.median(dramatic[:, 0])
    assert abs(np.median(silly[:, 1]) - np.median(dramatic[:, 1])) < 4  # dB
    assert silly[:, 1].min() < dramatic[:, 1].max() and dramatic[:, 1].min() < silly[:, 1].max()


def test_each_song_has_traits_drawn_with_its_genres_odds():
    from helpers.data.demo import _traits

    def share(genre, trait, value):
        return np.mean([_traits(genre, np.random.default_rng([0, k]))[trait] == value for k in range(400)])

    assert 0.65 < share(0, "drums", "backbeat") < 0.9  # likely in silly_energy, not certain
    assert 0.05 < share(1, "drums", "backbeat") < 0.3  # and possible in dramatic
    assert 0.65 < share(1, "major", False) < 0.9


def test_an_unknown_genre_is_refused():
    with pytest.raises(ValueError, match="polka"):
        synthesise_song("polka", 42, 0)


@pytest.mark.slow
def test_writes_mp3_and_never_overwrites(tmp_path):
    tracks = tmp_path / "tracks"
    (tracks / "calm").mkdir(parents=True)
    mine = tracks / "calm" / "calm_01.mp3"
    mine.write_bytes(b"the reader's own file")
    written = write_demo_collection(tracks, genres=("calm",), songs_per_genre=2, seed=1)
    assert written == [tracks / "calm" / "calm_02.mp3"]
    assert mine.read_bytes() == b"the reader's own file"
    info = helpers.describe_audio_file(written[0])
    assert info["sample_rate"] == RATE and info["channels"] == 2 and info["format"] == "MP3"
    assert not list(tracks.rglob("*.partial"))


def test_ensure_songs_leaves_a_readers_folder_alone(small_collection):
    before = sorted(p.name for p in small_collection.rglob("*"))
    assert helpers.ensure_songs(helpers.load_settings(tracks_dir=small_collection)) == []
    assert sorted(p.name for p in small_collection.rglob("*")) == before


@pytest.mark.slow
def test_ensure_songs_completes_an_interrupted_demo(tmp_path):
    settings = helpers.load_settings(tracks_dir=tmp_path / "t", demo_genres=("calm", "dramatic"), demo_songs_per_genre=1)
    settings.tracks_dir.mkdir()
    write_demo_collection(settings.tracks_dir, genres=("calm",), songs_per_genre=1)  # as if stopped half way
    written = helpers.ensure_songs(settings)
    assert [p.name for p in written] == ["dramatic_01.mp3"]
    assert helpers.ensure_songs(settings) == []


def test_a_second_demo_collection_copies_the_songs_the_first_one_has(tmp_path, monkeypatch):
    made = []

    def fake_write(path, seed):  # stands in for synthesis: records what would be synthesised
        made.append(path.relative_to(path.parent.parent).as_posix())
        path.write_bytes(f"{path.name} {seed}".encode())

    monkeypatch.setattr(helpers.data.demo, "_write_song", fake_write)
    two = tmp_path / "two"
    helpers.data.demo.write_demo_collection(two, ("silly_energy", "dramatic"), songs_per_genre=2, seed=5)
    made.clear()
    three = tmp_path / "three"
    written = helpers.data.demo.write_demo_collection(three, ("silly_energy", "dramatic", "calm"), songs_per_genre=2,
                                                 seed=5, reuse=two)
    assert len(written) == 6 and made == ["calm/calm_01.mp3", "calm/calm_02.mp3"]
    assert (three / "dramatic" / "dramatic_02.mp3").read_bytes() == (two / "dramatic" / "dramatic_02.mp3").read_bytes()
    made.clear()  # another seed makes other songs: nothing is copied
    helpers.data.demo.write_demo_collection(tmp_path / "other", ("dramatic",), songs_per_genre=1, seed=6, reuse=two)
    assert made == ["dramatic/dramatic_01.mp3"]


def test_a_demo_made_by_another_synthesiser_or_seed_is_written_again_never_beside_the_readers_songs(
        tmp_path, monkeypatch, capsys):
    made = []

    def fake_write(path, seed):  # stands in for synthesis
        made.append(path.name)
        path.write_bytes(f"new {seed}".encode())

    monkeypatch.setattr(helpers.data.demo, "_write_song", fake_write)
    settings = helpers.load_settings(tracks_dir=tmp_path / "t", demo_genres=("calm", "dramatic"), demo_songs_per_genre=1)
    tracks, marker = settings.tracks_dir, settings.tracks_dir / helpers.data.demo.DEMO_MARKER
    for path in helpers.data.demo.demo_song_paths(tracks, settings.demo_genres, 1):
        path.parent.mkdir(parents=True)
        path.write_bytes(b"old")
    marker.write_text("This folder holds the synthesised demo collection of the series (helpers/data/demo.py).\nseed 42\n")
    written = helpers.ensure_songs(settings)  # a marker from before versions were written: an older synthesiser
    assert sorted(p.name for p in written) == ["calm_01.mp3", "dramatic_01.mp3"]
    assert "another version of the synthesiser" in capsys.readouterr().out
    assert all(p.read_bytes() == b"new 42" for p in written) and helpers.data.demo.made_by_this_synthesiser(tracks, 42)
    assert helpers.ensure_songs(settings) == []  # this version's now: left as it is
    assert len(helpers.ensure_songs(settings.replace(seed=7))) == 2  # another seed: other songs
    marker.write_text("version 1\n")
    write_tone(tracks / "calm" / "mine.wav")  # a reader's song beside an old demo: nothing is touched
    assert helpers.ensure_songs(settings) == [] and (tracks / "calm" / "mine.wav").is_file()
    assert (tracks / "calm" / "calm_01.mp3").read_bytes() == b"new 7" and marker.read_text() == "version 1\n"


@pytest.mark.slow
def test_deleted_demo_songs_stay_deleted_once_the_readers_songs_sit_beside_them(tmp_path):
    settings = helpers.load_settings(tracks_dir=tmp_path / "t", demo_genres=("calm", "dramatic"), demo_songs_per_genre=1)
    settings.tracks_dir.mkdir()
    write_demo_collection(settings.tracks_dir, genres=("calm",), songs_per_genre=1)  # the marker, one demo song
    write_tone(settings.tracks_dir / "rock" / "mine.wav")  # the reader's own genre
    assert helpers.ensure_songs(settings) == []
    assert not (settings.tracks_dir / "dramatic").exists()
    (settings.tracks_dir / "rock" / "mine.wav").rename(settings.tracks_dir / "calm" / "mine.wav")  # or a song among them
    assert helpers.ensure_songs(settings) == []


def test_building_a_dataset_never_writes_the_demo(tmp_path):
    settings = helpers.load_settings(tracks_dir=tmp_path, cache_dir=tmp_path / ".cache")
    with pytest.raises(helpers.CollectionError, match="no usable songs.*helpers.ensure_songs"):
        helpers.build_dataset(settings, progress=False)
    assert [p.name for p in tmp_path.iterdir()] == []
