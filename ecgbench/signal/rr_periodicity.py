"""RR-periodicity features: tell regular ectopic patterns (bigeminy, trigeminy) from AF.

Ventricular bigeminy (a premature beat after every normal one) makes the RR series alternate
short-long; trigeminy (after every second normal beat) repeats normal-short-long. Both look
"irregular" to every spread or entropy measure (:mod:`ecgbench.signal.rr_irregularity`,
:mod:`ecgbench.signal.af_irregularity`), yet they are *periodic*, whereas AF is irregularly
irregular: its successive intervals are nearly uncorrelated. Petrėnas et al. (2015) needed a
dedicated bigeminy-suppression stage in their AF detector for this reason; here the periodicity is
measured directly and left to the classifier.

The measure is the lag-``k`` autocorrelation of the RR series, taken as the Pearson correlation of
the pairs ``(RR[i], RR[i + k])`` (the textbook sample correlation of a series with its lagged
copy, e.g. Box, Jenkins & Reinsel, ch. 2; each lagged copy is centred on its own mean, so a
pattern repeated exactly gives exactly ±1 even in a 10-beat window):

- bigeminy: lag 1 ≈ −1, lag 2 ≈ +1;
- trigeminy: lag 3 ≈ +1 (lags 1 and 2 ≈ −0.5);
- AF (independent intervals): every lag ≈ 0;
- sinus rhythm: ≈ 0 for beat-to-beat noise, positive at every lag for slow rate changes. Sinus
  windows are told from the ectopic patterns by their low irregularity, not by this measure.

Pairs with a non-finite member are left out (the phase of the series is kept, unlike dropping
values). A lag with fewer than :data:`MIN_PAIRS` pairs, or whose lagged copies do not vary, is NaN
(never 0), so a classifier can tell "not periodic" from "unknown".

References
----------
Petrėnas A, Marozas V, Sörnmo L. Low-complexity detection of atrial fibrillation in continuous
long-term monitoring. Comput Biol Med 65:184-191 (2015) (bigeminy suppression).
Box GEP, Jenkins GM, Reinsel GC. Time Series Analysis: Forecasting and Control, 4th ed. Wiley
(2008), ch. 2 (autocorrelation function).
"""

from __future__ import annotations

import numpy as np

from ecgbench.errors import ConfigError

#: Lags (intervals) of the autocorrelation features: 1-2 for bigeminy, 3 for trigeminy.
PERIODICITY_LAGS: tuple[int, ...] = (1, 2, 3)
#: Fewest ``(RR[i], RR[i + k])`` pairs for a lag-``k`` correlation.
MIN_PAIRS = 4

#: Names of :func:`rr_periodicity_features`, in order.
PERIODICITY_FEATURE_NAMES: tuple[str, ...] = (
    "rr_acf_lag1",       # Pearson autocorrelation of RR at lag 1 (bigeminy ≈ -1)
    "rr_acf_lag2",       # ... at lag 2 (bigeminy ≈ +1)
    "rr_acf_lag3",       # ... at lag 3 (trigeminy ≈ +1)
    "rr_periodicity",    # max of lags 2 and 3 (≈ +1 for a period-2 or period-3 pattern, ≈ 0 for AF)
)  # fmt: skip


def lagged_correlation(rr, lag: int) -> float:
    """Pearson correlation of ``(RR[i], RR[i + lag])`` over the pairs where both are finite.

    Parameters
    ----------
    rr : array-like
        RR intervals (seconds), in beat order; NaN marks an unknown interval.
    lag : int
        Lag (intervals), >= 1.

    Returns
    -------
    float
        Correlation in -1..1; NaN with fewer than :data:`MIN_PAIRS` pairs or when either lagged
        copy is constant.
    """
    x = np.asarray(rr, dtype=np.float64)
    if x.ndim != 1:
        raise ConfigError(f"rr must be a 1-D array of intervals in seconds, got shape {x.shape}")
    if int(lag) < 1:
        raise ConfigError(f"lag must be >= 1 interval (got {lag})")
    lead, follow = x[: -int(lag)], x[int(lag) :]
    both = np.isfinite(lead) & np.isfinite(follow)
    if int(both.sum()) < MIN_PAIRS:
        return float("nan")
    a = lead[both] - lead[both].mean()
    b = follow[both] - follow[both].mean()
    denominator = float(np.sqrt((a * a).sum() * (b * b).sum()))
    if denominator <= 0.0:
        return float("nan")
    return float(np.clip((a * b).sum() / denominator, -1.0, 1.0))


def rr_periodicity_features(rr) -> np.ndarray:
    """Return :data:`PERIODICITY_FEATURE_NAMES` of one window's RR intervals.

    Parameters
    ----------
    rr : array-like
        RR intervals (seconds) of consecutive beats, in order; NaN allowed (pairs with it are
        skipped).

    Returns
    -------
    numpy.ndarray
        ``[4]`` float64: lag-1, lag-2 and lag-3 autocorrelations and the larger of lags 2 and 3
        (NaN where undefined; the maximum ignores one undefined lag).

    Examples
    --------
    >>> bigeminy = [0.5, 1.1] * 6
    >>> rr_periodicity_features(bigeminy).round(2).tolist()
    [-1.0, 1.0, -1.0, 1.0]
    """
    acf = [lagged_correlation(rr, lag) for lag in PERIODICITY_LAGS]
    pattern = [value for value in acf[1:] if np.isfinite(value)]
    best = max(pattern) if pattern else float("nan")
    return np.array([*acf, best], dtype=np.float64)
