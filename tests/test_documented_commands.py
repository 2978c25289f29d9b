"""The README's and the dataset card's commands work as written (so the docs cannot drift again).

Every ``ecgbench …`` command in ``README.md`` and in the dataset card is found by the test, not
listed by hand, and run through a shell exactly as printed, from a checkout folder beside which
``../shared/data`` is the real PhysioNet data and with ``~`` a temporary home whose
``ecgbench_data/tfds`` already holds ``mitdb/beats`` and ``mitdb/rhythm`` (so a build command
reuses them instead of building for minutes). Commands that train, replay a record in real time
or carry placeholders (``NAME``, ``PATH``, ``[--seed]``) are checked with ``--help`` instead,
each with its reason; a documented command the test does not know fails it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ecgbench.paths import repo_root

README = repo_root() / "README.md"
CARD = next(p for p in (repo_root() / "ecgbench" / "datasets" / "mitdb" / "README.md", repo_root() / "datasets" / "mitdb" / "README.md") if p.is_file())

#: Commands checked with --help only: (prefix, reason).
HELP_ONLY: tuple[tuple[str, str], ...] = (
    ("ecgbench run baseline", "trains a model for minutes"),
    ("ecgbench run beats-interpatient", "trains a model for minutes"),
    ("ecgbench run stream", "streams all DS2 records"),
    ("ecgbench submit", "placeholder PATH; evaluates a model on the test split"),
    ("ecgbench verify", "placeholder RUN; re-trains the run"),
    ("ecgbench score", "placeholder folders D and extension EXT"),
    ("ecgbench stream", "replays the record in real time (30 min)"),
    ("ecgbench leaderboard check|show", "alternatives, not one command"),
)
#: Commands run exactly as written.
RUN_AS_WRITTEN: tuple[str, ...] = (
    "ecgbench build-dataset", "ecgbench leaderboard check", "ecgbench leaderboard show", "ecgbench detect",
    "ecgbench delineate", "ecgbench plot record", "ecgbench render", "ecgbench digitize", "ecgbench tasks",
)  # fmt: skip


def documented_commands(text: str) -> list[str]:
    """``ecgbench …`` commands of a Markdown page: lines of ```bash blocks and `code` spans of tables."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        commands += [line.split("  #")[0].strip() for line in block.splitlines() if line.strip().startswith("ecgbench ")]
    for span in re.findall(r"`(ecgbench [^`]+)`", text):
        if span not in commands:
            commands.append(span.replace("\\|", "|"))
    return commands


def _mode(command: str) -> str:
    if any(command.startswith(prefix) for prefix, _ in HELP_ONLY) or re.search(r"\[|\b[A-Z]{2,}\b|\bA B\b", command):
        return "help"
    if any(command.startswith(prefix) for prefix in RUN_AS_WRITTEN):
        return "run"
    return "unknown"


@pytest.fixture(scope="module")
def layout(shared_data, built_mitdb, tmp_path_factory):
    """``checkout/`` (the working folder) with ``../shared/data`` → the real data, and a home maker.

    ``home(name, raw_data)`` makes a home whose ``ecgbench_data/tfds`` holds the built ``beats`` and
    ``rhythm``; ``raw_data`` adds ``ecgbench_data/mitdb`` (the card's commands read it; the README's
    user has none, so its commands must name ``../shared/data`` themselves).
    """
    root = tmp_path_factory.mktemp("docs")
    (root / "shared").mkdir()
    (root / "shared" / "data").symlink_to(shared_data)
    checkout = root / "checkout"
    checkout.mkdir()
    (checkout / "leaderboards").symlink_to(repo_root() / "leaderboards")  # read by check/show, never written by them

    def home(name: str, raw_data: bool) -> Path:
        tfds = root / name / "ecgbench_data" / "tfds" / "mitdb"
        tfds.mkdir(parents=True)
        for config in ("beats", "rhythm"):
            (tfds / config).symlink_to(built_mitdb / "mitdb" / config)
        if raw_data:  # <data-dir>/mitdb present: never a download
            (root / name / "ecgbench_data" / "mitdb").symlink_to(shared_data / "mitdb")
        return root / name

    return checkout, home


def _shell(command: str, checkout: Path, home: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("ECGBENCH_DATA_DIR", "ECGBENCH_TFDS_DIR")}
    # The user's results tree is the checkout's committed one here: the test cannot train the runs
    # the README's `leaderboard check` and `show` would otherwise read.
    env.update(HOME=str(home), COLUMNS="200", PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
               ECGBENCH_RESULTS_DIR=str(checkout / "leaderboards" / "results"))
    return subprocess.run(["bash", "-c", command], cwd=checkout, env=env, capture_output=True, text=True, timeout=900, check=False)


def test_the_parser_finds_the_documented_commands():
    readme = documented_commands(README.read_text())
    assert "ecgbench build-dataset --config all --manual-dir ../shared/data/mitdb" in readme
    assert any(c.startswith("ecgbench plot record 203") for c in readme)
    assert [c for c in readme + documented_commands(CARD.read_text()) if _mode(c) == "unknown"] == []


@pytest.mark.slow
@pytest.mark.parametrize("page", [README, CARD], ids=["README", "card"])
def test_documented_commands_work_as_written(page, layout):
    checkout, make_home = layout
    home = make_home(f"home-{page.parent.name}", raw_data=page == CARD)
    failures = []
    for command in documented_commands(page.read_text()):
        if _mode(command) == "help":
            words = [w for w in command.split() if re.fullmatch(r"[a-z][a-z0-9-]*", w)]
            command = " ".join(words[:3] if words[:2] == ["ecgbench", "run"] or words[1:2] == ["plot"] else words[:2]) + " --help"
        done = _shell(command, checkout, home)
        if done.returncode != 0:
            failures.append(f"{command} → exit {done.returncode}: {done.stderr[-600:]}")
    assert not failures, "\n".join(failures)


@pytest.mark.slow
def test_the_cards_python_snippet_runs_as_written(layout):
    checkout, make_home = layout
    home = make_home("home-snippet", raw_data=False)
    snippet = re.search(r"```python\n(.*?)```", CARD.read_text(), flags=re.S).group(1)
    code = textwrap.dedent(snippet) + "\nprint(next(iter(ds))['signal'].shape)\n"
    env = {**os.environ, "HOME": str(home)}
    done = subprocess.run([sys.executable, "-c", code], cwd=checkout, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "(288, 2)" in done.stdout
