"""aiokafka connection settings (TLS, SASL PLAIN / SCRAM) built from :class:`Settings`.

Misconfigurations are caught before connecting, with errors that name the
setting (environment variable) to fix. Secrets never appear in messages.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import TypedDict

from aiokafka.helpers import create_ssl_context

from piimask.settings import Settings

_TLS_PROTOCOLS = ("SSL", "SASL_SSL")
_SASL_PROTOCOLS = ("SASL_PLAINTEXT", "SASL_SSL")


class KafkaSecurityError(ValueError):
    """Kafka security settings are incomplete or contradictory; the message names the setting."""


def _env(field: str) -> str:
    return f"PIIMASK_{field.upper()}"


def sasl_password(settings: Settings) -> str | None:
    """The SASL password from ``sasl_password`` or ``sasl_password_file``."""
    if settings.sasl_password is not None and settings.sasl_password_file is not None:
        raise KafkaSecurityError(
            f"{_env('sasl_password')} and {_env('sasl_password_file')} are both set; set only one"
        )
    if settings.sasl_password is not None:
        return settings.sasl_password.get_secret_value()
    path = settings.sasl_password_file
    if path is None:
        return None
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise KafkaSecurityError(
            f"{_env('sasl_password_file')}: cannot read {path}: {reason}"
        ) from None
    # Secret files written by `echo` or editors end with a newline that is not part of the password.
    password = text.rstrip("\r\n")
    if not password:
        raise KafkaSecurityError(f"{_env('sasl_password_file')}: {path} is empty")
    return password


def _existing_file(field: str, path: Path | None) -> str | None:
    if path is None:
        return None
    if not Path(path).is_file():
        raise KafkaSecurityError(f"{_env(field)}: {path} does not exist or is not a file")
    return str(path)


def _ssl_context(settings: Settings) -> ssl.SSLContext:
    cafile = _existing_file("ssl_cafile", settings.ssl_cafile)
    certfile = _existing_file("ssl_certfile", settings.ssl_certfile)
    keyfile = _existing_file("ssl_keyfile", settings.ssl_keyfile)
    if keyfile is not None and certfile is None:
        raise KafkaSecurityError(
            f"{_env('ssl_keyfile')} is set without {_env('ssl_certfile')}; "
            "a client key needs its certificate"
        )
    if settings.ssl_key_password is not None and certfile is None:
        raise KafkaSecurityError(
            f"{_env('ssl_key_password')} is set without {_env('ssl_certfile')}"
        )
    key_password = (
        settings.ssl_key_password.get_secret_value()
        if settings.ssl_key_password is not None
        else None
    )
    try:
        context: ssl.SSLContext = create_ssl_context(
            cafile=cafile, certfile=certfile, keyfile=keyfile, password=key_password
        )
    except ssl.SSLError as exc:
        what = "ssl_certfile/ssl_keyfile" if certfile else "ssl_cafile"
        reason = exc.reason or exc.strerror or type(exc).__name__
        raise KafkaSecurityError(
            f"{' / '.join(_env(f) for f in what.split('/'))}: cannot load: {reason}"
        ) from None
    return context


class SecurityKwargs(TypedDict, total=False):
    """Keyword arguments for the aiokafka clients that carry the connection's security."""

    security_protocol: str
    ssl_context: ssl.SSLContext
    sasl_mechanism: str
    sasl_plain_username: str
    sasl_plain_password: str


def client_security_kwargs(settings: Settings) -> SecurityKwargs:
    """Keyword arguments for ``AIOKafkaConsumer`` / ``AIOKafkaProducer`` / admin clients.

    Raises :class:`KafkaSecurityError` naming the setting when the combination
    is incomplete (SASL without mechanism, user or password; a client key
    without a certificate) or contradictory (TLS files with a plaintext
    protocol, SASL credentials without a SASL protocol): a setting that would
    be silently ignored is almost always a mistake that leaves a connection
    less protected than intended.
    """
    protocol = settings.security_protocol
    kwargs: SecurityKwargs = {"security_protocol": protocol}
    password = sasl_password(settings)

    if protocol in _TLS_PROTOCOLS:
        kwargs["ssl_context"] = _ssl_context(settings)
    else:
        for field in ("ssl_cafile", "ssl_certfile", "ssl_keyfile", "ssl_key_password"):
            if getattr(settings, field) is not None:
                raise KafkaSecurityError(
                    f"{_env(field)} is set but {_env('security_protocol')}={protocol} "
                    "does not use TLS; use SSL or SASL_SSL"
                )

    if protocol in _SASL_PROTOCOLS:
        if settings.sasl_mechanism is None:
            raise KafkaSecurityError(
                f"{_env('security_protocol')}={protocol} needs {_env('sasl_mechanism')} "
                "(PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)"
            )
        if not settings.sasl_username:
            raise KafkaSecurityError(
                f"{_env('security_protocol')}={protocol} needs {_env('sasl_username')}"
            )
        if password is None:
            raise KafkaSecurityError(
                f"{_env('security_protocol')}={protocol} needs {_env('sasl_password')} "
                f"or {_env('sasl_password_file')}"
            )
        kwargs["sasl_mechanism"] = settings.sasl_mechanism
        kwargs["sasl_plain_username"] = settings.sasl_username
        kwargs["sasl_plain_password"] = password
    else:
        for field, value in (
            ("sasl_mechanism", settings.sasl_mechanism),
            ("sasl_username", settings.sasl_username),
            ("sasl_password", password),
        ):
            if value is not None:
                raise KafkaSecurityError(
                    f"{_env(field)} is set but {_env('security_protocol')}={protocol} "
                    "does not use SASL; use SASL_PLAINTEXT or SASL_SSL"
                )
    return kwargs
