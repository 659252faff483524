"""Test entry script that imports a package its environment may lack."""
import msgspec  # noqa: F401


def init():
    pass


def run(raw_data):
    return "ok"
