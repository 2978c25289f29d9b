"""Annotation symbols: which are beats, and the ANSI/AAMI EC57 class of each beat.

The AAMI classes follow ANSI/AAMI EC57:2012 table and de Chazal et al. (2004):

====  ==============================================  ===========================
AAMI  meaning                                         MIT-BIH symbols
====  ==============================================  ===========================
N     normal, bundle branch block, escape beats       N L R e j (also B)
S     supraventricular ectopic beat (SVEB)            A a J S (also n)
V     ventricular ectopic beat (VEB)                  V E (also r)
F     fusion of ventricular and normal                F
Q     paced, fusion of paced and normal, unclassified / f Q (also ?)
====  ==============================================  ===========================

``B``, ``n``, ``r`` and ``?`` do not occur in MIT-BIH but do in other WFDB databases; they are
mapped as EC57 prescribes. Every other symbol (``+ ~ | " [ ] ! x`` …) is a non-beat annotation and
must never be counted as a beat.

References
----------
ANSI/AAMI EC57:2012, Testing and reporting performance results of cardiac rhythm and ST segment
measurement algorithms.
de Chazal P, O'Dwyer M, Reilly RB. Automatic classification of heartbeats using ECG morphology and
heartbeat interval features. IEEE Trans Biomed Eng 51(7):1196-1206 (2004).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

#: AAMI classes in their conventional order; the integer label of a class is its index here.
AAMI_CLASSES: tuple[str, ...] = ("N", "S", "V", "F", "Q")

#: Beat symbol → AAMI class.
SYMBOL_TO_AAMI: dict[str, str] = {
    **dict.fromkeys("NLRejB", "N"),
    **dict.fromkeys("AaJSn", "S"),
    **dict.fromkeys("VEr", "V"),
    "F": "F",
    **dict.fromkeys("/fQ?", "Q"),
}

#: Every symbol that marks a QRS complex (a beat).
BEAT_SYMBOLS: frozenset[str] = frozenset(SYMBOL_TO_AAMI)

#: Rhythm-change annotation symbol; its ``aux_note`` holds the rhythm, e.g. ``"(AFIB"``.
RHYTHM_SYMBOL = "+"

#: Signal-quality annotation symbol; ``aux_note`` ``"U"`` marks unreadable signal (EC57).
NOISE_SYMBOL = "~"


def is_beat(symbols: Iterable[str]) -> np.ndarray:
    """Return a boolean mask, True where the annotation symbol marks a beat."""
    return np.fromiter((s in BEAT_SYMBOLS for s in symbols), dtype=bool)


def aami_class(symbol: str) -> str:
    """Return the AAMI class (``"N"``, ``"S"``, ``"V"``, ``"F"`` or ``"Q"``) of a beat symbol.

    Raises
    ------
    ValueError
        If ``symbol`` is not a beat symbol (for example ``"+"`` or ``"~"``).
    """
    try:
        return SYMBOL_TO_AAMI[symbol]
    except KeyError:
        raise ValueError(
            f"annotation symbol {symbol!r} is not a beat; beat symbols are {''.join(sorted(BEAT_SYMBOLS))}"
        ) from None


def aami_labels(symbols: Iterable[str]) -> np.ndarray:
    """Return integer AAMI labels (index into :data:`AAMI_CLASSES`) for a sequence of beat symbols."""
    index = {c: i for i, c in enumerate(AAMI_CLASSES)}
    return np.array([index[aami_class(s)] for s in symbols], dtype=np.int64)
