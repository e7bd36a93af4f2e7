"""The official azure-mgmt-keyvault KeyVaultManagementClient against the emulator's
Microsoft.KeyVault resource provider, and the data plane of the vaults it creates."""
import base64
import json
import uuid

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.keyvault.secrets import SecretClient
from azure.mgmt.keyvault import KeyVaultManagementClient
from azure.mgmt.keyvault.models import (
    AccessPolicyEntry,
    Permissions,
    Sku,
    VaultAccessPolicyParameters,
    VaultAccessPolicyProperties,
    VaultCheckNameAvailabilityParameters,
    VaultCreateOrUpdateParameters,
    VaultProperties,
)

SUBSCRIPTION = "00000000-0000-4000-8000-000000000001"
LOCATION = "westeurope"


@pytest.fixture(scope="module")
def mgmt(emulator, credential):
    # What differs from Azure: the management endpoint and certificate trust.
    return KeyVaultManagementClient(
        credential,
        SUBSCRIPTION,
        base_url=emulator["management_url"],
        credential_scopes=["https://management.azure.com/.default"],
        connection_verify=emulator["ca_cert"],
        polling_interval=0.1,
    )


def caller_object_id(credential):
    token = credential.get_token("https://vault.azure.net/.default").token
    payload = token.split(".")[1]
    payload += "=" * (-len(payload) % 4)
    return json.loads(base64.urlsafe_b64decode(payload))["oid"]


def vault_name():
    return f"py{uuid.uuid4().hex[:12]}"


def entry(tenant, oid, secrets):
    return AccessPolicyEntry(tenant_id=tenant, object_id=oid, permissions=Permissions(secrets=secrets))


def test_vault_lifecycle_through_the_official_client(mgmt, credential, emulator):
    tenant = emulator["tenant_id"]
    name = vault_name()
    rg = "py-interop"
    assert mgmt.vaults.check_name_availability(VaultCheckNameAvailabilityParameters(name=name)).name_available

    params = VaultCreateOrUpdateParameters(
        location=LOCATION,
        tags={"env": "interop"},
        properties=VaultProperties(tenant_id=tenant, sku=Sku(family="A", name="standard"), access_policies=[]),
    )
    vault = mgmt.vaults.begin_create_or_update(rg, name, params).result()
    assert vault.name == name
    assert vault.properties.provisioning_state == "Succeeded"
    assert vault.properties.vault_uri.startswith("https://")
    assert vault.properties.enable_soft_delete is True
    assert mgmt.vaults.get(rg, name).tags == {"env": "interop"}
    assert name in {v.name for v in mgmt.vaults.list_by_subscription()}
    assert name in {v.name for v in mgmt.vaults.list_by_resource_group(rg)}
    assert name in {v.name for v in mgmt.vaults.list()}

    # No access policy for the caller yet: the data plane answers 403.
    secrets = SecretClient(
        vault.properties.vault_uri, credential, verify_challenge_resource=False, connection_verify=emulator["ca_cert"]
    )
    with pytest.raises(HttpResponseError) as err:
        secrets.set_secret("s", "v")
    assert err.value.status_code == 403

    oid = caller_object_id(credential)
    policy = VaultAccessPolicyParameters(
        properties=VaultAccessPolicyProperties(access_policies=[entry(tenant, oid, ["get", "set", "list"])])
    )
    result = mgmt.vaults.update_access_policy(rg, name, "add", policy)
    assert result.properties.access_policies[0].permissions.secrets == ["get", "set", "list"]
    secrets.set_secret("s", "v")
    assert secrets.get_secret("s").value == "v"

    remove = VaultAccessPolicyParameters(
        properties=VaultAccessPolicyProperties(access_policies=[entry(tenant, oid, ["set"])])
    )
    mgmt.vaults.update_access_policy(rg, name, "remove", remove)
    with pytest.raises(HttpResponseError):
        secrets.set_secret("s", "w")
    assert secrets.get_secret("s").value == "v"

    taken = mgmt.vaults.check_name_availability(VaultCheckNameAvailabilityParameters(name=name))
    assert taken.name_available is False and taken.reason == "AlreadyExists"
    invalid = mgmt.vaults.check_name_availability(VaultCheckNameAvailabilityParameters(name="1-bad--name"))
    assert invalid.name_available is False and invalid.reason == "AccountNameInvalid"

    mgmt.vaults.delete(rg, name)
    with pytest.raises(ResourceNotFoundError):
        mgmt.vaults.get(rg, name)
    deleted = [d for d in mgmt.vaults.list_deleted() if d.name == name]
    assert len(deleted) == 1 and deleted[0].properties.location == LOCATION
    assert mgmt.vaults.get_deleted(name, LOCATION).properties.vault_id.endswith(name)
    mgmt.vaults.begin_purge_deleted(name, LOCATION).result()
    assert mgmt.vaults.check_name_availability(VaultCheckNameAvailabilityParameters(name=name)).name_available


def test_bad_input_gets_arm_errors(mgmt, emulator):
    tenant = emulator["tenant_id"]
    with pytest.raises(HttpResponseError) as err:
        mgmt.vaults.begin_create_or_update(
            "rg",
            "x",
            VaultCreateOrUpdateParameters(
                location=LOCATION, properties=VaultProperties(tenant_id=tenant, sku=Sku(family="A", name="standard"))
            ),
        ).result()
    assert err.value.status_code == 400
    assert err.value.error.code == "VaultNameNotValid"
    with pytest.raises(ResourceNotFoundError) as err:
        mgmt.vaults.get("rg", vault_name())
    assert err.value.error.code == "ResourceNotFound"
