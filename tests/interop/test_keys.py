"""The official azure-keyvault-keys KeyClient and CryptographyClient against the emulator."""
import hashlib
import os
import time
import uuid

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.keyvault.keys import (
    KeyClient,
    KeyCurveName,
    KeyRotationLifetimeAction,
    KeyRotationPolicy,
    KeyRotationPolicyAction,
)
from azure.keyvault.keys.crypto import (
    CryptographyClient,
    EncryptionAlgorithm,
    KeyWrapAlgorithm,
    SignatureAlgorithm,
)
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils


def options(emulator):
    # What differs from a real vault: the URL, certificate trust and the challenge-resource
    # check, which official clients make only for *.vault.azure.net hosts.
    return {"verify_challenge_resource": False, "connection_verify": emulator["ca_cert"]}


@pytest.fixture(scope="module")
def client(emulator, credential):
    return KeyClient(emulator["vault_url"], credential, **options(emulator))


def crypto(key_or_id, credential, emulator):
    return CryptographyClient(key_or_id, credential, **options(emulator))


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_create_get_update_list_rsa_and_ec(client):
    rsa_name, ec_name = unique("py-rsa"), unique("py-ec")
    rsa = client.create_rsa_key(rsa_name, size=3072, tags={"team": "interop"})
    assert rsa.key_type == "RSA"
    assert len(rsa.key.n) == 384
    assert rsa.key.e == b"\x01\x00\x01"
    assert set(rsa.key_operations) == {"encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"}
    assert rsa.properties.tags == {"team": "interop"}
    assert rsa.key.d is None  # no private material leaves the vault
    ec_key = client.create_ec_key(ec_name, curve=KeyCurveName.p_384, hardware_protected=True)
    assert ec_key.key_type == "EC-HSM"
    assert ec_key.key.crv == "P-384"
    assert len(ec_key.key.x) == 48

    fetched = client.get_key(rsa_name)
    assert fetched.id == rsa.id
    updated = client.update_key_properties(rsa_name, enabled=False, key_operations=["verify"], tags={"a": "b"})
    assert updated.properties.enabled is False
    assert updated.key_operations == ["verify"]
    names = {k.name for k in client.list_properties_of_keys()}
    assert {rsa_name, ec_name} <= names
    client.create_rsa_key(rsa_name)
    versions = list(client.list_properties_of_key_versions(rsa_name))
    assert len(versions) == 2
    with pytest.raises(ResourceNotFoundError):
        client.get_key(unique("missing"))


def test_remote_and_local_rsa_operations(client, credential, emulator):
    key = client.create_rsa_key(unique("py-rsa-ops"), size=2048)
    remote = crypto(key.id, credential, emulator)
    local = CryptographyClient.from_jwk(key.key)
    digest = hashlib.sha256(b"interop data").digest()
    for alg in (SignatureAlgorithm.rs256, SignatureAlgorithm.ps256):
        signature = remote.sign(alg, digest).signature
        assert local.verify(alg, digest, signature).is_valid
        assert remote.verify(alg, digest, signature).is_valid
        assert not remote.verify(alg, hashlib.sha256(b"other").digest(), signature).is_valid
    for alg in (EncryptionAlgorithm.rsa1_5, EncryptionAlgorithm.rsa_oaep, EncryptionAlgorithm.rsa_oaep_256):
        # Encrypted locally by the Python client, decrypted by the emulator, and the reverse path.
        ciphertext = local.encrypt(alg, b"plaintext").ciphertext
        assert remote.decrypt(alg, ciphertext).plaintext == b"plaintext"
        ciphertext = remote.encrypt(alg, b"plaintext").ciphertext
        assert remote.decrypt(alg, ciphertext).plaintext == b"plaintext"
    cek = os.urandom(32)
    for alg in (KeyWrapAlgorithm.rsa_oaep, KeyWrapAlgorithm.rsa_oaep_256, KeyWrapAlgorithm.rsa1_5):
        wrapped = local.wrap_key(alg, cek).encrypted_key
        assert remote.unwrap_key(alg, wrapped).key == cek
        wrapped = remote.wrap_key(alg, cek).encrypted_key
        assert remote.unwrap_key(alg, wrapped).key == cek


@pytest.mark.parametrize(
    "curve,alg,hash_name",
    [
        (KeyCurveName.p_256, SignatureAlgorithm.es256, "sha256"),
        (KeyCurveName.p_256_k, SignatureAlgorithm.es256_k, "sha256"),
        (KeyCurveName.p_384, SignatureAlgorithm.es384, "sha384"),
        (KeyCurveName.p_521, SignatureAlgorithm.es512, "sha512"),
    ],
)
def test_ec_signatures_verify_everywhere(client, credential, emulator, curve, alg, hash_name):
    key = client.create_ec_key(unique("py-ec-sign"), curve=curve)
    remote = crypto(key, credential, emulator)
    digest = hashlib.new(hash_name, b"sign me").digest()
    signature = remote.sign(alg, digest).signature
    assert remote.verify(alg, digest, signature).is_valid
    # The Python client's own local verification (it holds the public key).
    assert CryptographyClient.from_jwk(key.key).verify(alg, digest, signature).is_valid
    # And pyca/cryptography directly: r||s to DER.
    size = len(signature) // 2
    r, s = int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
    curves = {"P-256": ec.SECP256R1(), "P-256K": ec.SECP256K1(), "P-384": ec.SECP384R1(), "P-521": ec.SECP521R1()}
    x, y = int.from_bytes(key.key.x, "big"), int.from_bytes(key.key.y, "big")
    public = ec.EllipticCurvePublicNumbers(x, y, curves[key.key.crv]).public_key()
    algorithm = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}[hash_name]
    public.verify(utils.encode_dss_signature(r, s), digest, ec.ECDSA(utils.Prehashed(algorithm)))
    # A signature made by pyca/cryptography verifies in the emulator.
    private = ec.generate_private_key(curves[key.key.crv])
    der = private.sign(digest, ec.ECDSA(utils.Prehashed(algorithm)))
    r, s = utils.decode_dss_signature(der)
    assert not remote.verify(alg, digest, r.to_bytes(size, "big") + s.to_bytes(size, "big")).is_valid


def test_key_ops_and_disabled_keys_are_enforced(client, credential, emulator):
    key = client.create_rsa_key(unique("py-ops"), key_operations=["verify"])
    remote = crypto(key.id, credential, emulator)
    with pytest.raises(HttpResponseError) as err:
        remote.sign(SignatureAlgorithm.rs256, hashlib.sha256(b"x").digest())
    assert err.value.status_code == 403
    with pytest.raises(HttpResponseError) as err:
        remote.sign(SignatureAlgorithm.rs256, b"short")
    assert err.value.status_code in (400, 403)


def test_bad_input_gets_the_service_error_shape(client, credential, emulator):
    key = client.create_ec_key(unique("py-bad"), curve=KeyCurveName.p_256)
    remote = crypto(key.id, credential, emulator)
    with pytest.raises(HttpResponseError) as err:
        remote.sign(SignatureAlgorithm.es256, b"\x00" * 20)
    assert err.value.status_code == 400
    assert err.value.error.code == "BadParameter"
    with pytest.raises(HttpResponseError) as err:
        client.create_rsa_key(unique("py-bad"), size=1024)
    assert err.value.status_code == 400


def test_rotate_and_rotation_policy(client):
    name = unique("py-rotate")
    first = client.create_ec_key(name, curve=KeyCurveName.p_256)
    default = client.get_key_rotation_policy(name)
    assert default.lifetime_actions
    actions = [KeyRotationLifetimeAction(KeyRotationPolicyAction.rotate, time_after_create="P90D")]
    policy = client.update_key_rotation_policy(
        name, KeyRotationPolicy(), lifetime_actions=actions, expires_in="P1Y"
    )
    assert policy.expires_in == "P1Y"
    assert policy.lifetime_actions[0].action == KeyRotationPolicyAction.rotate
    assert policy.lifetime_actions[0].time_after_create == "P90D"
    rotated = client.rotate_key(name)
    assert rotated.properties.version != first.properties.version
    assert rotated.key.crv == "P-256"
    assert rotated.properties.expires_on is not None
    assert client.get_key(name).properties.version == rotated.properties.version


def test_backup_restore_delete_recover_purge(client):
    name = unique("py-lifecycle")
    created = client.create_rsa_key(name)
    backup = client.backup_key(name)
    client.begin_delete_key(name).wait()
    assert client.get_deleted_key(name).name == name
    assert name in {k.name for k in client.list_deleted_keys()}
    recovered = client.begin_recover_deleted_key(name).result()
    assert recovered.id == created.id
    client.begin_delete_key(name).wait()
    client.purge_deleted_key(name)
    for _ in range(50):
        try:
            restored = client.restore_key_backup(backup)
            break
        except HttpResponseError:
            time.sleep(0.1)
    assert restored.name == name
    assert restored.key.n == created.key.n


def test_random_bytes(client):
    assert len(client.get_random_bytes(32)) == 32


def test_import_key(client, credential, emulator):
    from cryptography.hazmat.primitives.asymmetric import rsa as pyrsa
    from azure.keyvault.keys import JsonWebKey

    private = pyrsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = private.private_numbers()

    def b(n):
        return n.to_bytes((n.bit_length() + 7) // 8, "big")

    jwk = JsonWebKey(
        kty="RSA",
        n=b(numbers.public_numbers.n),
        e=b(numbers.public_numbers.e),
        d=b(numbers.d),
        p=b(numbers.p),
        q=b(numbers.q),
        dp=b(numbers.dmp1),
        dq=b(numbers.dmq1),
        qi=b(numbers.iqmp),
        key_ops=["sign", "verify"],
    )
    imported = client.import_key(unique("py-import"), jwk)
    assert imported.key.n == b(numbers.public_numbers.n)
    assert imported.key_operations == ["sign", "verify"]
    digest = hashlib.sha256(b"imported").digest()
    # Signed by pyca with the same private key, verified by the emulator; and the reverse.
    remote = crypto(imported.id, credential, emulator)
    signature = private.sign(digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
    assert remote.verify(SignatureAlgorithm.rs256, digest, signature).is_valid
    signature = remote.sign(SignatureAlgorithm.ps256, digest).signature
    private.public_key().verify(
        signature,
        digest,
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
        utils.Prehashed(hashes.SHA256()),
    )
