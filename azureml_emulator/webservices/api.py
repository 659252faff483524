"""Model Management endpoints for web services and their deployment operations.

The SDK's Webservice classes call these over HTTP (their global requests session), so
`Model.deploy`, `wait_for_deployment`, `get_logs`, `get_keys`, `delete`,
`Webservice(ws, name)` and `Webservice.list(ws)` run their real code.
"""
from __future__ import annotations

import re

from azureml_emulator.addresses import EMULATOR_BASE_URL
from azureml_emulator.errors import BadRequest
from azureml_emulator.fields import json_type
from azureml_emulator.profiles import backend as profiles
from azureml_emulator.rest import paging
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.request import Request
from azureml_emulator.rest.router import Route
from azureml_emulator.webservices import backend, repository

MMS = "/modelmanagement/v1.0{workspace}"


def validate_name(request: Request) -> Reply:
    # The service answers 200 either way; a taken name comes back as an error inside the body.
    message = backend.validate_name(request.store, request.workspace, request.params["name"])
    return Reply(200, {"error": {"message": message}} if message else {})


def validate_request(request: Request) -> Reply:
    return Reply(200, {})


# The SDK's own rule, ^[a-z]([-a-z0-9]*[a-z0-9])?$, within ACI's 3 to 32 characters.
SERVICE_NAME = re.compile(r"[a-z][a-z0-9-]{1,30}[a-z0-9]")


def create_service(request: Request) -> Reply:
    body = request.json_object()
    name = body.get("name")
    if not isinstance(name, str) or not SERVICE_NAME.fullmatch(name):
        raise BadRequest("Invalid service name {}: expected 3 to 32 lowercase letters, digits or dashes, starting "
                         "with a letter and ending with a letter or digit.".format(_shown(name)))
    # Reached with an existing name only when the SDK's name validation was skipped.
    operation_id = backend.deploy(request.store, request.workspace, body, overwrite=bool(body.get("overwrite")),
                                  environments=request.emulator.environments)
    location = EMULATOR_BASE_URL + request.path.rsplit("/services", 1)[0] + "/operations/" + operation_id
    return Reply(202, {}, {"Operation-Location": location})


def _shown(value: object) -> str:
    """A name from a body as a message quotes it: cut short when long, its type when not a string."""
    if not isinstance(value, str):
        return "(a JSON {})".format(json_type(value))
    return repr(value) if len(value) <= 60 else "{!r}... ({} characters)".format(value[:40], len(value))


def get_service(request: Request) -> Reply:
    return Reply(200, backend.get(request.store, request.workspace, request.params["name"]).public_view())


def list_services(request: Request) -> Reply:
    """A page of the services (Webservice.list asks no size: Model Management's default), by name, with
    ``nextLink`` to the next page, which the SDK follows as it is."""
    query = request.query
    services = backend.list_services(request.store, request.workspace, query.get("computeType"),
                                     query.get("modelName"), query.get("modelId"), query.get("tags"),
                                     query.get("properties"))
    page = paging.paginate(services, lambda service: (service.name,), paging.DEFAULT_PAGE, query.get("$skipToken"))
    body: dict = {"value": [service.public_view() for service in page.items]}
    if page.token:   # the SDK follows any 'nextLink' there is, even null
        body["nextLink"] = paging.next_link(request.path, query, page.token)
    return Reply(200, body)


def update_service(request: Request) -> Reply:
    """A service update (JSON patch): 202 with the operation when the service is redeployed,
    else 200 with the service."""
    name = request.params["name"]
    operation_id = backend.update(request.store, request.workspace, name, request.json_list(),
                                  request.emulator.environments)
    if operation_id is None:
        return Reply(200, backend.get(request.store, request.workspace, name).public_view())
    location = EMULATOR_BASE_URL + request.path.rsplit("/services", 1)[0] + "/operations/" + operation_id
    return Reply(202, {}, {"Operation-Location": location})


def delete_service(request: Request) -> Reply:
    return Reply(200) if backend.delete(request.store, request.workspace, request.params["name"]) else Reply(204)


def service_logs(request: Request) -> Reply:
    lines = request.int_query("tail", 5000)
    return Reply(200, {"content": backend.logs(request.store, request.workspace, request.params["name"], lines)})


def list_keys(request: Request) -> Reply:
    primary, secondary = backend.keys(request.store, request.workspace, request.params["name"])
    return Reply(200, {"primaryKey": primary, "secondaryKey": secondary})


def access_token(request: Request) -> Reply:
    return Reply(200, backend.token(request.store, request.workspace, request.params["name"]))


def get_operation(request: Request) -> Reply:
    """A deployment's operation, or a profile's (`profiles`)."""
    found = repository.operation_of(request.store, request.workspace, request.params["operation_id"])
    if found is not None and found[1] == "Profile":
        return Reply(200, profiles.operation(request.store, request.workspace, request.params["operation_id"],
                                             found[0]))
    # A long poll: the answer waits, within a bound, until the deployment has settled. Polls with
    # a log offset (show_output=True after the first) stream the progress, so they may wait long;
    # a poll without one (the first, or any when show_output=False) waits a shorter while.
    offset = request.int_query("offset", 0) if "offset" in request.query else None
    wait = backend.POLL_WAIT_SECONDS if offset is not None else backend.FIRST_POLL_WAIT_SECONDS
    return Reply(200, backend.operation(request.store, request.workspace, request.params["operation_id"],
                                        wait, offset))


ROUTES = (
    Route("POST", MMS + "/services/validate/name/{name}", validate_name),
    Route("POST", MMS + "/services/validate", validate_request),
    Route("POST", MMS + "/services/validate/resource", validate_request),
    Route("POST", MMS + "/services", create_service),
    Route("GET", MMS + "/services", list_services),
    Route("GET", MMS + "/services/{name}", get_service),
    Route("PATCH", MMS + "/services/{name}", update_service),
    Route("DELETE", MMS + "/services/{name}", delete_service),
    Route("GET", MMS + "/services/{name}/logs", service_logs),
    Route("POST", MMS + "/services/{name}/listkeys", list_keys),
    Route("POST", MMS + "/services/{name}/token", access_token),
    Route("GET", MMS + "/operations/{operation_id}", get_operation),
)
