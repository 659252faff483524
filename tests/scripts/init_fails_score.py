def init():
    raise RuntimeError("init failed on purpose: the model store is unreachable")


def run(raw_data):
    return []
