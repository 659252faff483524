"""LocalWebservice placeholder: filled in below once the ACI path works."""


def patches():
    return []
