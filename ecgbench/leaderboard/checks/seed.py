"""Check: the run's seed is recorded and used consistently (recipe, bootstrap)."""

from __future__ import annotations

from ecgbench.leaderboard.checks.base import Check, CheckContext, CheckResult


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class SeedCheck(Check):
    """``seed`` is an integer; ``recipe.seed`` (when present) equals it; the bootstrap seed is recorded."""

    name = "seed"

    def run(self, context: CheckContext) -> CheckResult:
        record = context.record
        seed = record.get("seed")
        if not _is_int(seed):
            return self.failed(f"field seed must be an integer, got {seed!r}")
        recipe = record.get("recipe") or {}
        if "seed" in recipe and recipe["seed"] != seed:
            return self.failed(f"field recipe.seed is {recipe['seed']!r} but the run's seed is {seed}")
        boot = record.get("bootstrap") or {}
        if boot.get("n_resamples") and not _is_int(boot.get("seed")):
            return self.failed(f"field bootstrap.seed must be an integer when n_resamples > 0, got {boot.get('seed')!r}")
        return self.passed(f"seed {seed}" + (f", bootstrap seed {boot['seed']}" if boot.get("n_resamples") else ""))
