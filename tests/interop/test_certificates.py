"""The official azure-keyvault-certificates CertificateClient against the emulator, with the
certificates and keys checked by pyca/cryptography."""
import datetime
import hashlib
import uuid

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.keyvault.certificates import (
    AdministratorContact,
    CertificateClient,
    CertificateContact,
    CertificateContentType,
    CertificatePolicy,
    KeyType,
    WellKnownIssuerNames,
)
from azure.keyvault.keys.crypto import CryptographyClient, SignatureAlgorithm
from azure.keyvault.secrets import SecretClient
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID


def options(emulator):
    return {"verify_challenge_resource": False, "connection_verify": emulator["ca_cert"]}


@pytest.fixture(scope="module")
def client(emulator, credential):
    return CertificateClient(emulator["vault_url"], credential, **options(emulator))


@pytest.fixture(scope="module")
def secrets(emulator, credential):
    return SecretClient(emulator["vault_url"], credential, **options(emulator))


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_self_signed_certificate_through_the_poller(client, secrets, credential, emulator):
    name = unique("py-cert")
    policy = CertificatePolicy(
        issuer_name=WellKnownIssuerNames.self,
        subject="CN=interop.example, O=azkv",
        san_dns_names=["interop.example", "www.interop.example"],
        key_type=KeyType.ec,
        key_curve_name="P-256",
        content_type=CertificateContentType.pem,
        validity_in_months=6,
    )
    created = client.begin_create_certificate(name, policy, _polling_interval=0.1).result()
    cert = x509.load_der_x509_certificate(created.cer)
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "interop.example"
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == ["interop.example", "www.interop.example"]
    assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
    days = (cert.not_valid_after_utc - cert.not_valid_before_utc).days
    assert 175 <= days <= 185
    assert created.properties.x509_thumbprint == cert.fingerprint(hashes.SHA1())

    # The secret is PEM with the private key, and the key matches the certificate.
    pem = secrets.get_secret(name).value
    private = serialization.load_pem_private_key(pem.encode(), password=None)
    assert private.public_key().public_numbers() == cert.public_key().public_numbers()
    assert x509.load_pem_x509_certificate(pem.encode()).fingerprint(hashes.SHA256()) == cert.fingerprint(hashes.SHA256())

    # The key signs through the keys API; the certificate's public key verifies.
    digest = hashlib.sha256(b"signed by a certificate key").digest()
    signature = CryptographyClient(created.key_id, credential, **options(emulator)).sign(SignatureAlgorithm.es256, digest).signature
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    cert.public_key().verify(utils.encode_dss_signature(r, s), digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))

    assert name in {c.name for c in client.list_properties_of_certificates()}
    assert len(list(client.list_properties_of_certificate_versions(name))) == 1
    got = client.get_certificate(name)
    assert got.policy.san_dns_names == ["interop.example", "www.interop.example"]


def test_default_policy_and_pkcs12_secret(client, secrets):
    name = unique("py-default")
    created = client.begin_create_certificate(name, CertificatePolicy.get_default(), _polling_interval=0.1).result()
    cert = x509.load_der_x509_certificate(created.cer)
    assert cert.subject.rfc4514_string() == "CN=DefaultPolicy"
    assert isinstance(cert.public_key(), rsa.RSAPublicKey) and cert.public_key().key_size == 2048
    import base64

    key, leaf, _ = pkcs12.load_key_and_certificates(base64.b64decode(secrets.get_secret(name).value), None)
    assert leaf.fingerprint(hashes.SHA256()) == cert.fingerprint(hashes.SHA256())
    assert key.public_key().public_numbers() == cert.public_key().public_numbers()

    assert client.get_certificate_policy(name).subject == "CN=DefaultPolicy"
    updated = client.update_certificate_policy(
        name, CertificatePolicy(issuer_name="Self", subject="CN=DefaultPolicy", validity_in_months=24)
    )
    assert updated.validity_in_months == 24
    assert client.get_certificate_policy(name).validity_in_months == 24
    props = client.update_certificate_properties(name, tags={"team": "pki"})
    assert props.properties.tags == {"team": "pki"}


def make_pfx(password):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "imported.example")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    pfx = pkcs12.serialize_key_and_certificates(
        b"imported", key, cert, None, serialization.BestAvailableEncryption(password)
    )
    return pfx, cert


def test_import_pfx_and_wrong_password(client):
    pfx, cert = make_pfx(b"pfx-password")
    name = unique("py-import")
    imported = client.import_certificate(name, pfx, password="pfx-password")
    assert imported.cer == cert.public_bytes(serialization.Encoding.DER)
    assert imported.properties.expires_on.date() == cert.not_valid_after_utc.date()
    with pytest.raises(HttpResponseError) as err:
        client.import_certificate(unique("py-import"), pfx, password="wrong")
    assert err.value.status_code == 400
    with pytest.raises(HttpResponseError) as err:
        client.import_certificate(unique("py-import"), b"\x30\x03\x02\x01\x03corrupt", password="x")
    assert err.value.status_code == 400


def test_unknown_issuer_stays_pending_until_merge(client):
    name = unique("py-merge")
    policy = CertificatePolicy(issuer_name=WellKnownIssuerNames.unknown, subject="CN=merged.example")
    poller = client.begin_create_certificate(name, policy, _polling_interval=0.1)
    operation = client.get_certificate_operation(name)
    assert operation.status == "inProgress"
    csr = x509.load_der_x509_csr(operation.csr)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "interop CA")])
    now = datetime.datetime.now(datetime.timezone.utc)
    signed = (
        x509.CertificateBuilder()
        .subject_name(csr.subject)
        .issuer_name(ca_name)
        .public_key(csr.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=90))
        .sign(ca_key, hashes.SHA256())
    )
    # A certificate for another key does not merge.
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    wrong = (
        x509.CertificateBuilder()
        .subject_name(csr.subject)
        .issuer_name(ca_name)
        .public_key(other_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=90))
        .sign(ca_key, hashes.SHA256())
    )
    with pytest.raises(HttpResponseError) as err:
        client.merge_certificate(name, [wrong.public_bytes(serialization.Encoding.DER)])
    assert err.value.status_code == 400
    merged = client.merge_certificate(name, [signed.public_bytes(serialization.Encoding.DER)])
    assert merged.cer == signed.public_bytes(serialization.Encoding.DER)
    assert client.get_certificate_operation(name).status == "completed"
    assert poller.result().name == name


def test_issuers_and_contacts(client):
    issuer = unique("py-issuer")
    created = client.create_issuer(
        issuer,
        provider="Test",
        account_id="account",
        password="secret",
        organization_id="org",
        admin_contacts=[AdministratorContact(first_name="Ada", last_name="L", email="ada@example.com", phone="1")],
    )
    assert created.provider == "Test" and created.account_id == "account"
    assert client.get_issuer(issuer).admin_contacts[0].email == "ada@example.com"
    assert client.update_issuer(issuer, account_id="other").account_id == "other"
    assert issuer in {i.name for i in client.list_properties_of_issuers()}
    client.delete_issuer(issuer)
    with pytest.raises(ResourceNotFoundError):
        client.get_issuer(issuer)

    contacts = [CertificateContact(email="pki@example.com", name="PKI", phone="2")]
    assert client.set_contacts(contacts)[0].email == "pki@example.com"
    assert client.get_contacts()[0].name == "PKI"
    client.delete_contacts()
    with pytest.raises(ResourceNotFoundError):
        client.get_contacts()


def test_delete_recover_backup_restore(client):
    name = unique("py-life")
    created = client.begin_create_certificate(name, CertificatePolicy.get_default(), _polling_interval=0.1).result()
    backup = client.backup_certificate(name)
    client.begin_delete_certificate(name, _polling_interval=0.1).wait()
    assert client.get_deleted_certificate(name).name == name
    assert name in {c.name for c in client.list_deleted_certificates()}
    client.begin_recover_deleted_certificate(name, _polling_interval=0.1).wait()
    assert client.get_certificate(name).cer == created.cer
    client.begin_delete_certificate(name, _polling_interval=0.1).wait()
    client.purge_deleted_certificate(name)
    import time

    for _ in range(50):
        try:
            restored = client.restore_certificate_backup(backup)
            break
        except HttpResponseError:
            time.sleep(0.1)
    assert restored.cer == created.cer


def test_invalid_policy_is_refused(client):
    with pytest.raises(HttpResponseError) as err:
        client.begin_create_certificate(
            unique("py-bad"), CertificatePolicy(issuer_name="Self", subject="CN=x", key_type="oct")
        ).result()
    assert err.value.status_code == 400
    with pytest.raises(HttpResponseError) as err:
        client.begin_create_certificate(
            unique("py-bad"), CertificatePolicy(issuer_name="Self", subject="CN=x", validity_in_months=0)
        ).result()
    assert err.value.status_code == 400
