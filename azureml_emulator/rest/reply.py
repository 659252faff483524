"""Small value types shared by the emulated REST endpoints."""
import json
from dataclasses import dataclass, field

# A reserved top-level domain: no request to it can ever leave this machine,
# even if interception were somehow bypassed.
EMULATOR_HOST = "azureml-emulator.invalid"
EMULATOR_BASE_URL = "https://" + EMULATOR_HOST


@dataclass
class Reply:
    status: int
    body: object = None          # dict/list -> JSON, bytes -> as is
    headers: dict = field(default_factory=dict)

    def content(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode("utf-8")


def json_error(status: int, code: str, message: str) -> Reply:
    """An error body in the shape Azure ML's REST services use."""
    return Reply(status, {"code": code, "statusCode": status, "message": message,
                          "error": {"code": code, "message": message}})
