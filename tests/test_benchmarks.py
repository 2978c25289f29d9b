"""benchmarks/_run.py (``make bench``) on two tiny scripts, and every benchmark's quick scope being declared."""

from __future__ import annotations

import ast
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


def test_stream_faults_counts_false_vt_alarms_not_marked_unreliable_per_fault_hour(benchmark_module):
    stream_faults = benchmark_module("stream_faults")
    noisy = stream_faults.Tally(fault_seconds=5.5 * 3600, record_seconds=11 * 3600, false_vt_in_faults=16,
                                false_vt_in_faults_unreliable=13)  # fmt: skip
    row = stream_faults.rows({"ma0": noisy, "clean": stream_faults.Tally(record_seconds=3600)})
    assert row[0]["false_vt_per_fault_hour"] == 2.91 and row[0]["false_vt_reliable_per_fault_hour"] == 0.55
    assert row[1]["false_vt_reliable_per_fault_hour"] is None  # no fault time: no rate


#: Benchmark scripts that run TensorFlow in their own process; numerics_portability sets the
#: numerics of each of its child processes itself and must not cap its own environment.
TENSORFLOW_SCRIPTS = sorted(
    p.name for p in BENCHMARKS.glob("[!_]*.py")
    if re.search(r"classifier_factory|load_classifier|import tensorflow|tfds|crossdb|make_beat_pipeline", p.read_text())
    and p.name != "numerics_portability.py"
)  # fmt: skip


@pytest.mark.parametrize("script", TENSORFLOW_SCRIPTS)
def test_every_tensorflow_benchmark_sets_the_command_line_numerics_first(script):
    # A model streamed or trained by a benchmark must give the digits `ecgbench` gives (AVX2 cap).
    tree = ast.parse((BENCHMARKS / script).read_text())
    main = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "main")
    body = main.body[1:] if ast.get_docstring(main) is not None else main.body
    first = body[0]
    assert isinstance(first, ast.Expr) and isinstance(first.value, ast.Call), f"{script}'s main starts with {ast.unparse(first)!r}"
    assert ast.unparse(first.value.func) == "prepare_tensorflow_process", f"{script}'s main starts with {ast.unparse(first)!r}"
