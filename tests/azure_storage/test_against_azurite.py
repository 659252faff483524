"""The emulated Blob service against Azurite (Microsoft's storage emulator, from npm), the
reference for what Blob Storage answers: the same calls of the SDK's own storage client,
made to both, must give the same results and the same errors.

`make test` installs Azurite into tests/azure_storage/azurite with npm. These tests need Node to
run it; on a machine without Node they are skipped, and say why.
"""
import shutil
import socket
import subprocess
import time
from pathlib import Path

import psutil
import pytest
from azure.core.exceptions import HttpResponseError
from azureml._vendor.azure_storage.blob import BlobServiceClient

from azureml_emulator import emulate
from azureml_emulator.addresses import blob_base_url

AZURITE = Path(__file__).parent / "azurite" / "node_modules" / ".bin" / "azurite-blob"
# Azurite's documented development account and key.
ACCOUNT = "devstoreaccount1"
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="Node is not installed: Azurite cannot run")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def azurite(tmp_path_factory):
    """Azurite's blob service on a free loopback port, stopped (by its PID) afterwards."""
    assert AZURITE.exists(), "Azurite is not installed: `make test` runs npm ci in tests/azure_storage/azurite"
    port = _free_port()
    process = subprocess.Popen([str(AZURITE), "--blobHost", "127.0.0.1", "--blobPort", str(port), "--location",
                                str(tmp_path_factory.mktemp("azurite")), "--silent", "--skipApiVersionCheck", "--disableTelemetry"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "Azurite did not start"
                time.sleep(0.2)
        yield "http://127.0.0.1:{}/{}".format(port, ACCOUNT)
    finally:
        for child in psutil.Process(process.pid).children(recursive=True):
            child.terminate()
        process.terminate()
        process.wait(timeout=10)


def outcome(call):
    """What a storage call gave: its value, or the status and storage error code it raised."""
    try:
        return call()
    except HttpResponseError as error:
        return ("error", error.status_code, error.error_code)


def exercise(service: BlobServiceClient) -> dict:
    """The Blob calls the SDK's datastores, artifacts and snapshots make, in one container."""
    container = service.get_container_client("data")
    blob = container.get_blob_client
    results = {}
    results["put"] = outcome(lambda: blob("a/x.txt").upload_blob(b"hello world") and "ok")
    results["put again, no overwrite"] = outcome(lambda: blob("a/x.txt").upload_blob(b"other"))
    results["after refused put"] = blob("a/x.txt").download_blob().readall()
    results["put with overwrite"] = outcome(lambda: blob("a/x.txt").upload_blob(b"HELLO WORLD", overwrite=True)
                                            and "ok")
    results["range"] = blob("a/x.txt").download_blob(offset=6, length=5).readall()
    results["size"] = blob("a/x.txt").get_blob_properties().size
    results["empty"] = outcome(lambda: blob("a/empty.txt").upload_blob(b"") and
                               blob("a/empty.txt").download_blob().readall())
    results["missing"] = outcome(lambda: blob("a/none.txt").download_blob().readall())
    results["missing properties"] = outcome(lambda: blob("a/none.txt").get_blob_properties().size)
    big = bytes(range(256)) * 64   # 16 KiB in 1 KiB blocks: Put Block and Put Block List
    results["blocks"] = outcome(lambda: blob("b/big.bin").upload_blob(big) and
                                blob("b/big.bin").download_blob().readall() == big)
    results["append"] = outcome(lambda: (blob("c/log.txt").create_append_blob(),
                                         blob("c/log.txt").append_block(b"one\n"),
                                         blob("c/log.txt").append_block(b"two\n"),
                                         blob("c/log.txt").download_blob().readall())[-1])
    results["list a/"] = [b.name for b in container.list_blobs(name_starts_with="a/")]
    results["list all"] = [(b.name, b.size) for b in container.list_blobs()]
    results["list nothing"] = [b.name for b in container.list_blobs(name_starts_with="zzz")]
    return results


def client(url: str) -> BlobServiceClient:
    return BlobServiceClient(url, credential={"account_name": ACCOUNT, "account_key": KEY},
                             max_single_put_size=1024, max_block_size=1024)


def test_the_emulated_blob_service_answers_as_azurite_does(azurite, tmp_path):
    reference = client(azurite)
    reference.create_container("data")
    expected = exercise(reference)
    with emulate(home=tmp_path / "home"):
        got = exercise(client(blob_base_url(ACCOUNT)))
    assert got == expected
