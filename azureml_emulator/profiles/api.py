"""Model Management's profile endpoints, which `Model.profile` and the SDK's ModelProfile call:
create a profile (its operation is polled at ``operations/{id}``, in `webservices.api`) and get
the newest profile of a name."""
from __future__ import annotations

from azureml_emulator.addresses import EMULATOR_BASE_URL
from azureml_emulator.errors import NotEmulated, NotFound
from azureml_emulator.profiles import backend
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.request import Request
from azureml_emulator.rest.router import Route

MMS = "/modelmanagement/v1.0{workspace}"


def create_profile(request: Request) -> Reply:
    operation_id = backend.create(request.store, request.workspace, request.json_object(),
                                  request.emulator.environments)
    location = EMULATOR_BASE_URL + request.path.rsplit("/profiles", 1)[0] + "/operations/" + operation_id
    return Reply(202, {}, {"Operation-Location": location})


def list_profiles(request: Request) -> Reply:
    """The profiles of ``name``, newest first (the SDK asks for one: ``count=1``); none is a 404,
    which the SDK reports as "Model profiling result with name ... not found"."""
    name = request.query.get("name")
    if not name:
        raise NotEmulated("listing every profile (ask for one by name)")
    found = backend.by_name(request.store, request.workspace, name)
    if not found:
        raise NotFound("No profile named {} in this workspace".format(name))
    return Reply(200, {"value": found[:request.int_query("count", len(found))]})


ROUTES = (
    Route("POST", MMS + "/profiles", create_profile),
    Route("GET", MMS + "/profiles", list_profiles),
)
