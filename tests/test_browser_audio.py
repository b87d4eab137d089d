"""Audio that plays in a real browser: every inline player of the committed notebooks, exported to
HTML as a reader sees them on GitHub or in nbviewer, loads in headless Chromium with the clip's length.

CI installs Chromium (.ci/run); on a machine without it this check is skipped, except under CI,
where a missing browser is a failure.
"""

import base64
import io
import json
import os
import re
import shutil
import subprocess

import nbformat
import pytest
import soundfile as sf
from nbconvert import HTMLExporter

import helpers

NOTEBOOKS = sorted((helpers.PROJECT_ROOT / "notebooks").glob("*.ipynb"))
BROWSER = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome") if shutil.which(name)), None)

# Wait until each <audio> has data (or fails), then write what the page's own media elements report into the title.
PROBE = """<script>
window.addEventListener('load', async () => {
  const players = [...document.querySelectorAll('audio')];
  await Promise.all(players.map(a => a.readyState >= 2 ? null : new Promise(done => {
    a.addEventListener('loadeddata', done);
    a.addEventListener('error', done, true);  // capture: a failing <source> reports here too
    setTimeout(done, 10000);
    a.preload = 'auto';
    a.load();
  })));
  const report = players.map(a => ({ready: a.readyState, duration: a.duration,
                                    error: a.error ? a.error.code : (a.networkState === 3 ? 'no usable source' : null)}));
  document.title = 'AUDIO ' + JSON.stringify(report);
});
</script></body>"""


def clip_seconds(notebook) -> list[float]:
    """The length of every inline audio clip, read from the WAV inside each player's HTML."""
    lengths = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html", "")
            for data in re.findall(r'src="data:audio/wav;base64,([^"]+)"', html):
                info = sf.info(io.BytesIO(base64.b64decode(data)))
                lengths.append(info.frames / info.samplerate)
    return lengths


@pytest.mark.slow
@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if clip_seconds(nbformat.read(p, 4))], ids=lambda p: p.name)
def test_every_inline_player_loads_in_chromium(path, tmp_path):
    if BROWSER is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed: .ci/run installs it (apt-get install chromium)")
        pytest.skip("no Chromium on this machine (CI installs it and runs this check)")
    notebook = nbformat.read(path, 4)
    expected = clip_seconds(notebook)
    html, _ = HTMLExporter().from_notebook_node(notebook)
    page = tmp_path / "page.html"
    page.write_text(html.replace("</body>", PROBE, 1), encoding="utf-8")
    dom = subprocess.run([BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                          "--disable-background-networking", "--disable-component-update", "--disable-sync",
                          "--autoplay-policy=no-user-gesture-required", f"--user-data-dir={tmp_path / 'profile'}",
                          "--virtual-time-budget=20000", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    found = re.search(r"<title>AUDIO (.*?)</title>", dom)
    assert found, f"the page never reported its players (Chromium printed {len(dom)} characters)"
    players = json.loads(found.group(1).replace("&quot;", '"'))
    assert len(players) == len(expected) > 0
    for player, seconds in zip(players, expected):
        assert player["error"] is None and player["ready"] >= 2, player
        assert abs(player["duration"] - seconds) < 0.1, (player, seconds)
