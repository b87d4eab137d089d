"""Two tiers (issue 29): notebooks 07, 09, 10, 11 and 13 say each comparison in one plain line and leave
the statistics to notebook 12, whose real-music lines are the committed results."""

import re

import nbformat
import pytest

import helpers

FOLDER = helpers.PROJECT_ROOT / "notebooks"
BEGINNER_THREAD = ["07_evaluate", "09_improve", "10_real_music", "11_transfer_learning", "13_musical_features"]
STATISTICS = re.compile(r"t-test|mcnemar|p-value|\bp = |\bp < |binomial|clopper|confidence interval|nadeau|"
                        r"compare_folds|compare_songs|compare_cross_validations|accuracy_interval|compare_runs",
                        re.IGNORECASE)


def cells(name: str):
    return nbformat.read(FOLDER / f"{name}.ipynb", as_version=4).cells


@pytest.mark.parametrize("name", BEGINNER_THREAD)
def test_the_beginners_notebooks_name_no_statistical_test(name):
    """Sources and printed outputs: the one pointer to notebook 12 is "how sure: notebook 12"."""
    for index, cell in enumerate(cells(name)):
        texts = [cell.source] + [o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream"]
        for text in texts:
            found = STATISTICS.findall(text)
            assert not found, f"{name} cell {index}: {found}"


@pytest.mark.parametrize("name", BEGINNER_THREAD + ["12_how_sure"])
def test_a_notebook_is_read_in_one_sitting(name):
    """At most 1,800 words of markdown, no markdown cell over 250 (GUIDE.md, "Small units")."""
    words = [len(cell.source.split()) for cell in cells(name) if cell.cell_type == "markdown"]
    assert sum(words) <= 1800 and max(words) <= 250, (sum(words), max(words))


def test_every_comparison_in_the_beginners_notebooks_is_one_plain_line():
    for name in BEGINNER_THREAD:
        said = [cell for cell in cells(name) if cell.cell_type == "code" and "say_comparison(" in cell.source]
        assert said, name


def printed_by(name: str, marker: str) -> str:
    found = [c for c in cells(name) if c.cell_type == "code" and marker in c.source]
    assert len(found) == 1, marker
    return "".join(output.get("text", "") for output in found[0].outputs if output.output_type == "stream")


def test_notebook_12_reads_the_committed_real_music_runs():
    """Its lines are compare_runs on the committed runs, one larger than the noise (the baseline over the
    original CNN by song); its prose says so, and gives the closest of the others by
    song and its p, musicnn's lead over the improved CNN (level or ahead in every fold) and its p, the
    widest folds holding out games, and the smallest p there."""
    from helpers.plumbing.results import compare_runs

    lines = printed_by("12_how_sure", "compare_runs(").splitlines()
    pairs = [("songs", a, b) for a, b in [("baseline", "original"), ("improved", "original"), ("improved", "baseline"),
                                          ("musicnn", "improved"), ("musicnn", "baseline"), ("musicnn", "original"),
                                          ("musicnn-tuned", "musicnn")]]
    pairs += [("sources", a, b) for a, b in [("musicnn", "improved"), ("musicnn", "baseline"), ("musicnn", "original"),
                                             ("musicnn-tuned", "musicnn")]]
    assert len(lines) == len(pairs)
    comparisons = {}
    for line, (held_out, a, b) in zip(lines, pairs):
        comparison = comparisons[held_out, a, b] = compare_runs(a, b, held_out=held_out)
        assert line.startswith(f"by {held_out[:-1]:<6} {a + ' - ' + b:<24} ")
        assert line.endswith(f"mean {comparison['difference']:+.3f}, p = {comparison['p']:.2f}: {comparison['verdict']}")
    shown = [key for key, comparison in comparisons.items() if comparison["verdict"] != "not shown"]
    assert shown == [("songs", "baseline", "original")]  # the fold test's; the song test cannot run on recorded runs
    text = "".join(c.source for c in cells("12_how_sure") if c.cell_type == "markdown")
    assert f"the baseline against the original CNN by song, ahead in every fold (p = {comparisons[shown[0]]['p']:.2f})" in text
    assert min(comparisons[shown[0]]["per_fold"]) > 0
    closest = min((key for key in comparisons if key[0] == "songs" and key not in shown), key=lambda key: comparisons[key]["p"])
    assert f"by song (p = {comparisons[closest]['p']:.2f})" in text
    lead = comparisons["songs", "musicnn", "improved"]
    assert min(lead["per_fold"]) >= 0 and f"improved CNN by {lead['difference']:.3f}, level or ahead in every fold (p = {lead['p']:.2f})" in text
    folds = comparisons["sources", "musicnn", "improved"]["per_fold"]
    assert f"{max(folds):+.3f}, another {min(folds):+.3f}" in text
    assert f"p of {min(c['p'] for key, c in comparisons.items() if key[0] == 'sources'):.2f} or more" in text


