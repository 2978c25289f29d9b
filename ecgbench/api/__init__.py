"""The public API's implementation (exported lazily by :mod:`ecgbench`): ``load``, ``Evaluator``, ``load_model``.

It sits on top, like the CLI: it wires :mod:`ecgbench.data` (splits), :mod:`ecgbench.runner`
(the scorers and task facts) and :mod:`ecgbench.leaderboard` (run records) together and adds no
scoring of its own.
"""
