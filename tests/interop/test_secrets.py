"""The official azure-keyvault-secrets SecretClient through every secrets operation."""
import uuid

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.keyvault.secrets import SecretClient


def make_client(url, credential, emulator):
    # What differs from a real vault: the URL, certificate trust, and the challenge-resource
    # check, which official clients make only for *.vault.azure.net hosts.
    return SecretClient(
        url,
        credential,
        verify_challenge_resource=False,
        connection_verify=emulator["ca_cert"],
    )


@pytest.fixture(scope="module")
def client(emulator, credential):
    return make_client(emulator["vault_url"], credential, emulator)


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_set_get_update_and_versions(client):
    name = unique("py-secret")
    first = client.set_secret(name, "value-1", content_type="text/plain", tags={"env": "interop"})
    assert first.value == "value-1"
    assert first.properties.content_type == "text/plain"
    assert first.properties.tags == {"env": "interop"}
    assert first.properties.enabled is True
    assert first.properties.recovery_level == "Recoverable+Purgeable"
    second = client.set_secret(name, "value-2")
    assert second.properties.version != first.properties.version

    assert client.get_secret(name).value == "value-2"
    assert client.get_secret(name, first.properties.version).value == "value-1"

    updated = client.update_secret_properties(name, content_type="application/json", tags={"k": "v"}, enabled=False)
    assert updated.content_type == "application/json"
    assert updated.enabled is False
    with pytest.raises(HttpResponseError) as info:
        client.get_secret(name)
    assert info.value.status_code == 403
    client.update_secret_properties(name, second.properties.version, enabled=True)
    assert client.get_secret(name).value == "value-2"

    versions = list(client.list_properties_of_secret_versions(name, max_page_size=1))
    assert {v.version for v in versions} == {first.properties.version, second.properties.version}


def test_missing_secret_raises_not_found(client):
    with pytest.raises(ResourceNotFoundError) as info:
        client.get_secret(unique("missing"))
    assert info.value.error.code == "SecretNotFound"


def test_list_pages(emulator, credential):
    client = make_client(emulator["vaults"]["third"], credential, emulator)
    names = {unique("page") for _ in range(7)}
    for name in names:
        client.set_secret(name, "x")
    pages = list(client.list_properties_of_secrets(max_page_size=3).by_page())
    listed = [p.name for page in pages for p in page]
    assert len(pages) >= 3
    assert names <= set(listed)


def test_delete_recover_purge_with_pollers(client):
    name = unique("py-delete")
    client.set_secret(name, "keep-me")
    # The Key Vault pollers' result() does not wait; wait() polls until the delete settled.
    delete_poller = client.begin_delete_secret(name)
    deleted = delete_poller.result()
    delete_poller.wait()
    assert delete_poller.done()
    assert deleted.name == name
    assert deleted.recovery_id.endswith(f"/deletedsecrets/{name}")
    assert deleted.scheduled_purge_date is not None

    assert client.get_deleted_secret(name).name == name
    assert name in {d.name for d in client.list_deleted_secrets(max_page_size=2)}

    recover_poller = client.begin_recover_deleted_secret(name)
    recovered = recover_poller.result()
    recover_poller.wait()
    assert recovered.name == name
    assert client.get_secret(name).value == "keep-me"

    client.begin_delete_secret(name).wait()
    client.purge_deleted_secret(name)
    with pytest.raises(ResourceNotFoundError):
        client.get_deleted_secret(name)
    assert client.set_secret(name, "reborn").value == "reborn"


def test_backup_and_restore_into_a_second_vault(emulator, credential, client):
    name = unique("py-backup")
    client.set_secret(name, "portable-1")
    client.set_secret(name, "portable-2")
    blob = client.backup_secret(name)
    assert isinstance(blob, bytes) and len(blob) > 0

    second = make_client(emulator["vaults"]["second"], credential, emulator)
    restored = second.restore_secret_backup(blob)
    assert restored.name == name
    assert second.get_secret(name).value == "portable-2"
    assert len(list(second.list_properties_of_secret_versions(name))) == 2
    # The first vault still has its own copy.
    assert client.get_secret(name).value == "portable-2"
