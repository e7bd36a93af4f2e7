"""The official azure-identity credentials against the emulator's token endpoint."""
import base64
import json
import os
import pathlib

import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import CertificateCredential, ClientSecretCredential, ManagedIdentityCredential
from azure.keyvault.secrets import SecretClient

DATA = pathlib.Path(__file__).resolve().parents[2] / "crates" / "azkv-identity" / "tests" / "data"
SCOPE = "https://vault.azure.net/.default"


def pem_file(tmp_path, cert, key):
    path = tmp_path / f"{cert}-{key}.pem"
    path.write_bytes((DATA / cert).read_bytes() + (DATA / key).read_bytes())
    return str(path)


def certificate_credential(emulator, path, **kwargs):
    return CertificateCredential(
        emulator["tenant_id"],
        "interop-cert-app",
        certificate_path=path,
        authority=emulator["authority_host"],
        disable_instance_discovery=True,
        connection_verify=emulator["ca_cert"],
        **kwargs,
    )


@pytest.mark.parametrize("send_chain", [False, True])
def test_certificate_credential_signs_assertions_the_emulator_verifies(emulator, tmp_path, send_chain):
    path = pem_file(tmp_path, "rsa-cert.pem", "rsa-key.pem")
    credential = certificate_credential(emulator, path, send_certificate_chain=send_chain)
    assert credential.get_token(SCOPE).token.count(".") == 2
    client = SecretClient(emulator["vault_url"], credential, verify_challenge_resource=False,
                          connection_verify=emulator["ca_cert"])
    assert client.set_secret("from-certificate", "ok").value == "ok"


def test_a_certificate_not_registered_is_refused(emulator, tmp_path):
    path = pem_file(tmp_path, "other-rsa-cert.pem", "other-rsa-key.pem")
    with pytest.raises(ClientAuthenticationError) as info:
        certificate_credential(emulator, path).get_token(SCOPE)
    assert "AADSTS700027" in str(info.value)


def test_wrong_client_secret_is_refused(emulator):
    credential = ClientSecretCredential(
        emulator["tenant_id"], "interop-client", "not-the-secret",
        authority=emulator["authority_host"], disable_instance_discovery=True,
        connection_verify=emulator["ca_cert"],
    )
    with pytest.raises(ClientAuthenticationError) as info:
        credential.get_token(SCOPE)
    assert "AADSTS7000215" in str(info.value)


def claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@pytest.mark.parametrize("client_id", [None, "11111111-2222-3333-4444-555555555555"])
def test_managed_identity_credential_uses_the_imds_endpoint(monkeypatch, client_id):
    ready = json.loads(os.environ["AZKV_EMULATOR_HTTP_READY"])
    # What differs from Azure: where IMDS is.
    monkeypatch.setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", ready["authority_host"])
    credential = ManagedIdentityCredential(client_id=client_id) if client_id else ManagedIdentityCredential()
    token = credential.get_token(SCOPE)
    c = claims(token.token)
    assert c["aud"] == "https://vault.azure.net"
    assert c["tid"] == ready["tenant_id"]
    if client_id:
        assert c["appid"] == client_id
