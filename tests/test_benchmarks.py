"""benchmarks/_run.py (``make bench``) on two tiny scripts, and every benchmark's quick scope being declared."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _script(folder: Path, name: str, body: str) -> None:
    (folder / f"{name}.py").write_text(textwrap.dedent(body))


def test_runner_reports_a_failing_script_runs_the_rest_and_exits_non_zero(benchmark_module, tmp_path, capsys):
    runner = benchmark_module("_run")
    seen = tmp_path / "seen.txt"
    _script(tmp_path, "a_fails", "import sys\nprint('a ran')\nsys.exit(3)\n")
    _script(tmp_path, "b_passes", f"import sys\nopen({str(seen)!r}, 'w').write(' '.join(sys.argv[1:]))\nprint('b ran')\n")
    _script(tmp_path, "_helper", "raise SystemExit('a helper is never run')\n")
    out = tmp_path / "outcomes.json"
    assert runner.main(["--dir", str(tmp_path), "--json", str(out)]) == 1
    assert seen.read_text() == "--quick"  # the second script ran after the first failed, in the quick scope
    printed = capsys.readouterr().out
    assert re.search(r"a_fails\s*│\s*quick\s*│\s*3\b", printed) and re.search(r"b_passes\s*│\s*quick\s*│\s*0\b", printed)
    assert "1 failed" in printed
    outcomes = json.loads(out.read_text())["outcomes"]
    assert [(o["script"], o["exit_code"], o["scope"]) for o in outcomes] == [("a_fails", 3, "quick"), ("b_passes", 0, "quick")]
    assert all(o["wall_s"] > 0 and o["cpu_s"] >= 0 for o in outcomes)


def test_runner_full_scope_passes_no_flag_and_exits_zero_when_all_pass(benchmark_module, tmp_path):
    runner = benchmark_module("_run")
    seen = tmp_path / "seen.txt"
    _script(tmp_path, "only", f"import sys\nopen({str(seen)!r}, 'w').write(repr(sys.argv[1:]))\n")
    assert runner.main(["--dir", str(tmp_path), "--full", "only"]) == 0
    assert seen.read_text() == "[]"
    with pytest.raises(SystemExit, match="unknown benchmark"):
        runner.main(["--dir", str(tmp_path), "missing"])


@pytest.mark.parametrize("script", sorted(p.name for p in BENCHMARKS.glob("[!_]*.py")))
def test_every_benchmark_takes_quick_and_states_its_quick_scope(script):
    source = (BENCHMARKS / script).read_text()
    docstring = source.split('"""')[1]
    assert "--quick" in source.split('"""', 2)[2], f"{script} has no --quick option"
    assert re.search(r"^Quick scope \(``--quick``\):", docstring, flags=re.M), f"{script}'s docstring does not state its quick scope"
