"""Shared fixtures: the running emulator's ready line and credentials for it."""
import json
import os

import pytest
from azure.identity import ClientSecretCredential


@pytest.fixture(scope="session")
def emulator():
    return json.loads(os.environ["AZKV_EMULATOR_READY"])


@pytest.fixture(scope="session")
def credential(emulator):
    # What differs from a real vault: the authority, instance discovery and certificate trust.
    return ClientSecretCredential(
        emulator["tenant_id"],
        "interop-client",
        "interop-secret",
        authority=emulator["authority_host"],
        disable_instance_discovery=True,
        connection_verify=emulator["ca_cert"],
    )
