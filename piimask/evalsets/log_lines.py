"""Log lines: a generated, labelled development set of machine log lines.

Log lines are mostly numbers, hosts, identifiers and timestamps; people appear in them
as a user name, an e-mail, a client IP or a phone number in a message. Detection tuned
on prose calls order ids ZIP codes and ``size=10240 evictions=17`` a street. This set
measures both sides: PII-free lines (nothing but an event timestamp may change) and lines
carrying PII (each e-mail, IP, phone number and person name labelled).

Lines are composed, not templated: a format (JSON, logfmt, syslog, access log, stack
trace, ...) is filled from pools of services, keys, value shapes, messages and
timestamp styles, all drawn by a seeded ``random.Random``. The same seed gives the
same lines; a different seed gives other lines (``HELD_OUT_SEED``, ``UNSEEN_SEED``).
The names, domains and messages are written for this module; none comes from another
data set.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from piimask.jsonl import read_json_objects
from piimask.spans import Span

# The seeds of the development table: DEV_SEED was tuned on; HELD_OUT_SEED was first scored
# after the rules were written, and looked at while they were revised for a second model;
# UNSEEN_SEED was scored once, after the last rule change, and never tuned on.
DEV_SEED = 17
HELD_OUT_SEED = 1017
UNSEEN_SEED = 4242
PII_LABELS = ("EMAIL_ADDRESS", "IP_ADDRESS", "PHONE_NUMBER", "PERSON")
# Log lines written by hand, one by one, in formats the generator does not make (Java,
# Python and Go traces, nginx/Apache, Kubernetes, journald, PostgreSQL/MySQL, Redis, Kafka,
# Lambda, Windows events, HAProxy, Docker, CI, Celery/Sidekiq, Terraform, cron, ...). Split
# within each format, alternately: "tune" was read while the rules were written; "holdout"
# was scored once after those rules, then read for a second round of rules; "final" was
# written after that first score and scored only after the last rule change. Their gold
# labels add USERNAME (a login).
HANDWRITTEN = Path(__file__).with_name("data") / "log_lines_handwritten.jsonl"
# A second hand-written file, written after the first was tuned on, from software the first
# does not hold (Airflow, Spark, logrus/zap, Rust tracing, .NET, CloudTrail, Traefik/Caddy/
# Kong/Squid/Varnish, Jenkins and build tools, Ansible/Puppet/Chef, Nomad/Consul/Vault,
# Cassandra/ClickHouse/PgBouncer/etcd, Flink/Temporal, Gunicorn/php-fpm, auditd/fail2ban/
# FreeRADIUS, slapd/sssd/Samba/Okta, MinIO/Ceph/ZFS, containerd/Helm/Argo CD/Cilium/Calico/
# CoreDNS, Fluent Bit/Logstash, Alertmanager/Grafana, Exim, Asterisk, ...). Its lines were
# scored once before any rule change; "fresh" was then read to fix from, "fresh_final" was
# left unread and scored once more after the last rule change of that round, then read in the
# next round to fix from too: both halves are tuned sets now.
FRESH = Path(__file__).with_name("data") / "log_lines_fresh.jsonl"
# Blind lines, written on 2026-12-02 by a helper who did not run the detector on them, while
# other engineers tuned rules without seeing them, from software neither file above holds
# (firewalls, IDS, VPN, DNS/DHCP, Oracle/SQL Server/Db2, brokers, job queues, Kubernetes
# control plane, hypervisors, dev-tool servers, PaaS routers, VoIP, Keycloak/Kerberos/
# Teleport, game servers, logcat, monitoring agents, CDN/S3 access, ticketing/CRM/HR apps).
# "blind" is this file; its twin "log_lines_blind_final.jsonl" stays unread until the lead
# scores it once, at the end.
BLIND = Path(__file__).with_name("data") / "log_lines_blind.jsonl"
# A second blind file (split "blind2"), written later on 2026-12-02 by another helper who did
# not run the detector either, from software none of the files above holds (Apache error,
# IIS, Tomcat/WildFly/WebLogic, ingress controllers, VPC flow and ALB/NLB logs, Pacemaker,
# PAM/sssd, ClamAV, MikroTik/UniFi, Asterisk CDRs, TeamCity/Bamboo, npm/pip/yarn, test
# runners, panics and unhandled exceptions, BEAM, Celery/Sidekiq/Resque/Quartz, Airbyte/
# Debezium, YARN/Trino/Druid/Hive, Solr, Neo4j/CouchDB, NetworkManager/bluetoothd,
# PowerShell, macOS, POS/ATM journals, HL7, CUPS, Exchange tracking, SaaS integrations).
# Nobody reads it until the lead scores it once, at the end.
BLIND2 = Path(__file__).with_name("data") / "log_lines_blind2.jsonl"
# A third blind file (split "blind3"), written on 2026-12-02 by a helper as its own writing,
# without running the detector, from software none of the files above holds (Envoy access
# logs, SELinux AVC, GELF, ZooKeeper, MongoDB JSON logs, CockroachDB, Sysmon, Rails, Magento,
# EHR audit trails, ISO 8583 switches, LoRaWAN servers, Kannel, TACACS+, Patroni, Synapse,
# restic/Borg/Bacula/Veeam, Gerrit, osquery, Triton/TorchServe/vLLM, LLM gateways, Dagster/
# Prefect, Jellyfin/Plex, building management, badge readers, vsftpd/xferlog, Slurm).
# Nobody reads it until the lead scores it once, at the end.
BLIND3 = Path(__file__).with_name("data") / "log_lines_blind3.jsonl"
# A fourth blind file (split "blind4"), written on 2026-12-02 by a helper as its own writing,
# without running the detector, from software none of the files above holds (Mattermost, Jira,
# Confluence, Bitbucket, Junos, Linkerd, NATS, Pulsar, OpenSearch, InfluxDB, JupyterHub,
# MLflow, SAP security audit, z/OS console, Hazelcast, geth, DICOM archives, traffic signal
# controllers, apt/dpkg, GlusterFS, Odoo, WordPress, Drupal, Moodle, Roundcube, Mailman,
# Prosody, Authelia, Vaultwarden, Wazuh). Nobody reads it until the lead scores it once.
BLIND4 = Path(__file__).with_name("data") / "log_lines_blind4.jsonl"
# A fifth blind file (split "blind5"), written on 2026-12-02 by a helper as its own writing,
# without running the detector, from software none of the files above holds (Dovecot, Cyrus
# IMAP, Zimbra, Sendmail, OpenDKIM, Rspamd, SOGo, Nextcloud, FreeIPA, Shibboleth IdP, Apereo
# CAS, ProFTPD, ejabberd, Salt, Spinnaker, Flux, Tyk, smartd, systemd-logind, chrony, lighttpd,
# uWSGI, TiDB, HDFS NameNode, bitcoind, Tor, OctoPrint, Klipper, Cisco IOS, SIP2 library
# self-check, nurse call, PLC historian, infusion pumps, Zigbee2MQTT, candump, Synology DSM,
# gammu-smsd). Nobody reads it until the lead scores it once.
BLIND5 = Path(__file__).with_name("data") / "log_lines_blind5.jsonl"
# A sixth blind file (split "blind6"), written on 2026-12-02 by a helper as its own writing,
# without running the detector, from software none of the files above holds (Squid, Caddy,
# ClickHouse, ScyllaDB, Auth0, Zeek, Plex, SteamCMD, Electron apps, PowerDNS, Kea DHCP,
# CrowdSec, ModSecurity, Icinga 2, Netdata, SonarQube, Harbor, Buildkite, Rundeck, Puppet,
# Podman, Hubble, Kong, Camunda, NiFi, Meilisearch, Qdrant, QuestDB, VictoriaMetrics, PgBouncer,
# ProxySQL, MariaDB audit, Samba, apcupsd, ZFS ZED, Ceph, Snort, Unreal Engine, Factorio,
# Mastodon, Discourse, Ghost, Tailscale, cloudflared, Frigate, Node-RED, ESPHome, Haraka,
# SpamAssassin, ptp4l, Ignition SCADA). Nobody reads it until the lead scores it once.
BLIND6 = Path(__file__).with_name("data") / "log_lines_blind6.jsonl"
# A seventh blind file (split "blind7"), written on 2026-12-04 by a helper as its own writing,
# without running the detector, from software none of the files above holds (Gitea,
# Woodpecker CI, Drone, Loki, Jaeger, Redpanda, Memgraph, ArangoDB, Couchbase, FoundationDB,
# Vitess, Barman, rsyncd, NGINX Unit, OpenResty, Xorg, GNOME Shell, PipeWire, Jamf, Pomerium,
# oauth2-proxy, ZITADEL, Knot DNS, Sway, KDE Plasma, Syncthing, Mumble, TeamSpeak, Puma,
# Tekton, Velero, polkit, udisks, Flatpak, PackageKit, firewalld, multipathd/iscsid, ClamAV,
# amavis, Postgrey). Nobody reads it until the lead scores it once.
BLIND7 = Path(__file__).with_name("data") / "log_lines_blind7.jsonl"
# Lines written after the last rule of the fourth round (IIS, VPC flow logs, Windows Firewall,
# Mosquitto, Solr, memcached, Home Assistant, Boundary, logrotate, certbot, ntpd, GitLab
# Shell, pgBackRest, ...), scored once, never tuned on: that round's honest unseen figure.
AFTER_R4 = Path(__file__).with_name("data") / "log_lines_after_r4.jsonl"
# The blind file's twin (split "blind_final"), scored by the lead only.
BLIND_FINAL = Path(__file__).with_name("data") / "log_lines_blind_final.jsonl"
Split = Literal[
    "tune",
    "holdout",
    "final",
    "fresh",
    "fresh_final",
    "blind",
    "blind_final",
    "blind2",
    "blind3",
    "blind4",
    "blind5",
    "blind6",
    "blind7",
    "after_r4",
]


@dataclass(frozen=True, slots=True)
class LogLine:
    """One generated line: its text, its gold PII spans, the format that produced it."""

    text: str
    spans: tuple[tuple[int, int, str], ...]
    format: str

    def to_record(self, index: int) -> dict[str, object]:
        """The gold JSONL record shape of :func:`piimask.detect.evaluation.read_gold_file`."""
        return {
            "id": f"log-{index:05d}",
            "text": self.text,
            "spans": [{"start": s, "end": e, "label": label} for s, e, label in self.spans],
            "format": self.format,
        }


@dataclass(slots=True)
class _Line:
    """A line being built: text pieces and the gold spans of the labelled ones."""

    parts: list[str] = field(default_factory=list)
    spans: list[tuple[int, int, str]] = field(default_factory=list)
    length: int = 0

    def add(self, piece: str, label: str | None = None) -> _Line:
        if label is not None:
            self.spans.append((self.length, self.length + len(piece), label))
        self.parts.append(piece)
        self.length += len(piece)
        return self

    def text(self) -> str:
        return "".join(self.parts)


# --- vocabulary ---------------------------------------------------------------------------

_SERVICES = (
    "payments", "orders", "checkout", "billing", "inventory", "search", "auth", "gateway",
    "catalog", "shipping", "ledger", "notifier", "scheduler", "ingest", "reporting",
    "pricing", "cart", "media", "exporter", "indexer", "router", "quota", "sessions",
)  # fmt: skip
_COMPONENTS = (
    "worker", "consumer", "producer", "api", "db", "cache", "queue", "cron", "sync",
    "batcher", "poller", "handler", "client", "server", "pool", "loader", "compactor",
)  # fmt: skip
_LEVELS = ("INFO", "WARN", "ERROR", "DEBUG", "TRACE", "FATAL", "NOTICE")
_NOUNS = (
    "request", "batch", "job", "segment", "snapshot", "partition", "connection", "lease",
    "checkpoint", "manifest", "chunk", "record", "message", "task", "shard", "replica",
    "index", "token bucket", "rollup", "export", "transaction", "upload", "webhook",
)  # fmt: skip
_VERBS_PAST = (
    "processed", "committed", "flushed", "rejected", "retried", "skipped", "scheduled",
    "compacted", "evicted", "acknowledged", "replayed", "rebalanced", "throttled",
    "expired", "queued", "dropped", "restored", "validated", "rotated", "synced",
)  # fmt: skip
_ERRORS = (
    "connection reset by peer", "context deadline exceeded", "broken pipe",
    "too many open files", "no space left on device", "i/o timeout",
    "connection refused", "certificate has expired", "upstream timed out",
    "resource temporarily unavailable", "invalid argument", "checksum mismatch",
)  # fmt: skip
# Keys whose values are not personal data (sizes, counts, ids, ports, durations).
_NUMBER_KEYS = (
    "order", "order_id", "size", "bytes", "count", "retry", "attempt", "port", "lag",
    "offset", "partition", "evictions", "replicas", "shard", "pid", "tid", "status",
    "code", "items", "rows", "batch_size", "queue_depth", "inflight", "generation",
    "epoch", "seq", "job", "build_number", "exit_code", "fd", "workers", "limit",
    "invoice", "ticket", "cart_id", "sku", "qty", "chunks", "conn", "worker_id",
)  # fmt: skip
_DURATION_KEYS = ("latency_ms", "duration", "elapsed", "took", "wait_ms", "ttl", "timeout")
_TEXT_KEYS = ("region", "zone", "pool", "env", "cluster", "queue", "topic", "mode", "state")
_HOST_KEYS = ("node", "host", "upstream", "server", "broker", "target", "peer_host")
_TIME_KEYS = ("ts", "time", "timestamp", "@timestamp", "created_at", "updated_at", "logged_at")
_REGIONS = ("us-east-1", "eu-west-2", "ap-south-1", "eu-central-1", "us-west-2")
_ENVS = ("prod", "staging", "dev", "canary", "qa")
_STATES = ("running", "pending", "degraded", "ready", "draining", "terminated", "active")
_INTERNAL_SUFFIXES = (".internal", ".svc.cluster.local", ".local", ".lan", ".corp")
_JAVA_PACKAGES = ("com.acme", "io.shopware", "org.platform", "net.fleet", "dev.internal")
_JAVA_EXCEPTIONS = (
    "java.lang.IllegalStateException", "java.io.IOException", "java.net.SocketTimeoutException",
    "java.util.concurrent.TimeoutException", "java.lang.NullPointerException",
    "org.apache.kafka.common.errors.TimeoutException", "java.sql.SQLTransientConnectionException",
)  # fmt: skip
_PY_EXCEPTIONS = (
    "KeyError", "ValueError", "TimeoutError", "ConnectionResetError", "RuntimeError",
    "AttributeError", "asyncio.CancelledError", "OSError",
)  # fmt: skip
_HTTP_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD")
_PATH_WORDS = ("api", "v1", "v2", "orders", "items", "health", "metrics", "static", "carts",
               "search", "assets", "jobs", "batches", "export", "status", "internal")  # fmt: skip
_AGENTS = (
    "curl/8.4.0", "kube-probe/1.29", "Go-http-client/2.0", "python-requests/2.31.0",
    "Prometheus/2.48.1", "okhttp/4.12.0", "Mozilla/5.0 (X11; Linux x86_64; rv:120.0)",
)  # fmt: skip
_QUERY = "SELECT id, status FROM orders WHERE id = {}"  # a log line's text, never run
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# People: written for this module, a mix of origins.
_GIVEN = (
    "Jane", "Oliver", "Amara", "Lukas", "Priya", "Mateo", "Sofia", "Kenji", "Fatima",
    "Liam", "Ingrid", "Tomasz", "Aisha", "Diego", "Hannah", "Ravi", "Chloe", "Emeka",
    "Yuki", "Marta", "Samuel", "Leila", "Nikolai", "Grace", "Omar", "Elena", "Kwame",
    "Isabel", "Arjun", "Freya", "Tariq", "Beatriz", "Connor", "Mei", "Andrei", "Zara",
)  # fmt: skip
_SURNAMES = (
    "Doe", "Okafor", "Schneider", "Raman", "Alvarez", "Rossi", "Tanaka", "Haddad", "Murphy",
    "Lindqvist", "Kowalski", "Bello", "Moreno", "Fischer", "Iyer", "Dubois", "Nwosu", "Sato",
    "Novak", "Brennan", "Kaplan", "Petrov", "Mensah", "Castillo", "Chen", "Walsh", "Adeyemi",
    "Costa", "Horvath", "Singh", "Oyelaran", "Ferreira", "Lund", "Whitaker", "Abbasi", "Park",
)  # fmt: skip
_MAIL_DOMAINS = ("example.com", "example.org", "mail.example.net", "corp.example", "example.io")


# --- value shapes ---------------------------------------------------------------------------


class _Values:
    """Random value shapes, drawn from one seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.r = rng

    def pick(self, pool: tuple[str, ...]) -> str:
        return self.r.choice(pool)

    def int_(self) -> str:
        digits = self.r.choice((1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 5, 6, 7))
        return str(self.r.randint(10 ** (digits - 1) if digits > 1 else 0, 10**digits - 1))

    def float_(self) -> str:
        return f"{self.r.uniform(0, 10 ** self.r.randint(0, 4)):.{self.r.randint(1, 3)}f}"

    def duration(self) -> str:
        unit = self.r.choice(("ms", "s", "us", "m", ""))
        value = self.float_() if unit in ("s", "m") else self.int_()
        return value + unit

    def size(self) -> str:
        return self.r.choice(
            (
                self.int_(),
                f"{self.r.randint(1, 999)}{self.r.choice(('KiB', 'MiB', 'GiB', 'MB', 'kB'))}",
            )
        )

    def hex_(self, n: int) -> str:
        return "".join(self.r.choice("0123456789abcdef") for _ in range(n))

    def uuid(self) -> str:
        h = self.hex_(32)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def version(self) -> str:
        return ".".join(str(self.r.randint(0, 60)) for _ in range(self.r.choice((2, 3, 3))))

    def host(self) -> str:
        service = self.pick(_SERVICES)
        name = f"{service}-{self.r.choice((self.pick(_COMPONENTS), str(self.r.randint(0, 40))))}"
        if self.r.random() < 0.4:
            name += f"-{self.r.randint(0, 30)}"
        return name + self.r.choice(("", *_INTERNAL_SUFFIXES))

    def port(self) -> str:
        return str(
            self.r.choice((80, 443, 5432, 6379, 8080, 9092, 9200, 27017, 2181, 11211))
            if self.r.random() < 0.5
            else self.r.randint(1024, 65535)
        )

    def pod(self) -> str:
        return f"{self.pick(_SERVICES)}-{self.hex_(self.r.choice((8, 9, 10)))}-{self.hex_(5)}"

    def path(self) -> str:
        words = [self.pick(_PATH_WORDS) for _ in range(self.r.randint(1, 4))]
        if self.r.random() < 0.5:
            words.append(self.int_())
        return "/" + "/".join(words)

    def message(self) -> str:
        r = self.r
        forms: tuple[Callable[[], str], ...] = (
            lambda: (
                f"{self.pick(_VERBS_PAST)} {self.pick(_NOUNS)} {self.int_()} in {self.duration()}"
            ),
            lambda: f"{self.pick(_NOUNS)} {self.pick(_VERBS_PAST)} after {self.int_()} attempts",
            lambda: f"{self.pick(_ERRORS)} while talking to {self.host()}:{self.port()}",
            lambda: f"{self.pick(_NOUNS)} {self.uuid()} {self.pick(_VERBS_PAST)}",
            lambda: f"cache hit ratio {r.random():.2f} over {self.int_()} lookups",
            lambda: (
                f"deployed build {self.version()} to pool {self.pick(_SERVICES)}-{r.randint(1, 40)}"
            ),
            lambda: (
                f"{self.pick(_COMPONENTS)}[{r.randint(100, 99999)}] {self.pick(_NOUNS)} "
                f"{self.int_()} finished in {self.duration()}"
            ),
            lambda: f"GC pause {self.duration()}, heap {self.size()} of {self.size()}",
            lambda: f"listening on port {self.port()}",
            lambda: (
                f"retrying {self.pick(_NOUNS)} {self.int_()} "
                f"({r.randint(1, 9)}/{r.randint(5, 12)}): {self.pick(_ERRORS)}"
            ),
            lambda: f"{self.pick(_NOUNS)} queue depth {self.int_()} above threshold {self.int_()}",
            lambda: f"wrote {self.int_()} buffers ({r.uniform(0, 100):.1f}%) in {self.duration()}",
            lambda: (
                f"rolled segment at offset {self.int_()} for partition "
                f"{self.pick(_SERVICES)}-{r.randint(0, 63)}"
            ),
            lambda: (
                f"scaled {self.pick(_SERVICES)} from {r.randint(1, 20)} to {r.randint(1, 40)} "
                f"replicas"
            ),
            lambda: (
                f"{self.pick(_LEVELS).lower()}: {self.pick(_NOUNS)} {self.hex_(12)} "
                f"{self.pick(_VERBS_PAST)}"
            ),
            lambda: (
                f"Started {self.pick(_SERVICES)}.service - {self.pick(_SERVICES).title()} "
                f"{self.pick(_COMPONENTS)}"
            ),
            lambda: (
                f"health check {self.path()} returned {r.choice((200, 204, 500, 503))} in "
                f"{self.duration()}"
            ),
            lambda: f"shard {r.randint(0, 99)} moved from {self.host()} to {self.host()}",
        )
        return r.choice(forms)()


# --- timestamps --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Moment:
    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    micros: int

    @classmethod
    def draw(cls, rng: random.Random) -> _Moment:
        return cls(
            rng.randint(2019, 2027),
            rng.randint(1, 12),
            rng.randint(1, 28),
            rng.randint(0, 23),
            rng.randint(0, 59),
            rng.randint(0, 59),
            rng.randint(0, 999_999),
        )

    @property
    def hms(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}:{self.second:02d}"

    @property
    def ymd(self) -> str:
        return f"{self.year}-{self.month:02d}-{self.day:02d}"

    def iso(self, rng: random.Random, sep: str | None = None) -> str:
        frac = rng.choice(("", f".{self.micros // 1000:03d}", f".{self.micros:06d}"))
        zone = rng.choice(("Z", "Z", "+00:00", "-05:00", "+01:00", ""))
        sep = sep or rng.choice(("T", "T", "T", " "))
        return f"{self.ymd}{sep}{self.hms}{frac}{zone}"

    def python(self) -> str:
        return f"{self.ymd} {self.hms},{self.micros // 1000:03d}"

    def syslog(self) -> str:
        return f"{_MONTHS[self.month - 1]} {self.day:>2} {self.hms}"

    def clf(self) -> str:
        return f"{self.day:02d}/{_MONTHS[self.month - 1]}/{self.year}:{self.hms} +0000"

    def http_date(self, rng: random.Random) -> str:
        month = _MONTHS[self.month - 1]
        return f"{rng.choice(_WEEKDAYS)}, {self.day:02d} {month} {self.year} {self.hms} GMT"

    def slashed(self) -> str:
        return f"{self.year}/{self.month:02d}/{self.day:02d} {self.hms}"

    def klog(self) -> str:
        return f"{self.month:02d}{self.day:02d} {self.hms}.{self.micros:06d}"

    def epoch(self, rng: random.Random) -> str:
        seconds = 1_546_300_800 + rng.randint(0, 280_000_000)
        return str(seconds * 1000 + rng.randint(0, 999)) if rng.random() < 0.5 else str(seconds)

    def redis(self) -> str:
        month = _MONTHS[self.month - 1]
        return f"{self.day:02d} {month} {self.year} {self.hms}.{self.micros // 1000:03d}"


# --- PII values --------------------------------------------------------------------------------


class _People:
    def __init__(self, rng: random.Random) -> None:
        self.r = rng

    def name(self) -> str:
        return f"{self.r.choice(_GIVEN)} {self.r.choice(_SURNAMES)}"

    def email(self) -> str:
        given, surname = self.r.choice(_GIVEN).lower(), self.r.choice(_SURNAMES).lower()
        local = self.r.choice(
            (
                f"{given}.{surname}",
                f"{given[0]}{surname}",
                f"{given}_{surname}{self.r.randint(1, 99)}",
                given,
            )
        )
        return f"{local}@{self.r.choice(_MAIL_DOMAINS)}"

    def ip(self) -> str:
        r = self.r
        if r.random() < 0.15:
            groups = [f"{r.randint(0, 0xFFFF):x}" for _ in range(4)]
            return "2001:db8::" + ":".join(groups)
        first = r.choice((203, 198, 192, 10, 172, 81, 145, 62))
        return f"{first}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"

    def phone(self) -> str:
        r = self.r
        area = r.choice((212, 415, 312, 617, 206, 303, 404, 512, 718, 646))
        exchange, line = r.randint(200, 989), r.randint(1000, 9999)
        return r.choice(
            (
                f"+1 {area}-{exchange}-{line}",
                f"({area}) {exchange}-{line}",
                f"{area}-{exchange}-{line}",
                f"+1{area}{exchange}{line}",
                f"+44 20 7{r.randint(100, 999)} {r.randint(1000, 9999)}",
                f"+49 30 {r.randint(1000000, 9999999)}",
            )
        )


# --- formats -----------------------------------------------------------------------------------

_Pii = tuple[str, str] | None  # (value, label) to put into a line, or nothing


class _Generator:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
        self.v = _Values(self.r)
        self.p = _People(self.r)

    # the PII a line may carry: one of the four kinds, with a phrase around it
    def pii(self) -> tuple[str, str]:
        kind = self.r.choice(PII_LABELS)
        value = {
            "EMAIL_ADDRESS": self.p.email,
            "IP_ADDRESS": self.p.ip,
            "PHONE_NUMBER": self.p.phone,
            "PERSON": self.p.name,
        }[kind]()
        return value, kind

    def pii_key(self, label: str) -> str:
        keys = {
            "EMAIL_ADDRESS": ("email", "user_email", "customer_email", "mail", "contact"),
            "IP_ADDRESS": ("ip", "client_ip", "remote_addr", "src_ip", "peer"),
            "PHONE_NUMBER": ("phone", "phone_number", "msisdn", "mobile", "callback_number"),
            "PERSON": ("user_name", "customer_name", "full_name", "name", "display_name"),
        }[label]
        return self.r.choice(keys)

    def pii_phrase(self, line: _Line, value: str, label: str) -> None:
        """A message around one PII value."""
        before, after = self.r.choice(
            {
                "EMAIL_ADDRESS": (
                    ("login failed for user ", ""), ("password reset sent to ", ""),
                    ("invoice mailed to ", f" (order {self.v.int_()})"),
                    ("bounce from <", ">: mailbox full"), ("new signup: ", ""),
                ),
                "IP_ADDRESS": (
                    ("Failed password for invalid user admin from ", f" port {self.v.port()} ssh2"),
                    ("rate limit exceeded for client ", ""), ("connection from ", " closed"),
                    ("blocked request from ", f" after {self.v.int_()} attempts"),
                ),
                "PHONE_NUMBER": (
                    ("SMS code sent to ", ""), ("callback requested at ", ""),
                    ("customer called from ", " about a refund"),
                    ("OTP delivery failed for ", f": {self.r.choice(_ERRORS)}"),
                ),
                "PERSON": (
                    ("account locked for ", f" after {self.r.randint(3, 9)} failed logins"),
                    ("ticket assigned to ", ""), ("refund approved by ", ""),
                    ("user ", " logged in"), ("shipment signed for by ", ""),
                ),
            }[label]
        )  # fmt: skip
        line.add(before).add(value, label).add(after)

    def message(self, line: _Line, pii: _Pii) -> None:
        if pii is None:
            line.add(self.v.message())
        else:
            self.pii_phrase(line, *pii)

    def kv_value(self, key: str) -> str:
        if key in _DURATION_KEYS:
            return self.v.duration()
        if key in ("size", "bytes"):
            return self.v.size()
        if key in _HOST_KEYS:
            return self.v.host() + (f":{self.v.port()}" if self.r.random() < 0.5 else "")
        if key == "region":
            return self.v.pick(_REGIONS)
        if key == "env":
            return self.v.pick(_ENVS)
        if key == "state":
            return self.v.pick(_STATES)
        if key in _TEXT_KEYS:
            return f"{self.v.pick(_SERVICES)}-{self.r.randint(1, 40)}"
        if self.r.random() < 0.15:
            return self.v.float_()
        return self.v.int_()

    def extra_keys(self, n: int) -> list[tuple[str, str]]:
        pool = _NUMBER_KEYS + _DURATION_KEYS + _TEXT_KEYS + _HOST_KEYS
        keys = self.r.sample(pool, n)
        return [(k, self.kv_value(k)) for k in keys]

    # each format returns one line
    def logfmt(self, pii: _Pii) -> _Line:
        m, line = _Moment.draw(self.r), _Line()
        key = self.r.choice(("ts", "time", "t"))
        line.add(f"{key}={m.iso(self.r, 'T') if self.r.random() < 0.8 else m.epoch(self.r)} ")
        line.add(f"level={self.v.pick(_LEVELS).lower()} ")
        line.add(f"svc={self.v.pick(_SERVICES)} ")
        pairs = self.extra_keys(self.r.randint(1, 5))
        at = self.r.randint(0, len(pairs))
        for i, (k, val) in enumerate(pairs):
            if i == at and pii is not None and self.r.random() < 0.5:
                quote = '"' if " " in pii[0] else ""  # logfmt quotes values with spaces
                line.add(f"{self.pii_key(pii[1])}={quote}").add(pii[0], pii[1]).add(f"{quote} ")
                pii = None
            line.add(f"{k}={val} ")
        if pii is not None:
            line.add('msg="')
            self.message(line, pii)
            line.add('"')
        else:
            line.add(f'msg="{self.v.message()}"')
        return line

    def json_log(self, pii: _Pii) -> _Line:
        m, line = _Moment.draw(self.r), _Line()
        time_key = self.r.choice(_TIME_KEYS)
        time_value: str | int = m.iso(self.r)
        if self.r.random() < 0.2:
            time_value = int(m.epoch(self.r))
        line.add("{" + json.dumps(time_key) + ": " + json.dumps(time_value))
        line.add(
            f', "level": "{self.v.pick(_LEVELS).lower()}", "logger": '
            f'"{self.v.pick(_SERVICES)}.{self.v.pick(_COMPONENTS)}"'
        )
        pii_in_field = pii is not None and self.r.random() < 0.5
        for k, val in self.extra_keys(self.r.randint(1, 4)):
            rendered = (
                val
                if val.replace(".", "", 1).isdigit() and self.r.random() < 0.7
                else json.dumps(val)
            )
            line.add(f', "{k}": {rendered}')
        if pii is not None and pii_in_field:
            line.add(f', "{self.pii_key(pii[1])}": "').add(pii[0], pii[1]).add('"')
            pii = None
        line.add(', "msg": "')
        self.message(line, pii)
        line.add('"}')
        return line

    def syslog(self, pii: _Pii) -> _Line:
        m, line = _Moment.draw(self.r), _Line()
        program = self.r.choice(
            (
                "sshd",
                "cron",
                "systemd",
                "kernel",
                "postfix/smtpd",
                "dockerd",
                self.v.pick(_SERVICES),
            )
        )
        host = self.v.host().split(".")[0]
        if self.r.random() < 0.3:  # RFC 5424
            line.add(
                f"<{self.r.randint(0, 191)}>1 {m.iso(self.r)} {host} {program} "
                f"{self.r.randint(100, 99999)} ID{self.r.randint(1, 99)} - "
            )
        else:
            line.add(f"{m.syslog()} {host} {program}[{self.r.randint(100, 99999)}]: ")
        self.message(line, pii)
        return line

    def access_log(self, pii: _Pii) -> _Line:
        m, line = _Moment.draw(self.r), _Line()
        if pii is not None and pii[1] == "IP_ADDRESS":
            line.add(pii[0], pii[1])
            pii = None
        else:
            line.add(
                self.r.choice(("-", self.v.host().split(".")[0], "lb-" + str(self.r.randint(1, 9))))
            )
        user = "-"
        line.add(f" - {user} [{m.clf()}] ")
        line.add(
            f'"{self.v.pick(_HTTP_METHODS)} '
            f'{self.v.path()}{"?page=" + self.v.int_() if self.r.random() < 0.3 else ""} HTTP/1.1" '
        )
        line.add(
            f"{self.r.choice((200, 201, 204, 301, 304, 400, 404, 429, 500, 502))} {self.v.int_()} "
            f'"-" "{self.v.pick(_AGENTS)}"'
        )
        if self.r.random() < 0.5:
            line.add(f" rt={self.r.uniform(0, 3):.3f} uct={self.r.uniform(0, 0.1):.3f}")
        if pii is not None:
            line.add(' note="')
            self.message(line, pii)
            line.add('"')
        return line

    def python_logging(self, pii: _Pii) -> _Line:
        m, line = _Moment.draw(self.r), _Line()
        logger = f"{self.v.pick(_SERVICES)}.{self.v.pick(_COMPONENTS)}"
        style = self.r.randint(0, 2)
        if style == 0:
            line.add(f"{m.python()} - {logger} - {self.v.pick(_LEVELS)} - ")
        elif style == 1:
            line.add(f"[{m.python()}] {self.v.pick(_LEVELS)} [{logger}] ")
        else:
            line.add(f"{self.v.pick(_LEVELS)}:{logger}:")
        self.message(line, pii)
        return line

    def java_log(self, pii: _Pii) -> _Line:
        m, line = _Moment.draw(self.r), _Line()
        pkg = self.v.pick(_JAVA_PACKAGES)
        area, owner = self.v.pick(_SERVICES), self.v.pick(_SERVICES).title()
        cls = f"{pkg}.{area}.{owner}{self.v.pick(_COMPONENTS).title()}"
        thread = self.r.choice(
            (
                "main",
                f"pool-{self.r.randint(1, 9)}-thread-{self.r.randint(1, 64)}",
                f"kafka-producer-network-thread | producer-{self.r.randint(1, 9)}",
                "http-nio-8080-exec-" + str(self.r.randint(1, 200)),
            )
        )
        line.add(f"{m.iso(self.r).replace('T', ' ')} {self.v.pick(_LEVELS):<5} [{thread}] {cls} - ")
        self.message(line, pii)
        return line

    def stack_trace(self, pii: _Pii) -> _Line:
        line = _Line()
        kind = self.r.randint(0, 4)
        pkg = f"{self.v.pick(_JAVA_PACKAGES)}.{self.v.pick(_SERVICES)}"
        cls = f"{self.v.pick(_SERVICES).title()}{self.v.pick(_COMPONENTS).title()}"
        if pii is not None:
            kind = self.r.choice((1, 3))
        if kind == 0:
            method = self.r.choice(("process", "run", "handle", "apply", "lambda$submit$3"))
            line.add(f"\tat {pkg}.{cls}.{method}({cls}.java:{self.r.randint(10, 2400)})")
        elif kind == 1:
            line.add(f"Caused by: {self.v.pick(_JAVA_EXCEPTIONS)}: ")
            self.message(line, pii)
            pii = None
        elif kind == 2:
            path = f"/app/{self.v.pick(_SERVICES)}/{self.v.pick(_COMPONENTS)}.py"
            number = self.r.randint(5, 1800)
            function = self.r.choice(("handle", "_run", "process_batch", "main", "<module>"))
            line.add(f'  File "{path}", line {number}, in {function}')
        elif kind == 3:
            line.add(f"{self.v.pick(_PY_EXCEPTIONS)}: ")
            self.message(line, pii)
            pii = None
        else:
            if self.r.random() < 0.5:
                number = self.r.randint(1, 9999)
                state = self.r.choice(("running", "IO wait", "select", "chan receive"))
                line.add(f"goroutine {number} [{state}, {self.r.randint(1, 90)} minutes]:")
            else:
                source = f"/go/src/{self.v.pick(_SERVICES)}/{self.v.pick(_COMPONENTS)}.go"
                line.add(f"\t{source}:{self.r.randint(10, 900)} +0x{self.v.hex_(3)}")
        return line

    def klog(self, pii: _Pii) -> _Line:
        m, line = _Moment.draw(self.r), _Line()
        line.add(
            f"{self.r.choice('IWE')}{m.klog()} {self.r.randint(1, 99999):>7} "
            f"{self.v.pick(_COMPONENTS)}.go:{self.r.randint(10, 999)}] "
        )
        if pii is None:
            line.add(f'"{self.v.message()}" pod="{self.v.pod()}" namespace="{self.v.pick(_ENVS)}"')
        else:
            self.message(line, pii)
        return line

    def prometheus(self, pii: _Pii) -> _Line:
        m, line = _Moment.draw(self.r), _Line()
        metric = f"{self.v.pick(_SERVICES)}_{self.v.pick(_NOUNS).replace(' ', '_')}s_total"
        code, method = self.r.choice((200, 404, 500)), self.v.pick(_HTTP_METHODS).lower()
        labels = f'code="{code}",method="{method}",instance="{self.v.host()}:{self.v.port()}"'
        line.add(f"{metric}{{{labels}}} {self.v.int_()} {m.epoch(self.r)}")
        return line

    def database(self, pii: _Pii) -> _Line:
        m, line = _Moment.draw(self.r), _Line()
        if self.r.random() < 0.5:
            line.add(
                f"{m.ymd} {m.hms}.{m.micros // 1000:03d} UTC [{self.r.randint(100, 99999)}] "
                f"{self.r.choice(('LOG', 'WARNING', 'ERROR'))}:  "
            )
        else:
            line.add(
                f"{self.r.randint(1, 99999)}:{self.r.choice('MCS')} {m.redis()} "
                f"{self.r.choice('*#-.')} "
            )
        if pii is None:
            line.add(self.r.choice((
                f"checkpoint complete: wrote {self.v.int_()} buffers "
                f"({self.r.uniform(0, 100):.1f}%); write={self.r.uniform(0, 300):.3f} s",
                f"duration: {self.r.uniform(0, 9000):.3f} ms  statement: "
                + _QUERY.format(self.v.int_()),
                f"Background saving started by pid {self.r.randint(100, 99999)}",
                f"DB saved on disk, {self.v.int_()} keys in {self.r.randint(0, 64)} databases",
                f"automatic vacuum of table \"{self.v.pick(_SERVICES)}.public."
                f"{self.v.pick(_NOUNS).replace(' ', '_')}s\": index scans: {self.r.randint(0, 9)}",
            )))  # fmt: skip
        else:
            self.message(line, pii)
        return line

    def kafka_log(self, pii: _Pii) -> _Line:
        m, line = _Moment.draw(self.r), _Line()
        line.add(f"[{m.python()}] {self.v.pick(_LEVELS)} ")
        if pii is None:
            line.add(
                f"[Log partition={self.v.pick(_SERVICES)}-{self.r.randint(0, 63)}, "
                f"dir=/var/lib/kafka/data] "
                f"Rolled new log segment at offset {self.v.int_()} in {self.r.randint(0, 90)} ms. "
                f"(kafka.log.LocalLog)"
            )
        else:
            self.message(line, pii)
        return line

    def nginx_error(self, pii: _Pii) -> _Line:
        m, line = _Moment.draw(self.r), _Line()
        line.add(
            f"{m.slashed()} [{self.r.choice(('error', 'warn', 'crit'))}] "
            f"{self.r.randint(1, 9999)}#{self.r.randint(0, 99)}: *{self.v.int_()} "
        )
        if pii is not None and pii[1] == "IP_ADDRESS":
            line.add(f"{self.r.choice(_ERRORS)}, client: ").add(pii[0], pii[1])
            pii = None
        else:
            line.add(f"{self.r.choice(_ERRORS)}, client: {self.v.host().split('.')[0]}")
        line.add(
            f', server: {self.v.host()}, request: "{self.v.pick(_HTTP_METHODS)} {self.v.path()} '
            f'HTTP/1.1", upstream: "http://{self.v.host()}:{self.v.port()}{self.v.path()}"'
        )
        if pii is not None:
            line.add(', note: "')
            self.message(line, pii)
            line.add('"')
        return line

    def http_header_log(self, pii: _Pii) -> _Line:
        m, line = _Moment.draw(self.r), _Line()
        line.add(f"Date: {m.http_date(self.r)}; request_id={self.v.uuid()}; ")
        self.message(line, pii)
        return line


_FORMATS = (
    "logfmt", "json_log", "syslog", "access_log", "python_logging", "java_log", "stack_trace",
    "klog", "prometheus", "database", "kafka_log", "nginx_error", "http_header_log",
)  # fmt: skip


_NO_MESSAGE = frozenset({"prometheus"})


def read_log_lines(path: Path = HANDWRITTEN, split: Split | None = None) -> list[LogLine]:
    """The labelled lines of a gold JSONL file (``text``, ``spans``, ``format``, ``split``);
    only those of ``split`` when given."""
    lines: list[LogLine] = []
    for number, record in read_json_objects(path):
        text, spans = record.get("text"), record.get("spans")
        if not isinstance(text, str) or not isinstance(spans, list):
            raise ValueError(f"{path.name} line {number}: needs 'text' and 'spans'")
        if split is not None and record.get("split") != split:
            continue
        gold = tuple((int(s["start"]), int(s["end"]), str(s["label"])) for s in spans)
        lines.append(LogLine(text, gold, str(record.get("format", "unknown"))))
    return lines


def generate(count: int, *, seed: int = DEV_SEED, pii_share: float = 0.5) -> list[LogLine]:
    """``count`` lines from ``seed``; about ``pii_share`` of them carry one PII value."""
    gen = _Generator(seed)
    lines: list[LogLine] = []
    for _ in range(count):
        fmt = gen.r.choice(_FORMATS)
        pii = gen.pii() if gen.r.random() < pii_share else None
        if pii is not None and fmt in _NO_MESSAGE:
            fmt = "logfmt"  # a stack frame or a metric sample has no message to carry PII
        built: _Line = getattr(gen, fmt)(pii)
        lines.append(LogLine(built.text(), tuple(built.spans), fmt))
    return lines


def score_log_lines(
    lines: Sequence[LogLine],
    predicted: Sequence[Sequence[Span]],
    kept_types: Collection[str] = (),
) -> dict[str, object]:
    """How the predicted spans would change the lines, under a policy that keeps ``kept_types``.

    PII-free lines: the share changed at all (a span of a type that is not kept) and the
    types that changed them. Lines carrying PII: per label, the gold spans fully covered
    by changing spans; and the lines where something outside the gold spans changed too.
    """
    kept = frozenset(kept_types)
    free = changed = free_with_spans = 0
    changed_by_type: Counter[str] = Counter()
    kept_by_type: Counter[str] = Counter()
    gold: Counter[str] = Counter()
    masked: Counter[str] = Counter()
    pii_lines = pii_lines_extra = 0
    extra_by_type: Counter[str] = Counter()
    for line, spans in zip(lines, predicted, strict=True):
        changing = [s for s in spans if s.entity_type not in kept]
        kept_by_type.update(s.entity_type for s in spans if s.entity_type in kept)
        if not line.spans:
            free += 1
            free_with_spans += bool(spans)
            if changing:
                changed += 1
                changed_by_type.update({s.entity_type for s in changing})
            continue
        pii_lines += 1
        cover = bytearray(len(line.text))
        for s in changing:
            cover[s.start : s.end] = b"\x01" * (s.end - s.start)
        in_gold = bytearray(len(line.text))
        for start, end, label in line.spans:
            gold[label] += 1
            masked[label] += all(cover[start:end])
            in_gold[start:end] = b"\x01" * (end - start)
        outside = [s for s in changing if not all(in_gold[s.start : s.end])]
        if outside:
            pii_lines_extra += 1
            extra_by_type.update({s.entity_type for s in outside})
    gold_total = sum(gold.values())
    return {
        "pii_free_lines": free,
        "pii_free_changed": changed,
        "pii_free_changed_rate": round(changed / free, 4) if free else 0.0,
        "pii_free_with_kept_spans_only": free_with_spans - changed,
        "changed_by_type": dict(changed_by_type.most_common()),
        "kept_by_type": dict(kept_by_type.most_common()),
        "pii_lines": pii_lines,
        "gold_by_label": dict(sorted(gold.items())),
        "masked_by_label": {label: masked[label] for label in sorted(gold)},
        "pii_masked_rate": round(sum(masked.values()) / gold_total, 4) if gold_total else 1.0,
        "pii_lines_with_extra_masks": pii_lines_extra,
        "extra_masks_by_type": dict(extra_by_type.most_common()),
    }
