"""Client-side checks the SDK's Webservice.run gets while emulated: a service
whose process has died is reported as Unhealthy with a clear error."""
from urllib.parse import urlsplit

from azureml.exceptions import WebserviceException

from azureml_emulator.runtime.transport import is_loopback


def make_run(original_run):
    def run(self, input_data):
        scoring_uri = getattr(self, "scoring_uri", None)
        if scoring_uri and is_loopback(urlsplit(scoring_uri).hostname or ""):
            current = type(self)(self.workspace, self.name)   # a fresh read; self keeps its other attributes
            self.state, self.error = current.state, current.error
            if self.state in ("Unhealthy", "Failed"):
                logs_hint = (self.error or {}).get("message", "")
                raise WebserviceException(
                    "Service '{}' is {}: its inference server is not running, so the request was not sent.\n"
                    "{}\nCall service.get_logs() to read the service log.".format(self.name, self.state, logs_hint))
        return original_run(self, input_data)
    return run
