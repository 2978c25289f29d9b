"""Why a re-run differs from its record: environment differences and the bootstrap-interval verdict.

``ecgbench verify`` re-runs a record and compares it digit by digit. When the digits differ, two
questions follow, answered here from the two run records alone:

1. *What changed?* :func:`environment_differences` lists, in plain words, each difference that can
   change digits: the CPU's instruction-set flags, TensorFlow's numerics settings (oneDNN ISA cap,
   op determinism, threads), package versions, the dataset checksum, the code version.
2. *Does it matter?* :func:`interval_verdict` says whether every re-run figure lies inside the
   recorded bootstrap interval (the run's own uncertainty from resampling test subjects).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Shown for a provenance field a record does not have (written before it existed).
NOT_RECORDED = "not recorded"


def _get(record: Mapping[str, Any], *keys: str) -> Any:
    value: Any = record
    for key in keys:
        if not isinstance(value, Mapping) or key not in value:
            return NOT_RECORDED
        value = value[key]
    return value


def _describe(value: Any) -> str:
    if value is None:
        return "unset"
    if isinstance(value, list):
        return " ".join(map(str, value)) or "none"
    return str(value)


def _flags_difference(recorded: Any, rerun: Any) -> str | None:
    if recorded == rerun:
        return None
    if isinstance(recorded, list) and isinstance(rerun, list):
        only_then = sorted(set(recorded) - set(rerun))
        only_now = sorted(set(rerun) - set(recorded))
        parts = [f"only the recorded CPU has {' '.join(only_then)}" if only_then else "",
                 f"only this CPU has {' '.join(only_now)}" if only_now else ""]  # fmt: skip
        return "CPU instruction sets differ: " + "; ".join(p for p in parts if p)
    if recorded == NOT_RECORDED:
        return f"CPU instruction sets were not recorded (the record predates them); this CPU has {_describe(rerun)}"
    return f"CPU instruction sets: recorded {_describe(recorded)}, now {_describe(rerun)}"


def environment_differences(recorded: Mapping[str, Any], rerun: Mapping[str, Any]) -> list[str]:
    """Return one plain sentence per difference between two run records' environments.

    Parameters
    ----------
    recorded, rerun : mapping
        Run records (schema 1): the one being verified and its re-run.

    Compared: ``hardware.processor``, ``hardware.isa_flags``, ``hardware.logical_cores``, each
    ``numerics`` setting, each tracked package version, ``dataset.checksum``, ``git_sha``. Fields
    a record lacks are reported as :data:`NOT_RECORDED` where the other record has them.
    """
    out: list[str] = []
    then_prov, now_prov = _get(recorded, "provenance"), _get(rerun, "provenance")
    then_prov = then_prov if isinstance(then_prov, Mapping) else {}
    now_prov = now_prov if isinstance(now_prov, Mapping) else {}
    for key, label in (("processor", "CPU model"), ("logical_cores", "logical cores")):
        then, now = _get(then_prov, "hardware", key), _get(now_prov, "hardware", key)
        if then != now:
            out.append(f"{label}: recorded {_describe(then)}, now {_describe(now)}")
    flags = _flags_difference(_get(then_prov, "hardware", "isa_flags"), _get(now_prov, "hardware", "isa_flags"))
    if flags:
        out.append(flags)
    then_env, now_env = _get(then_prov, "numerics", "env"), _get(now_prov, "numerics", "env")
    if then_env == NOT_RECORDED and now_env != NOT_RECORDED:
        out.append("TensorFlow numerics settings (oneDNN ISA cap, threads) were not recorded; the record predates them and "
                   "ran with TensorFlow's defaults unless its environment set them")  # fmt: skip
    elif isinstance(then_env, Mapping) and isinstance(now_env, Mapping):
        for name in sorted(set(then_env) | set(now_env)):
            if then_env.get(name) != now_env.get(name):
                out.append(f"{name}: recorded {_describe(then_env.get(name))}, now {_describe(now_env.get(name))}")
    for key in ("op_determinism", "intra_op_threads", "inter_op_threads"):
        then, now = _get(then_prov, "numerics", key), _get(now_prov, "numerics", key)
        if then != now and then != NOT_RECORDED:
            out.append(f"TensorFlow {key.replace('_', ' ')}: recorded {_describe(then)}, now {_describe(now)}")
    then_pkgs, now_pkgs = _get(then_prov, "packages"), _get(now_prov, "packages")
    if isinstance(then_pkgs, Mapping) and isinstance(now_pkgs, Mapping):
        for name in sorted(set(then_pkgs) | set(now_pkgs)):
            if then_pkgs.get(name) != now_pkgs.get(name):
                out.append(f"package {name}: recorded {_describe(then_pkgs.get(name))}, now {_describe(now_pkgs.get(name))}")
    then_data, now_data = _get(recorded, "dataset", "checksum"), _get(rerun, "dataset", "checksum")
    if then_data != now_data:
        out.append(f"dataset checksum: recorded {_describe(then_data)}, now {_describe(now_data)} (the built data differ)")
    then_sha, now_sha = _get(then_prov, "git_sha"), _get(now_prov, "git_sha")
    if then_sha != now_sha:
        out.append(f"code version (git): recorded {_describe(then_sha)}, now {_describe(now_sha)}")
    return out


@dataclass(frozen=True)
class IntervalVerdict:
    """Re-run figures against the recorded bootstrap intervals.

    Attributes
    ----------
    within : tuple of str
        Metrics whose re-run value lies in the recorded ``[ci_low, ci_high]``.
    outside : tuple of (str, float, float, float)
        ``(metric, re-run value, ci_low, ci_high)`` for each value outside its interval.
    unchecked : tuple of str
        Metrics without a recorded interval or a re-run value (undefined figures).
    """

    within: tuple[str, ...]
    outside: tuple[tuple[str, float, float, float], ...]
    unchecked: tuple[str, ...]

    @property
    def all_within(self) -> bool:
        """True when no checked figure falls outside its interval."""
        return not self.outside

    def summary(self) -> str:
        """One line: ``within the interval`` or ``outside the interval`` with the count and names."""
        checked = len(self.within) + len(self.outside)
        if self.all_within:
            return f"within the interval: all {checked} re-run figures lie in their recorded bootstrap intervals"
        names = ", ".join(name for name, *_ in self.outside)
        return f"outside the interval: {len(self.outside)} of {checked} re-run figures fall outside their recorded bootstrap intervals ({names})"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "all_within": self.all_within, "within": list(self.within), "unchecked": list(self.unchecked),
            "outside": [{"metric": m, "value": v, "ci_low": lo, "ci_high": hi} for m, v, lo, hi in self.outside],
        }  # fmt: skip


def interval_verdict(recorded_metrics: Mapping[str, Mapping[str, Any]], rerun_metrics: Mapping[str, Mapping[str, Any]]) -> IntervalVerdict:
    """Check each re-run metric value against the recorded ``ci_low``/``ci_high`` (bounds included).

    Parameters
    ----------
    recorded_metrics, rerun_metrics : mapping
        The ``metrics`` blocks of the record and of its re-run (metric → ``value``/``ci_low``/``ci_high``).
    """
    within, outside, unchecked = [], [], []
    for metric, recorded in recorded_metrics.items():
        value = (rerun_metrics.get(metric) or {}).get("value")
        low, high = recorded.get("ci_low"), recorded.get("ci_high")
        if value is None or low is None or high is None:
            unchecked.append(metric)
        elif low <= value <= high:
            within.append(metric)
        else:
            outside.append((metric, float(value), float(low), float(high)))
    return IntervalVerdict(tuple(within), tuple(outside), tuple(unchecked))
