"""HyperDrive's early-termination policies (`azureml/train/hyperdrive/policy.py`), applied to
the primary metric each child run has logged so far.

An interval is one logged value of the primary metric. A policy looks at a running child
when it reaches an interval that is past ``delay_evaluation`` and a multiple of
``evaluation_interval``, and compares it with the other children up to that interval
(Bandit: the best value any child has logged so far; median stopping and truncation: the
children that have reached the interval).
"""
from __future__ import annotations

import math
import statistics

Series = dict[str, list[float]]   # run id -> the primary metric's values, in logged order


def due(interval: int, properties: dict) -> bool:
    every = max(int(properties.get("evaluation_interval") or 1), 1)
    delay = int(properties.get("delay_evaluation") or 0)
    return interval > delay and interval % every == 0


def _better(a: float, b: float, maximize: bool) -> bool:
    return a > b if maximize else a < b


def should_stop(policy: dict, maximize: bool, run_id: str, series: Series, running: set[str]) -> str | None:
    """Why the running child ``run_id`` stops at its latest interval, or None to let it go on."""
    name = str(policy.get("name") or "Default")
    properties = policy.get("properties") or {}
    values = series.get(run_id) or []
    interval = len(values)
    if name == "Default" or not interval or not due(interval, properties):
        return None
    at_interval = {other: v[interval - 1] for other, v in series.items() if len(v) >= interval}
    current = values[-1]
    if name == "Bandit":   # against the best any run has logged up to this interval
        so_far = [value for other_values in series.values() for value in other_values[:interval]]
        best = max(so_far) if maximize else min(so_far)
        if properties.get("slack_amount") is not None:
            limit = best - properties["slack_amount"] if maximize else best + properties["slack_amount"]
        else:
            factor = float(properties.get("slack_factor") or 0)
            limit = best / (1 + factor) if maximize else best * (1 + factor)
        if _better(limit, current, maximize):
            return "Bandit: {} at interval {} is outside the slack of the best, {}".format(current, interval, best)
    elif name == "MedianStopping":
        averages = [statistics.fmean(v[:interval]) for other, v in series.items() if len(v) >= interval]
        median = statistics.median(averages)
        best_so_far = max(values) if maximize else min(values)
        if _better(median, best_so_far, maximize):
            return "MedianStopping: best {} is worse than the median {} at interval {}".format(best_so_far, median,
                                                                                            interval)
    elif name == "TruncationSelection":
        candidates = at_interval if not properties.get("exclude_finished_jobs") else {
            other: value for other, value in at_interval.items() if other in running}
        ranked = sorted(candidates, key=lambda other: candidates[other], reverse=not maximize)   # worst first
        cut = math.floor(len(ranked) * float(properties.get("truncation_percentage") or 0) / 100)
        if run_id in ranked[:cut]:
            return "TruncationSelection: in the lowest {}% at interval {}".format(
                properties.get("truncation_percentage"), interval)
    return None
