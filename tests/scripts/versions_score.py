"""Test entry script: reports the interpreter, the packages it imports and the import path."""
import json
import sys

import joblib
import numpy
import sklearn


def init():
    pass


def run(raw_data):
    try:
        import msgspec  # noqa: F401
        has_msgspec = True
    except ImportError:
        has_msgspec = False
    return {"executable": sys.executable, "sklearn": sklearn.__version__, "numpy": numpy.__version__,
            "joblib": joblib.__version__, "path": sys.path, "has_msgspec": has_msgspec, "body": json.loads(raw_data)}
