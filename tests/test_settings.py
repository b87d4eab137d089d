from pathlib import Path

import pytest

import helpers


def test_defaults_follow_the_original_tutorial(monkeypatch):
    for name in ("TRACKS_DIR", "SEGMENT_WIDTH", "SAMPLE_RATE", "EPOCHS"):
        monkeypatch.delenv(name, raising=False)
    settings = helpers.load_settings()
    assert settings.segment_width == 100_000
    assert settings.sample_rate == 22050
    assert settings.epochs == 10
    assert settings.tracks_dir == helpers.PROJECT_ROOT / "tracks"


def test_environment_variables_override(monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKS_DIR", str(tmp_path))
    monkeypatch.setenv("SEGMENT_WIDTH", "50000")
    monkeypatch.setenv("DEMO_GENRES", "silly_energy, dramatic, calm")
    settings = helpers.load_settings()
    assert settings.tracks_dir == tmp_path.resolve()
    assert settings.segment_width == 50000
    assert settings.demo_genres == ("silly_energy", "dramatic", "calm")


def test_arguments_override_the_environment(monkeypatch):
    monkeypatch.setenv("EPOCHS", "7")
    assert helpers.load_settings().epochs == 7
    assert helpers.load_settings(epochs=3).epochs == 3


def test_a_bad_environment_value_is_named(monkeypatch):
    monkeypatch.setenv("EPOCHS", "ten")
    with pytest.raises(ValueError, match="EPOCHS='ten'"):
        helpers.load_settings()


def test_a_non_positive_setting_is_refused():
    with pytest.raises(ValueError, match="segment_width"):
        helpers.load_settings(segment_width=0)


def test_feature_key_changes_with_feature_settings_only():
    base = helpers.load_settings()
    assert base.replace(epochs=99).feature_key == base.feature_key
    assert base.replace(n_mels=64).feature_key != base.feature_key
    assert isinstance(base.replace(tracks_dir=Path("/x")).tracks_dir, Path)
