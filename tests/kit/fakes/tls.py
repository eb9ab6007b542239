"""A self-signed certificate for 127.0.0.1, for fakes of services a library only reaches over
https (MSAL refuses a plain-http authority): the server's context, and a client context (or a
CA file, for ``SSL_CERT_FILE`` in a subprocess) that trusts it."""

from __future__ import annotations

import ipaddress
import ssl
import tempfile
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@lru_cache(maxsize=1)
def certificate() -> tuple[bytes, bytes]:
    """(certificate PEM, key PEM) for 127.0.0.1 and localhost, made once per process."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()))


def server_context() -> ssl.SSLContext:
    """The fake's TLS context."""
    cert, key = certificate()
    folder = Path(tempfile.mkdtemp(prefix="mentorbot-tls-"))
    (folder / "cert.pem").write_bytes(cert)
    (folder / "key.pem").write_bytes(key)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


def client_context() -> ssl.SSLContext:
    """A client context that trusts the fake's certificate."""
    return ssl.create_default_context(cadata=certificate()[0].decode())


def ca_file() -> Path:
    """The certificate as a file (``SSL_CERT_FILE`` for a process under test)."""
    path = Path(tempfile.mkdtemp(prefix="mentorbot-ca-")) / "ca.pem"
    path.write_bytes(certificate()[0])
    return path
