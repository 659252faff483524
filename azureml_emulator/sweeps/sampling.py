"""Sampling HyperDrive's search space (`azureml/train/hyperdrive/parameter_expressions.py`):
random sampling of every expression, grid sampling of choices. Bayesian sampling, which needs
Azure's model of earlier results, is not emulated."""
from __future__ import annotations

import itertools
import math
import random
from typing import Any, Iterator

from azureml_emulator.errors import BadRequest, NotEmulated


def _quantize(value: float, q: float) -> float:
    return round(value / q) * q


def sample(expression: Any, rng: random.Random) -> Any:
    """One value of a parameter expression such as ``["uniform", [0.01, 0.2]]``."""
    if not (isinstance(expression, list) and len(expression) == 2 and isinstance(expression[1], list)):
        raise BadRequest("A parameter expression must be [name, [arguments]]; got {!r}".format(expression))
    kind, args = expression[0], expression[1]
    try:
        if kind == "choice":
            return rng.choice(args[0])
        if kind == "randint":
            return rng.randrange(int(args[0]))
        samplers = {
            "uniform": lambda: rng.uniform(args[0], args[1]),
            "quniform": lambda: _quantize(rng.uniform(args[0], args[1]), args[2]),
            "loguniform": lambda: math.exp(rng.uniform(args[0], args[1])),
            "qloguniform": lambda: _quantize(math.exp(rng.uniform(args[0], args[1])), args[2]),
            "normal": lambda: rng.gauss(args[0], args[1]),
            "qnormal": lambda: _quantize(rng.gauss(args[0], args[1]), args[2]),
            "lognormal": lambda: math.exp(rng.gauss(args[0], args[1])),
            "qlognormal": lambda: _quantize(math.exp(rng.gauss(args[0], args[1])), args[2]),
        }
        if kind in samplers:
            return samplers[kind]()
    except (IndexError, TypeError, ValueError) as error:
        raise BadRequest("Parameter expression {!r} has invalid arguments ({})".format(expression, error)) from None
    raise BadRequest("Unknown parameter expression {!r}: expected one of choice, randint, uniform, quniform, "
                     "loguniform, qloguniform, normal, qnormal, lognormal, qlognormal".format(kind))


def parameter_sets(generator_config: dict, count: int, seed: int | None = None) -> Iterator[dict]:
    """Up to ``count`` parameter sets, in the order the sweep submits them."""
    name = str(generator_config.get("name") or "").upper()
    space = generator_config.get("parameter_space") or {}
    if not isinstance(space, dict) or not space:
        raise BadRequest("The sampling has no parameter_space: expected {name: expression}")
    if name == "RANDOM":
        rng = random.Random(seed)
        for _ in range(count):
            yield {parameter: sample(expression, rng) for parameter, expression in space.items()}
    elif name == "GRID":
        for parameter, expression in space.items():
            if not (isinstance(expression, list) and expression and expression[0] == "choice"):
                raise BadRequest("Grid sampling takes only choice expressions; {} is {!r}".format(parameter,
                                                                                              expression))
        names = list(space)
        for values in itertools.islice(itertools.product(*(space[n][1][0] for n in names)), count):
            yield dict(zip(names, values))
    elif name == "BAYESIANOPTIMIZATION":
        raise NotEmulated("Bayesian sampling in HyperDrive (random and grid sampling are emulated)")
    else:
        raise BadRequest("Unknown sampling {!r}: expected RANDOM, GRID or BayesianOptimization".format(name))
