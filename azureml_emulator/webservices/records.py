"""A web service as stored: its payload in the Model Management Service's shape, and
the process serving it."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.processes import ProcessRecord

TRANSITIONING, HEALTHY, UNHEALTHY, FAILED = "Transitioning", "Healthy", "Unhealthy", "Failed"
TERMINAL_STATES = (HEALTHY, FAILED, UNHEALTHY)


@dataclass(frozen=True)
class ServiceRecord:
    workspace: WorkspaceKey
    payload: dict[str, Any]
    process: ProcessRecord | None

    @property
    def name(self) -> str:
        return self.payload["name"]

    @property
    def state(self) -> str:
        return self.payload.get("state", "")

    @property
    def compute_type(self) -> str:
        return self.payload.get("computeType", "")

    @property
    def keys(self) -> list[str]:
        return list(self.payload.get("keys") or [])

    @property
    def model_names(self) -> list[str]:
        return [model["name"] for model in self.payload.get("models", [])]

    def with_payload(self, **changes: Any) -> ServiceRecord:
        return replace(self, payload={**self.payload, **changes})

    def public_view(self) -> dict[str, Any]:
        """The payload as the service returns it: never the keys (those come from listkeys),
        nor what only the emulator keeps (``emulator...`` fields)."""
        view = {k: v for k, v in self.payload.items() if k != "keys" and not k.startswith("emulator")}
        view["models"] = [dict(model, tags=model.get("tags", model.get("kvTags")))
                          for model in view.get("models", [])]
        return view
