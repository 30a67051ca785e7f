from __future__ import annotations

import ssl
import subprocess
from pathlib import Path
from typing import Any

import pytest

from piimask.settings import Settings
from piimask.stream.kafka_security import (
    KafkaSecurityError,
    client_security_kwargs,
    sasl_password,
)

PASSWORD = "s3cr3t-Pa55"


def settings(**values: Any) -> Settings:
    return Settings.model_validate(values)


def test_plaintext_needs_nothing() -> None:
    assert client_security_kwargs(settings()) == {"security_protocol": "PLAINTEXT"}


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_sasl_plaintext_passes_mechanism_user_and_password(mechanism: str) -> None:
    kwargs = client_security_kwargs(
        settings(
            security_protocol="SASL_PLAINTEXT",
            sasl_mechanism=mechanism,
            sasl_username="piimask",
            sasl_password=PASSWORD,
        )
    )
    assert kwargs == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": mechanism,
        "sasl_plain_username": "piimask",
        "sasl_plain_password": PASSWORD,
    }


def test_sasl_password_is_read_from_a_file_without_its_trailing_newline(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n")
    kwargs = client_security_kwargs(
        settings(
            security_protocol="SASL_PLAINTEXT",
            sasl_mechanism="SCRAM-SHA-512",
            sasl_username="piimask",
            sasl_password_file=secret,
        )
    )
    assert kwargs["sasl_plain_password"] == PASSWORD


@pytest.mark.parametrize(
    ("values", "named"),
    [
        (
            {"security_protocol": "SASL_PLAINTEXT", "sasl_username": "u", "sasl_password": "p"},
            "PIIMASK_SASL_MECHANISM",
        ),
        (
            {"security_protocol": "SASL_SSL", "sasl_mechanism": "PLAIN", "sasl_password": "p"},
            "PIIMASK_SASL_USERNAME",
        ),
        (
            {
                "security_protocol": "SASL_PLAINTEXT",
                "sasl_mechanism": "PLAIN",
                "sasl_username": "u",
            },
            "PIIMASK_SASL_PASSWORD",
        ),
        ({"sasl_username": "u"}, "PIIMASK_SASL_USERNAME"),
        ({"security_protocol": "SSL", "sasl_mechanism": "PLAIN"}, "PIIMASK_SASL_MECHANISM"),
        ({"ssl_cafile": "/etc/hosts"}, "PIIMASK_SSL_CAFILE"),
        (
            {"security_protocol": "SASL_PLAINTEXT", "ssl_certfile": "/etc/hosts"},
            "PIIMASK_SSL_CERTFILE",
        ),
        ({"security_protocol": "SSL", "ssl_cafile": "/nonexistent/ca.pem"}, "PIIMASK_SSL_CAFILE"),
        ({"security_protocol": "SSL", "ssl_keyfile": "/etc/hosts"}, "PIIMASK_SSL_KEYFILE"),
        ({"security_protocol": "SSL", "ssl_key_password": "x"}, "PIIMASK_SSL_KEY_PASSWORD"),
    ],
)
def test_incomplete_or_contradictory_settings_name_the_setting(
    values: dict[str, Any], named: str
) -> None:
    with pytest.raises(KafkaSecurityError, match=named):
        client_security_kwargs(settings(**values))


def test_a_ca_file_that_is_not_pem_names_the_setting(tmp_path: Path) -> None:
    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("this is not a certificate\n")
    with pytest.raises(KafkaSecurityError, match="PIIMASK_SSL_CAFILE"):
        client_security_kwargs(settings(security_protocol="SSL", ssl_cafile=not_pem))


def test_password_and_password_file_together_are_ambiguous(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text(PASSWORD)
    with pytest.raises(KafkaSecurityError, match="set only one"):
        sasl_password(settings(sasl_password="other", sasl_password_file=secret))


@pytest.mark.parametrize("content", [None, "", "\n"])
def test_unreadable_or_empty_password_file_is_an_error(tmp_path: Path, content: str | None) -> None:
    secret = tmp_path / "password"
    if content is not None:
        secret.write_text(content)
    with pytest.raises(KafkaSecurityError, match="PIIMASK_SASL_PASSWORD_FILE"):
        sasl_password(settings(sasl_password_file=secret))


def test_errors_never_contain_the_password(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text(PASSWORD)
    bad = [
        {
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": "PLAIN",
            "sasl_password": PASSWORD,
        },
        {"sasl_password": PASSWORD},
        {"sasl_password_file": str(secret)},
        {"sasl_password": PASSWORD, "sasl_password_file": str(secret)},
    ]
    for values in bad:
        with pytest.raises(KafkaSecurityError) as info:
            client_security_kwargs(settings(**values))
        assert PASSWORD not in str(info.value)


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A self-signed certificate and key (PEM), made with the openssl CLI."""
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "client.pem", d / "client.key"
    try:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", "/CN=piimask-test", "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("openssl CLI not available")
    return {"cert": cert, "key": key}


@pytest.mark.parametrize("protocol", ["SSL", "SASL_SSL"])
def test_tls_protocols_get_an_ssl_context_with_ca_and_client_cert(
    tls_files: dict[str, Path], protocol: str
) -> None:
    extra: dict[str, Any] = (
        {"sasl_mechanism": "SCRAM-SHA-256", "sasl_username": "u", "sasl_password": "p"}
        if protocol == "SASL_SSL"
        else {}
    )
    kwargs = client_security_kwargs(
        settings(
            security_protocol=protocol,
            ssl_cafile=tls_files["cert"],
            ssl_certfile=tls_files["cert"],
            ssl_keyfile=tls_files["key"],
            **extra,
        )
    )
    context = kwargs["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname


def test_tls_without_files_uses_system_cas() -> None:
    kwargs = client_security_kwargs(settings(security_protocol="SSL"))
    assert isinstance(kwargs["ssl_context"], ssl.SSLContext)
