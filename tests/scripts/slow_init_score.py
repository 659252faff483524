import time


def init():
    # Still starting when the SDK's first operation poll comes (its wait is set to 0 in the test).
    time.sleep(2)


def run(raw_data):
    return []
