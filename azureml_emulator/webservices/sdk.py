"""The seam in the SDK's `AciWebservice.run` while emulated: a service whose server is
not running is reported as such (its state and why), instead of a connection error."""
from __future__ import annotations

from typing import Any, Callable
from urllib.parse import urlsplit

from azureml.exceptions import WebserviceException

from azureml_emulator.runtime.transport import is_loopback
from azureml_emulator.webservices.records import FAILED, UNHEALTHY


def make_run(original_run: Callable[..., Any]) -> Callable[..., Any]:
    def run(self: Any, input_data: Any) -> Any:
        scoring_uri = getattr(self, "scoring_uri", None)
        if scoring_uri and is_loopback(urlsplit(scoring_uri).hostname or ""):
            fresh = type(self)(self.workspace, self.name)   # a fresh read; self keeps its other attributes
            self.state, self.error = fresh.state, fresh.error
            if self.state in (UNHEALTHY, FAILED):
                logs_hint = (self.error or {}).get("message", "")
                raise WebserviceException(
                    "Service '{}' is {}: its inference server is not running, so the request was not sent.\n"
                    "{}\nCall service.get_logs() to read the service log.".format(self.name, self.state, logs_hint))
        return original_run(self, input_data)
    return run
