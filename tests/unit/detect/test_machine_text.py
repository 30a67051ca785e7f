"""Machine text: key context, machine-shaped guesses and address gating (pure span logic)."""

from __future__ import annotations

import pytest

from piimask.detect.address import gate_address_guesses
from piimask.detect.keyvalue import find_fragments
from piimask.detect.machine_text import (
    all_line_starts,
    apply_machine_context,
    free_text_values,
    machine_line_starts,
    machine_shaped,
    machine_token,
)
from piimask.spans import Span


def span(text: str, value: str, entity_type: str, detector: str = "model") -> Span:
    start = text.index(value)
    return Span(start, start + len(value), entity_type, 0.9, detector)


def values(text: str, spans: list[Span]) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.entity_type) for s in spans]


@pytest.mark.parametrize(
    ("text", "value", "entity_type"),
    [
        ("retry=1 latency_ms=2461 order=48213", "48213", "ZIP_CODE"),
        (
            "size=10240 evictions=17 node=cache-3.internal:6379",
            "10240 evictions=17",
            "STREET_ADDRESS",
        ),
        ('{"logger": "exporter.server", "rows": 10}', "logger", "PERSON"),
        ('{"level": "trace", "rows": 10}', "trace", "PERSON"),
        ("t=1717871880577 level=debug", "1717871880577", "TAX_ID"),
    ],
)
def test_guesses_under_non_pii_keys_and_in_keys_are_dropped(
    text: str, value: str, entity_type: str
) -> None:
    assert apply_machine_context(text, [span(text, value, entity_type)]) == []


def test_a_structured_identifier_stays_under_any_key() -> None:
    text = "order=jane.doe@example.com size=3"
    found = [span(text, "jane.doe@example.com", "EMAIL_ADDRESS", "pattern:EMAIL_ADDRESS")]
    assert values(text, apply_machine_context(text, found)) == [
        ("jane.doe@example.com", "EMAIL_ADDRESS")
    ]


def test_a_span_that_runs_into_the_next_key_ends_with_its_value() -> None:
    text = "contact=jane@example.org queue_depth=190"
    found = [span(text, "contact=jane@example.org queue", "EMAIL_ADDRESS", "pattern:EMAIL")]
    assert values(text, apply_machine_context(text, found)) == [
        ("jane@example.org", "EMAIL_ADDRESS")
    ]


def test_a_span_that_swallowed_its_key_loses_the_key() -> None:
    text = "level=info email=mei@corp.example"
    found = [span(text, "email=mei@corp.example", "EMAIL_ADDRESS", "pattern:EMAIL_ADDRESS")]
    assert values(text, apply_machine_context(text, found)) == [
        ("mei@corp.example", "EMAIL_ADDRESS")
    ]


@pytest.mark.parametrize(
    ("text", "found", "expected"),
    [
        ("user=jane.doe order=5", [("jane", "PERSON")], [("jane.doe", "PERSON")]),
        ("user=jdoe order=5", [], [("jdoe", "USERNAME")]),
        ("email=jdoe order=5", [], [("jdoe", "EMAIL_ADDRESS")]),
        ('{"phone": "0176 123", "n": 1}', [], [("0176 123", "PHONE_NUMBER")]),
        ("user=- order=5", [], []),
        ("ip=null", [], []),
    ],
)
def test_a_pii_key_masks_its_whole_value(
    text: str, found: list[tuple[str, str]], expected: list[tuple[str, str]]
) -> None:
    spans = [span(text, v, t) for v, t in found]
    assert values(text, apply_machine_context(text, spans)) == expected


def test_event_time_keys_make_dates_and_epochs_event_times() -> None:
    text = 'created_at="2026-11-03" ts=1733059200 level=info'
    found = [span(text, "2026-11-03", "DATE_TIME", "pattern:DATE_TIME")]
    assert values(text, apply_machine_context(text, found)) == [
        ("2026-11-03", "EVENT_TIME"),
        ("1733059200", "EVENT_TIME"),
    ]


def test_a_personal_date_key_keeps_a_timestamp_personal() -> None:
    text = "dob=1990-01-01T00:00:00Z level=info"
    found = [span(text, "1990-01-01T00:00:00Z", "EVENT_TIME", "pattern:DATE_TIME")]
    assert values(text, apply_machine_context(text, found)) == [
        ("1990-01-01T00:00:00Z", "DATE_TIME")
    ]


@pytest.mark.parametrize(
    ("text", "value", "entity_type"),
    [
        ("worker[52144] job 88123 finished in 3.2s", "52144", "ZIP_CODE"),
        ("worker[52144] job 88123 finished in 3.2s", "88123", "ZIP_CODE"),
        ("Failed password for admin from 203.0.113.7 port 52144 ssh2", "52144", "ZIP_CODE"),
        ("2026-11-03T14:07:12Z WARN TRACE retry", "TRACE", "PERSON"),
        ("2026-11-03T14:07:12Z cron[12]: job done", "cron", "PERSON"),
        ("kernel[12]: build for Linux x86_64 done", "Linux x86_64", "PERSON"),
        (
            "request 98cf2277-8591-fcf7-de2e-67fa6b0d1a57 done",
            "98cf2277-8591-fcf7-de2e-67fa6b0d1a57",
            "DRIVER_LICENSE",
        ),
        ("rolled segment at offset 7753254 in 90 ms level=info", "7753254", "TAX_ID"),
        ('"GET /a HTTP/1.1" 301 5593966 "-"', "301 5593966", "PHONE_NUMBER"),
        ("goroutine 3285 [select, 42 minutes]:", "goroutine 3285", "STREET_ADDRESS"),
        ("KeyError: login failed for user x", "KeyError", "PERSON"),
        ("asyncio.CancelledError: wrote 30 buffers", "asyncio", "PERSON"),
        ('"GET /a HTTP/1.1" 404 12 "Go-http-client/2.0"', "http-client/2.0", "URL"),
        ("\t/go/src/cart/sync.go:12 +0x1f", "/go/src/", "URL"),
        ("2026-11-03T14:07:12Z kernel[12]: x", "kernel", "LOCATION"),
        ("ts=1 msg=x [2027-03-26] ERROR:  Background saving started", "Background", "LOCATION"),
        (
            "2026-11-03T14:07:12Z ERROR dev.internal.gateway. x",
            "dev.internal.gateway.",
            "STREET_ADDRESS",
        ),
        ("backup job 88123 copied 10240 files (12.4 GiB)", "10240", "ZIP_CODE"),
        ("Disk /dev/nvme0n1p2 at 91%", "nvme0n1p2", "DRIVER_LICENSE"),
    ],
)
def test_machine_shaped_guesses_are_dropped(text: str, value: str, entity_type: str) -> None:
    detector = "pattern:PHONE_NUMBER" if entity_type == "PHONE_NUMBER" else "model"
    if value in ("kernel",):
        detector = "model+ner:en_core_web_sm"  # both models: still a program name there
    if value == "Background":
        detector = "ner:en_core_web_sm"
    assert apply_machine_context(text, [span(text, value, entity_type, detector)]) == []


@pytest.mark.parametrize(
    ("text", "value", "entity_type"),
    [
        ("I live at 2972 Hillside Street, Leeds", "2972 Hillside Street", "STREET_ADDRESS"),
        ("The restaurant is at 667 Nábřežní 243", "667 Nábřežní 243", "STREET_ADDRESS"),
        ("he lives on corso alcide de gasperi 88.", "corso alcide de gasperi 88", "STREET_ADDRESS"),
        ("Springfield, IL 62704", "62704", "ZIP_CODE"),
        ("memphis tn 38148", "38148", "ZIP_CODE"),
        ("358 370 E 71ST", "358 370 E 71ST", "STREET_ADDRESS"),
        ("call 911-701234 91170-1234", "91170-1234", "ZIP_CODE"),
        ('Walter "Greyhound" Davis', 'Walter "Greyhound" Davis', "PERSON"),
        ("You can call 66 17 89", "66 17 89", "PHONE_NUMBER"),
        ("refund approved by Lukas Dubois level=info", "Lukas Dubois", "LOCATION"),
        ("miss RFleeshman # SharonDClarke is awesome", "SharonDClarke", "PERSON"),
        ("@ The99king : Marisha_D cool", "Marisha_D", "PERSON"),
        (
            "Tributes to Richard Attenborough http://t.co/TCGw",
            "Richard Attenborough http://t.co/TCGw",
            "PERSON",
        ),
    ],
)
def test_real_addresses_names_and_numbers_stay(text: str, value: str, entity_type: str) -> None:
    found = [span(text, value, entity_type)]
    assert apply_machine_context(text, found) == found


def test_the_user_of_a_common_log_format_line_is_a_username() -> None:
    text = '192.0.2.44 - frank [03/Nov/2026:14:07:12 +0000] "GET /account HTTP/1.1" 200 2326'
    assert ("frank", "USERNAME") in values(text, apply_machine_context(text, []))
    anonymous = '192.0.2.44 - - [03/Nov/2026:14:07:12 +0000] "GET / HTTP/1.1" 200 1'
    assert apply_machine_context(anonymous, []) == []


def test_a_name_guess_ends_at_a_machine_mark() -> None:
    text = "Awkward George | Probably the best"
    found = [span(text, "Awkward George | Probably", "PERSON")]
    assert values(text, apply_machine_context(text, found)) == [("Awkward George", "PERSON")]


def test_a_guess_holding_an_ip_or_email_is_never_cut() -> None:
    text = "kernel[12]: peer=10.0.0.7:443 up"
    found = [span(text, "peer=10.0.0.7:443", "PERSON")]
    assert apply_machine_context(text, found) != []


def test_a_zip_guess_needs_an_address_before_it_on_a_machine_line() -> None:
    text = "2026-11-03T14:07:12Z sshd[12]: Lukas Dubois 68664 ID64"
    found = [span(text, "Lukas Dubois", "PERSON"), span(text, "68664", "ZIP_CODE")]
    assert values(text, gate_address_guesses(text, found, lambda _: True)) == [
        ("Lukas Dubois", "PERSON")
    ]
    city = "Leeds 68664"
    near = [span(city, "Leeds", "LOCATION"), span(city, "68664", "ZIP_CODE")]
    assert gate_address_guesses(city, near, lambda _: True) == near


@pytest.mark.parametrize(
    ("value", "shaped"),
    [
        ("48213", True), ("3.2s", True), ("12MiB", True), ("cache-9.internal:6379", True),
        ("1.19.50", True), ("98cf2277-8591-fcf7-de2e-67fa6b0d1a57", True), ("ef0736b2e30d", True),
        ("/var/lib/kafka", True), ("Jane", False), ("jane doe", False), ("Leeds", False),
    ],
)  # fmt: skip
def test_machine_shapes(value: str, shaped: bool) -> None:
    assert machine_shaped(value) is shaped


@pytest.mark.parametrize(
    ("word", "token"),
    [
        ("payments.service", True), ("x86_64", True), ("gateway-10.lan", True), ("GatewayDb", True),
        ("d.d.s.", False), ("O'Brien", False), ("Suite100", False), ("Jean-Luc", False),
    ],
)  # fmt: skip
def test_machine_tokens(word: str, token: bool) -> None:
    assert machine_token(word) is token


NER = "ner:en_core_web_sm"


@pytest.mark.parametrize(
    ("text", "value", "entity_type", "detector"),
    [
        # spaCy alone, one word, no word before it that says a person follows
        ("JVM version is 17.0.9+9-LTS; Java home /usr/lib/jvm/java-17", "Java", "PERSON", NER),
        ("Using Java 17 toolchain from /opt/java/openjdk", "Java 17", "PERSON", NER),
        ("2026-10-14 WARN Trojan detected in /tmp/setup.exe", "Trojan", "PERSON", NER),
        # an acronym and a lower-case word, whichever detector alone
        ("ts=1 JSON parse error at column 212", "JSON parse", "PERSON", "model"),
        ("\tSecurity ID:\t\tNULL SID", "NULL SID", "PERSON", "model"),
        # a field label before its colon
        ("Name: Trojan:Win32 ID: 1 Severity: Severe Category: Trojan Path: file", "Trojan Path",
         "PERSON", NER),
        # id guesses on codes of builds, events, pods (no document word before them)
        ("ERROR AH01909: www.example.com:443:0 server certificate", "AH01909", "DRIVER_LICENSE",
         "model"),
        ("INFO Created pod: web-6b7c9d-4hx2p", "6b7c9d", "DRIVER_LICENSE", "model"),
        ("2026-10-14T12:22:00Z 0 [Warning] [MY-010068] CA certificate", "MY-010068",
         "DRIVER_LICENSE", "model"),
        # numbers under capitalised field names, sizes with their units
        ("# Query_time: 4.1  Lock_time: 0.0 Rows_examined: 1834412", "1834412", "PASSPORT",
         "model"),
        ("REPORT RequestId: 1\tMemory Size: 1024 MB\tMax Memory Used: 498 MB", "498 MB",
         "STREET_ADDRESS", "model"),
        ("INFO Ticket #4411 opened by support", "4411", "STREET_ADDRESS", "model"),
        ("[Log partition=orders-3] Rolled new log segment at offset 4411 in 2 ms.", "4411",
         "STREET_ADDRESS", "model"),
        ("{40 vars in 712 bytes} GET /healthz", "712", "STREET_ADDRESS", "model"),
        # an event number read as a phone number
        ("Name: X ID: 2147735503 Severity: Severe Category: Trojan", "2147735503",
         "PHONE_NUMBER", "pattern:PHONE_NUMBER"),
        ("[Producer clientId=p] WARN retrying (2147483646 attempts left)", "2147483646",
         "PHONE_NUMBER", "pattern:PHONE_NUMBER"),
        ("Job 'build' (ID 88213) completed with status Failed", "88213", "ZIP_CODE",
         "pattern:ZIP_CODE"),
        ("npm ERR! 404 Not Found - GET /@acme/ui-kit", "404", "STREET_ADDRESS", "model"),
        ("docker: Error response from daemon: pull access denied", "daemon", "PERSON", "model"),
        ("Puma version: 6.4.0 (ruby 3.2.2-p53)", "ruby", "PERSON", "model"),
        ("Failed to parse JSON body: unexpected end of input at line 1 column 212", "parse JSON",
         "PERSON", "model"),
        ("Failed to parse body: unexpected end of input at line 1 column 212",
         "line 1 column 212", "STREET_ADDRESS", "model"),
        ("# User@Host: root[root] @ localhost []  Id:   412", "User@Host", "PERSON", NER),
        ("Running with gitlab-runner\n  on runner-3, system ID: s_4f1a2b3c4d5e", "4f1a2b3c4d5e",
         "GOVERNMENT_ID", "model"),
        ("Error response from daemon: Conflict. The container name is in use", "daemon",
         "PERSON", "model"),
        ("INFO Connected to amqp://guest:**@rabbitmq:5672//", "@rabbitmq", "USERNAME",
         "pattern:USERNAME"),
        ("crond[812]: (CRON) INFO (Running @reboot jobs)", "@reboot", "USERNAME",
         "pattern:USERNAME"),
        # a memory address under a key that names street addresses
        ("[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x6a1f2c]", "0x18",
         "STREET_ADDRESS", "model"),
    ],
)  # fmt: skip
def test_machine_output_guesses_without_pii_context_are_dropped(
    text: str, value: str, entity_type: str, detector: str
) -> None:
    assert (
        values(text, apply_machine_context(text, [span(text, value, entity_type, detector)])) == []
    )


@pytest.mark.parametrize(
    ("text", "value", "entity_type", "detector"),
    [
        ("2026-10-14 WARN login failed for Maria from 10.0.0.1", "Maria", "PERSON", NER),
        ("2026-10-14 INFO ticket opened by Greta", "Greta", "PERSON", NER),
        ("2026-10-14 INFO ticket opened, name=Greta", "Greta", "PERSON", NER),
        ("I met Maria at the station yesterday", "Maria", "PERSON", NER),  # prose
        ("ERROR Failed to send reminder to Jane Doe: timeout", "Jane Doe", "PERSON", "model"),
        ("INFO passport X1234567 scanned at the desk", "X1234567", "PASSPORT", "model"),
        ("INFO driver_license=D1234567 verified", "D1234567", "DRIVER_LICENSE", "model"),
        ("INFO shipping to 12 Oak Street today", "12 Oak Street", "STREET_ADDRESS", "model"),
        ("ERROR call back 2147735503 today", "2147735503", "PHONE_NUMBER", "pattern:PHONE"),
        ('INFO "SET" "otp:+447700900456" "551204" "EX" "300"', "+447700900456", "PHONE_NUMBER",
         "model"),
        ("INFO Pipeline triggered by Arjun Mehta (@arjun.mehta)", "@arjun.mehta", "USERNAME",
         "pattern:USERNAME"),
        # prose: capitals beside lower case are a place, an initial, a shouted surname
        ("He moved to the state of NY last year", "state of NY", "LOCATION", "model"),
        ("signed: edward D. brush", "edward D. brush", "PERSON", "model"),
    ],
)  # fmt: skip
def test_machine_output_keeps_guesses_with_pii_context(
    text: str, value: str, entity_type: str, detector: str
) -> None:
    found = span(text, value, entity_type, detector)
    assert values(text, apply_machine_context(text, [found])) == [(value, entity_type)]


def test_a_field_label_inside_a_name_guess_is_cut_off_and_the_name_stays() -> None:
    text = "INFO Display Name: Pieter de Vries Account Name: pdevries"
    found = [span(text, "Pieter de Vries Account Name", "PERSON", "model")]
    assert values(text, apply_machine_context(text, found)) == [
        ("Pieter de Vries Account", "PERSON"),
        ("pdevries", "USERNAME"),  # the login after "Account Name:"
    ]


def test_a_date_compared_with_a_time_column_in_quoted_sql_is_an_event_time() -> None:
    text = "SET timestamp=1760454600;\nDELETE FROM carts WHERE updated_at < '2026-09-14';"
    found = [span(text, "2026-09-14", "DATE_TIME", "pattern:DATE_TIME")]
    assert values(text, apply_machine_context(text, found)) == [
        ("1760454600", "EVENT_TIME"),
        ("2026-09-14", "EVENT_TIME"),
    ]


URL = "pattern:URL"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("goroutine 1 [running]:\ngithub.com/acme/ledger/internal/store.(*Store).Get(0x0)",
         "github.com/acme/ledger/internal/store.(*Store).Get"),
        ("go: downloading github.com/prometheus/client_golang v1.19.0",
         "github.com/prometheus/client_golang"),
        ("go: github.com/acme/notify@v0.4.1: unknown revision v0.4.1",
         "github.com/acme/notify@v0.4.1"),
        ("ERROR import github.com/org/pkg failed", "github.com/org/pkg"),
        ('Normal   Pulled  12s  kubelet  Successfully pulled image "ghcr.io/acme/ledger:1.14.2"',
         "ghcr.io/acme/ledger:1.14.2"),
        ('terraform: Error: Provider "registry.example.io/hashicorp/google" requires it',
         "registry.example.io/hashicorp/google"),
        ("W1014 reflector.go:539] k8s.io/client-go/informers/factory.go:159: failed to list",
         "k8s.io/client-go/informers/factory.go:159"),
        ("INFO 4 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }",
         "node-role.kubernetes.io/control-plane"),
        ("[ssl:warn] [pid 1] ERROR www.example.com:443:0 server certificate",
         "www.example.com:443"),
    ],
)  # fmt: skip
def test_code_paths_and_server_endpoints_in_machine_output_are_no_urls(
    text: str, value: str
) -> None:
    assert apply_machine_context(text, [span(text, value, "URL", URL)]) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("INFO cloning https://github.com/acme/ledger", "https://github.com/acme/ledger"),
        ("INFO profile github.com/jdoe opened", "github.com/jdoe"),  # an account
        ("INFO GET shop.example.com/u/jane?email=x", "shop.example.com/u/jane?email=x"),
        ("INFO visiting www.example.com/about/team", "www.example.com/about/team"),
        ("INFO cloning git@github.com/acme/ledger", "git@github.com/acme/ledger"),
        ("see github.com/acme/ledger/tree/main for it", "github.com/acme/ledger/tree/main"),
    ],
)
def test_links_stay_urls(text: str, value: str) -> None:
    assert values(text, apply_machine_context(text, [span(text, value, "URL", URL)])) == [
        (value, "URL")
    ]


def test_a_url_guess_that_starts_inside_a_file_path_is_that_path() -> None:
    text = 'ERROR open() "/usr/share/nginx/html/wp-login.php" failed (2: No such file)'
    found = [span(text, "usr/share/nginx/html/wp-login.php", "URL", "model")]
    assert apply_machine_context(text, found) == []


@pytest.mark.parametrize(
    ("text", "login"),
    [
        ('ERROR FATAL: password authentication failed for user "mkowalski"', "mkowalski"),
        ("[auth_basic:error] [pid 2240] AH01618: user ekarlsson not found: /private/", "ekarlsson"),
        ("sshd[21001]: Connection closed by authenticating user tpham 198.51.100.30", "tpham"),
        ("sshd[20331]: Accepted publickey for lmoreau from 198.51.100.9 port 50122", "lmoreau"),
        ("web-03 CRON[30113]: (hpatel) CMD (./nightly.sh)", "hpatel"),
        ("bastion sudo[20412]:  lmoreau : TTY=pts/0 ; USER=root", "lmoreau"),
        ("ERROR cannot open /home/jdoe/.ssh/config", "jdoe"),
        ("[Note] Aborted connection 412 to db: 'shop' user: 'jwilliams' host: 'db'", "jwilliams"),
        ('[auth] ERROR failed login for "bwright" from 45.33.12.8', "bwright"),
        ("ws-22 systemd[1]: Started Session 412 of User fbianchi.", "fbianchi"),
        ("INFO Principal = User:m.okafor is Denied Operation = Write", "m.okafor"),
        ("2026-11-03T10:00:00Z INFO Username: jsmith84, password reset requested", "jsmith84"),
        ("2026-11-03 12:00:01 WARN Login: jdoe failed from 10.0.0.3", "jdoe"),
        # a quoted name an authentication is for; vsftpd's and Slurm's fields
        ("Dec  3 03:08:51 aaa-1 tac_plus[4411]: login query for 'jbaek' port tty2", "jbaek"),
        ('level=info Auth.Handler: Authentication request for "kwame_fam" has succeeded.',
         "kwame_fam"),
        ("Thu Dec  3 03:17:20 2026 [pid 44120] [mstojanovic] OK LOGIN: Client", "mstojanovic"),
        ("JobId=1882044 UserId=sfifita(41208) GroupId=ml-research(4100)", "sfifita"),
        ("STC00041 00000090  ICH408I USER(TCHENG01) GROUP(FINAUD  )", "TCHENG01"),
    ],
)  # fmt: skip
def test_logins_where_machine_output_writes_them_are_usernames(text: str, login: str) -> None:
    assert (login, "USERNAME") in values(text, apply_machine_context(text, []))


@pytest.mark.parametrize(
    "text",
    [
        "CRON[4412]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
        "Nov 02 08:00:01 app-4 CRON[5201]: (CRON) info (No MTA installed, discarding output)",
        'ERROR User "system:serviceaccount:ci:runner" cannot list resource "secrets"',
        "WARN user session expired after 30m",
        "the user jdoe from accounting called",  # prose: not a machine line
        "# User@Host: reporting[reporting] @ localhost []  Id:   412",  # a job's account
    ],
)
def test_system_accounts_service_accounts_and_prose_are_no_logins(text: str) -> None:
    assert [v for v in values(text, apply_machine_context(text, [])) if v[1] == "USERNAME"] == []


def test_a_key_that_decides_the_type_masks_its_whole_value_over_a_guess() -> None:
    text = '{"type":"IAMUser","userName":"a.lindgren"}'
    found = [span(text, "a.lindgren", "PERSON", "model")]
    assert values(text, apply_machine_context(text, found)) == [("a.lindgren", "USERNAME")]


@pytest.mark.parametrize(
    ("text", "login"),
    [
        ("EventID 4625 Security ID: ACMEHQ\\o.lindahl Logon Type: 3", "o.lindahl"),
        ('{"level":"warn","msg":"logon refused for EU-WEST\\\\kpatel"}', "kpatel"),
        ("samba: denied access for domain user FINANCE\\rgarcia", "rgarcia"),
        ("INFO New Logon:\n\tAccount Name:\t\tv.moreau\n\tAccount Domain:\t\tACME", "v.moreau"),
        ("# User@Host: anovak[anovak] @  [10.1.2.3]  Id: 77", "anovak"),
        ("WARN pooler: billing/lcheng@10.9.8.7:40112 closing because: client close", "lcheng"),
        ("ovpn-2 openvpn[88]: mbauer/203.0.113.44:61022 TLS: Username/Password ok", "mbauer"),
        ('type=USER_AUTH msg=audit(1793596102.004:1): acct="tgreene" res=failed', "tgreene"),
        ("Auth: (41) Login incorrect (pap: bad pass): [hvogel/<via Auth-Type = PAP>]", "hvogel"),
        ("time=2026-11-03T10:00:00Z level=info actor=sbrandt action=repo.delete", "sbrandt"),
        ("t=2026-11-03T10:00:00Z level=info uname=ekim path=/api/dashboards", "ekim"),
        ('"principalArn":"arn:aws:iam::210987654321:user/dev/p.santos"', "p.santos"),
    ],
)
def test_logins_in_windows_mysql_pgbouncer_openvpn_audit_and_radius_lines_are_usernames(
    text: str, login: str
) -> None:
    assert (login, "USERNAME") in values(text, apply_machine_context(text, []))


@pytest.mark.parametrize(
    "text",
    [
        "EventID 4624 Account Name: SYSTEM Account Domain: NT AUTHORITY",
        "Subject: Security ID: NT AUTHORITY\\SYSTEM Logon Type: 5",
        "Loaded C:\\WINDOWS\\system32\\ntdll.dll at 0x7ffb",  # a path, not DOMAIN\\user
        "EventID 4624 Account Name: WS-0412$ Account Domain: ACME",  # a computer account
        '{"eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Success"}}',
    ],
)
def test_built_in_accounts_paths_computer_accounts_and_outcomes_are_no_logins(text: str) -> None:
    assert [v for v in values(text, apply_machine_context(text, [])) if v[1] == "USERNAME"] == []


@pytest.mark.parametrize(
    ("text", "value", "entity_type", "detector"),
    [
        ("WARN dial tcp 127.0.0.1:5432: connect: connection refused", "127.0.0.1", "IP_ADDRESS",
         "pattern:IP_ADDRESS"),
        ("level=info msg=\"listening\" addr=0.0.0.0:9090", "0.0.0.0", "IP_ADDRESS",
         "pattern:IP_ADDRESS"),
        ("INFO bound to [::1]:8125 (udp)", "::1", "IP_ADDRESS", "pattern:IP_ADDRESS"),
        ("INFO Now listening on: http://[::]:5000", "http://[::]:5000", "URL", "pattern:URL"),
        ("INFO dev server ready at http://localhost:5173/", "http://localhost:5173/", "URL",
         "pattern:URL"),
        ("WARN compaction took 12 ms, segment 5521093377 sealed", "5521093377", "PHONE_NUMBER",
         "pattern:PHONE_NUMBER"),
        ('{"client_ip":"edge-7.example.net","level":"info"}', "edge-7.example.net",
         "DOMAIN_NAME", "pattern:DOMAIN_NAME"),
    ],
)  # fmt: skip
def test_loopback_addresses_local_urls_bare_digit_runs_and_host_names_in_ip_fields_are_kept(
    text: str, value: str, entity_type: str, detector: str
) -> None:
    assert apply_machine_context(text, [span(text, value, entity_type, detector)]) == []


@pytest.mark.parametrize(
    ("text", "value", "entity_type", "detector"),
    [
        # a public or private address of a device, a link to a public host
        ("WARN dial tcp 10.2.3.4:5432: connect: connection refused", "10.2.3.4", "IP_ADDRESS",
         "pattern:IP_ADDRESS"),
        ("INFO redirect to http://www.example.org/u/kim", "http://www.example.org/u/kim", "URL",
         "pattern:URL"),
        # a phone number written as one, or with a phone word before it
        ("WARN sms to +4915123456789 failed", "+4915123456789", "PHONE_NUMBER",
         "pattern:PHONE_NUMBER"),
        ("INFO callback requested, phone 4155550123, ticket=88", "4155550123", "PHONE_NUMBER",
         "pattern:PHONE_NUMBER"),
        # loopback in prose is not machine output: masked as every IP address is
        ("my laptop says 127.0.0.1 is home", "127.0.0.1", "IP_ADDRESS", "pattern:IP_ADDRESS"),
    ],
)  # fmt: skip
def test_device_addresses_public_links_and_written_phone_numbers_stay(
    text: str, value: str, entity_type: str, detector: str
) -> None:
    found = span(text, value, entity_type, detector)
    assert values(text, apply_machine_context(text, [found])) == [(value, entity_type)]


@pytest.mark.parametrize(
    ("text", "value", "entity_type", "detector"),
    [
        ("2026-11-03 10:00:01 INFO main : Jetty started on port 8080", "Jetty", "PERSON", "model"),
        ("[Broker id=2] INFO Expanding ISR from 2 to 2,3", "Expanding ISR", "PERSON", "model"),
        ("2026-11-03T10:00:01Z WARN worker: TLS handshake failed", "TLS handshake", "PERSON",
         "model"),
        ("sidekiq@queue-7 ready, concurrency=5", "sidekiq@", "PERSON", "model"),
        # the first word of a structured line's message field opens a message too
        ('{"level":"info","msg":"Undertow listening on :9000"}', "Undertow", "PERSON", "model"),
        ("ts=1 level=info message='Quartz scheduler paused'", "Quartz", "PERSON", "model"),
        # the separator after a log level is no part of the guess
        ("2026-12-03 06:59:50,771 INFO  - Purge storage fs1: deleted 4120 objects",
         "INFO  - Purge", "PERSON", "ner:en_core_web_sm"),
    ],
)  # fmt: skip
def test_a_lone_guess_opening_a_log_message_and_a_node_name_are_no_persons(
    text: str, value: str, entity_type: str, detector: str
) -> None:
    assert apply_machine_context(text, [span(text, value, entity_type, detector)]) == []


@pytest.mark.parametrize(
    ("text", "value", "entity_type", "detector"),
    [
        ("2026-11-03 10:00:01 INFO support : Jane Okoro opened ticket 88", "Jane Okoro",
         "PERSON", "model"),
        ("2026-11-03 10:00:01 INFO support : paging Amir Haddad", "Amir Haddad", "PERSON",
         "model"),
        ('{"level":"warn","msg":"Ines Moreau changed her e-mail"}', "Ines Moreau", "PERSON",
         "model"),
    ],
)  # fmt: skip
def test_a_full_name_opening_a_message_or_after_a_verb_stays(
    text: str, value: str, entity_type: str, detector: str
) -> None:
    found = span(text, value, entity_type, detector)
    assert values(text, apply_machine_context(text, [found])) == [(value, entity_type)]


@pytest.mark.parametrize(
    ("text", "guess", "handle"),
    [
        ("remote: push to acme/infra.git denied to mfischer-ci.", "mfischer", "mfischer-ci"),
        ("disk quota exceeded for dwhitfield_adm today", "dwhitfield", "dwhitfield_adm"),
    ],
)
def test_a_one_word_name_guess_inside_a_handle_covers_the_handle(
    text: str, guess: str, handle: str
) -> None:
    found = [span(text, guess, "PERSON", "model")]
    assert values(text, apply_machine_context(text, found)) == [(handle, "PERSON")]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("#12 0.417 Fetched 8421 kB in 2s", "12 0.417"),  # BuildKit: step and seconds
        ("step 3 12.250 Oakland", "3 12.250"),  # a decimal beside a place is still no number
    ],
)
def test_a_street_guess_of_numbers_with_a_decimal_fraction_is_no_address(
    text: str, value: str
) -> None:
    found = [span(text, value, "STREET_ADDRESS")]
    assert gate_address_guesses(text, found) == []


def test_a_typed_id_makes_a_line_machine_output() -> None:
    text = "Preparing runner\n  on shared-runner-7 kQ2x9Zp4, system ID: s_9c8b7a6f5e4d"
    found = [span(text, "kQ2x9Zp4", "DRIVER_LICENSE"), span(text, "shared-runner", "PERSON")]
    assert apply_machine_context(text, found) == []


def test_a_name_guess_on_a_new_line_does_not_grow_over_the_line_before() -> None:
    text = "INFO synced 12 rows.\nmarco joined"
    found = [span(text, "marco", "PERSON", "model+ner:en_core_web_sm")]
    assert values(text, apply_machine_context(text, found)) == [("marco", "PERSON")]


@pytest.mark.parametrize(
    ("text", "machine_lines"),
    [
        ("Where's Kishan?", []),
        ('Exception in thread "main" java.lang.OutOfMemoryError: Java heap space', [0]),
        ("Thanks, Ann\nlatency_ms=12 node=web-3", [12]),
        ("sshd[2211]: Accepted key\nsee you soon\nERROR disk full", [0, 38]),
    ],
)
def test_lines_read_as_machine_output_from_their_shape_alone(
    text: str, machine_lines: list[int]
) -> None:
    assert sorted(machine_line_starts(text)) == machine_lines


@pytest.mark.parametrize(
    ("text", "value", "entity_type", "detector"),
    [
        # a field name is no one's handle, whatever pattern matched it
        ('{"@t":"2027-01-05T08:00:00Z","@l":"Warning","@mt":"Retry {N}"}', "@l", "USERNAME",
         "pattern:USERNAME"),
        ("@cursor=88 @limit=20 status=ok", "@limit", "USERNAME", "pattern:USERNAME"),
        # the port of an IP address and the number after it are no phone number
        ('[WARN] 192.0.2.80:53122 - 41877 "AAAA IN api.example.org. udp 41"', "53122 - 41877",
         "PHONE_NUMBER", "pattern:PHONE_NUMBER"),
        ("peer [2001:db8::5]:40112 - 77120 closed", "40112 - 77120", "PHONE_NUMBER",
         "pattern:PHONE_NUMBER"),
        # three short dotted numbers in machine output: a version
        ("INFO starting runtime 18.12.10 on linux", "18.12.10", "DATE_TIME", "pattern:DATE_TIME"),
        ("  - Engine: prisma 21.3.24 (build=a1b2c3)", "21.3.24", "DATE_TIME", "pattern:DATE_TIME"),
        # a bucket's path is no link of anyone's
        ("INFO wrote 4 files to gs://exports-eu/daily/part-0001.avro", "gs://exports-eu/daily/",
         "URL", "model"),
        ("ERROR listing hdfs://nn-1:8020/warehouse/raw failed", "hdfs://nn-1:8020/warehouse/raw",
         "URL", "pattern:URL"),
        # a Windows update's Knowledge Base number beside an update word
        ("Security Update for Windows 11 (KB5044284) installed", "KB5044284", "PASSPORT", "model"),
        ("hotfix KB4589212 pending reboot", "KB4589212", "DRIVER_LICENSE", "model"),
        # a greeting is a wish, not a name
        ("Deployment finished. Happy Shipping!", "Happy Shipping", "PERSON", "ner:en_core_web_sm"),
        ("Good Evening! Build 88 is green", "Good Evening", "PERSON", "model"),
    ],
)  # fmt: skip
def test_keys_ports_versions_storage_paths_kb_numbers_and_greetings_are_not_pii(
    text: str, value: str, entity_type: str, detector: str
) -> None:
    assert (
        values(text, apply_machine_context(text, [span(text, value, entity_type, detector)])) == []
    )


@pytest.mark.parametrize(
    ("text", "value", "entity_type", "detector"),
    [
        ('{"ops@acme.example": 3}', "ops@acme.example", "EMAIL_ADDRESS", "pattern:EMAIL_ADDRESS"),
        ('{"retries":{"+447700900123":3}}', "+447700900123", "PHONE_NUMBER",
         "pattern:PHONE_NUMBER"),
        ("sms to +44 7700 900123 from 192.0.2.8", "+44 7700 900123", "PHONE_NUMBER",
         "pattern:PHONE_NUMBER"),
        ("INFO patient born 14.2.15 admitted", "14.2.15", "DATE_TIME", "pattern:DATE_TIME"),
        ("we met on 14.2.15 in Lyon", "14.2.15", "DATE_TIME", "pattern:DATE_TIME"),  # prose
        ("INFO shared https://files.example.org/s/ab12 with a client", "https://files.example.org"
         "/s/ab12", "URL", "pattern:URL"),
        ("passport KB1234567 expired", "KB1234567", "PASSPORT", "model"),  # no update word
        ("Good Morning Maria! Your order shipped", "Maria", "PERSON", "model"),
        ("Happy Jon Ellis!", "Happy Jon Ellis", "PERSON", "model"),  # more than the wish
    ],
)  # fmt: skip
def test_key_e_mails_real_phones_personal_dates_web_links_and_names_stay(
    text: str, value: str, entity_type: str, detector: str
) -> None:
    found = span(text, value, entity_type, detector)
    assert values(text, apply_machine_context(text, [found])) == [(value, entity_type)]


def test_a_date_in_a_path_partition_is_an_event_time() -> None:
    text = "INFO reading s3://warehouse/events/ds=2026-10-30/hour=07/ (12 files)"
    found = [span(text, "2026-10-30", "DATE_TIME", "pattern:DATE_TIME")]
    assert values(text, apply_machine_context(text, found)) == [("2026-10-30", "EVENT_TIME")]


@pytest.mark.parametrize(
    ("text", "guess"),
    [
        ('{"level":"info","user":"mfischer","action":"login"}', "mfischer"),
        ("ts=2027-01-05T08:00:00Z level=info user=t.kowalczyk op=upload", "t.kowalczyk"),
    ],
)
def test_a_name_guess_on_a_login_keys_one_token_value_is_that_login(text: str, guess: str) -> None:
    found = [span(text, guess, "PERSON", "model")]
    assert values(text, apply_machine_context(text, found)) == [(guess, "USERNAME")]


@pytest.mark.parametrize(
    ("text", "guess", "expected"),
    [
        ('{"level":"info","user":"Maria Lopez"}', "Maria Lopez", [("Maria Lopez", "PERSON")]),
        ('{"level":"info","user":"root"}', "root", []),
    ],
)
def test_a_login_keys_full_name_stays_a_name_and_a_system_account_no_login(
    text: str, guess: str, expected: list[tuple[str, str]]
) -> None:
    found = [span(text, guess, "PERSON", "model")]
    assert [
        v for v in values(text, apply_machine_context(text, found)) if v[0] == guess
    ] == expected


@pytest.mark.parametrize(
    ("text", "first"),
    [
        (
            '{"user":"okafor.e","path":"/srv/share/okafor.e/report.pdf",'
            '"msg":"quota exceeded: okafor.e"}',
            "okafor.e",
        ),
        ("sshd[411]: Accepted password for dvance from 198.51.100.7 port 50123 ssh2 "
         "(home=/export/dvance)", "dvance"),
    ],
)  # fmt: skip
def test_a_login_found_once_is_masked_wherever_the_line_writes_it(text: str, first: str) -> None:
    found = [span(text, first, "PERSON", "model")] if '"user"' in text else []
    masked = [v for v in values(text, apply_machine_context(text, found)) if v[0] == first]
    assert masked == [(first, "USERNAME")] * text.count(first)


@pytest.mark.parametrize(
    ("text", "login"),
    [
        ('conn=1042 op=3 SRCH base="uid=pnakamura,ou=staff,dc=corp,dc=example" scope=0',
         "pnakamura"),
        ("dn: uid=a.berg, ou=people, dc=example, dc=org", "a.berg"),
    ],
)  # fmt: skip
def test_the_user_id_of_an_ldap_distinguished_name_is_a_login(text: str, login: str) -> None:
    assert (login, "USERNAME") in values(text, apply_machine_context(text, []))


@pytest.mark.parametrize(
    "text",
    [
        'conn=7 op=1 BIND dn="uid=root,ou=system" method=128',  # a system account
        "proc started uid=1001 gid=1001",  # a numeric user id
        "filter (uid=jdoe) returned 0 entries",  # a search filter, no DN
    ],
)
def test_ldap_system_accounts_numeric_ids_and_filters_are_no_dn_logins(text: str) -> None:
    assert [v for v in values(text, apply_machine_context(text, [])) if v[1] == "USERNAME"] == []


@pytest.mark.parametrize(
    ("text", "value", "entity_type", "detector"),
    [
        # words on the next line of machine output are not this number's street
        ("INFO: 88 actions: 31 cached, 57 remote\nINFO: Build finished", "31 cached, 57 remote",
         "STREET_ADDRESS", "model"),
        # no postal code is followed by a unit or a rate, however it was found
        ("stats: 12 req/s, in 30522 B/s, out 9120 B/s", "30522", "ZIP_CODE", "pattern:ZIP_CODE"),
        ("replication lag, in 44120 KiB/s", "44120", "ZIP_CODE", "model"),
    ],
)  # fmt: skip
def test_numbers_beside_other_lines_or_units_are_no_address(
    text: str, value: str, entity_type: str, detector: str
) -> None:
    found = [span(text, value, entity_type, detector)]
    assert gate_address_guesses(text, found, lambda _: True) == []


def test_a_street_on_a_prose_line_may_take_its_town_from_the_next_line() -> None:
    text = "Ship to 31 Cedar Row\nPortland"
    found = [span(text, "31 Cedar Row", "STREET_ADDRESS", "model")]
    assert gate_address_guesses(text, found) == found


@pytest.mark.parametrize(
    ("text", "value", "entity_type", "detector"),
    [
        # host names in machine output are machines'
        ("[2027-03-01 10:00:00] staging.INFO: cache warmed", "staging.INFO", "DOMAIN_NAME",
         "pattern:DOMAIN_NAME"),
        ("ERROR upload to media-eu.s3.eu-central-1.amazonaws.com timed out",
         "media-eu.s3.eu-central-1.amazonaws.com", "DOMAIN_NAME", "pattern:DOMAIN_NAME"),
        # a count under an address-named key
        ('{"event_type":"stats","decoder":{"ipv4":88120311,"ipv6":40211}}', "88120311",
         "IP_ADDRESS", "model"),
        # an extension at a phone system is no mailbox
        ("INFO call from sip:2207@voip.example.net answered", "2207@voip.example.net",
         "EMAIL_ADDRESS", "model"),
        ("2027-03-01 10:00:00 [INFO] Channel [sofia/lan/318@pbx-2.example] hung up",
         "sofia/lan/318@pbx-2.example", "EMAIL_ADDRESS", "pattern:EMAIL_ADDRESS"),
        # an identifier with underscores and digits on a line an error code opens
        ('ORA-30036: unable to extend segment by 8 in undo tablespace "_UNDO_TS02_7741"',
         "_UNDO_TS02_7741", "PERSON", "model"),
    ],
)  # fmt: skip
def test_hosts_counts_extensions_and_identifiers_in_machine_output_are_not_pii(
    text: str, value: str, entity_type: str, detector: str
) -> None:
    assert (
        values(text, apply_machine_context(text, [span(text, value, entity_type, detector)])) == []
    )


def test_a_bracketed_epoch_opening_a_line_is_an_event_time() -> None:
    text = "[1793600000] HOST ALERT: web-4;DOWN;SOFT;1;PING CRITICAL - Packet loss = 100%"
    found = [span(text, "1793600000", "TAX_ID", "model")]
    assert values(text, apply_machine_context(text, found)) in ([], [("1793600000", "EVENT_TIME")])


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("[1793600000] SERVICE ALERT: db-1;Disk;WARNING;HARD;3;disk 91% full", [0]),
        ("resolver[2201:3] info: 812 queries, 790 answers from cache", [0]),
        ("TNS-12541: TNS:no listener", [0]),
    ],
)
def test_epoch_headers_pid_and_thread_and_error_codes_mark_machine_lines(
    text: str, lines: list[int]
) -> None:
    assert sorted(machine_line_starts(text)) == lines


def test_an_e_mail_after_a_channel_path_is_the_address_after_its_last_slash() -> None:
    text = "2027-03-01 10:00:00 [NOTICE] New Channel sofia/ext/+447700900123@trunk.example up"
    found = [span(text, "sofia/ext/+447700900123@trunk.example", "EMAIL_ADDRESS", "pattern:EMAIL")]
    assert values(text, apply_machine_context(text, found)) == [
        ("+447700900123@trunk.example", "EMAIL_ADDRESS")
    ]


@pytest.mark.parametrize(
    ("text", "login"),
    [
        ("[00:10:02] [Server thread/INFO]: QuietOtter12[/203.0.113.71:50211] logged in",
         "QuietOtter12"),
        ("[2027-03-01T10:00:00Z] 4411 nexus-request [GET] for hmorita/10.9.1.7.", "hmorita"),
    ],
)  # fmt: skip
def test_a_login_before_the_address_it_came_from_is_a_username(text: str, login: str) -> None:
    # the date recognizer's event time marks the line as machine output
    found = (
        [span(text, "2027-03-01T10:00:00Z", "EVENT_TIME", "pattern:DATE_TIME")]
        if "2027" in text
        else []
    )
    assert (login, "USERNAME") in values(text, apply_machine_context(text, found))


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-20 15:30:40,004 - octoprint - INFO - Print job started - owner: _api, user: _api",
        "Starting Klippy... Args: ['/home/pi/klipper/klippy/klippy.py', '-I', '/tmp/k.serial']",
    ],
)
def test_daemon_and_image_default_accounts_are_no_logins(text: str) -> None:
    assert [v for v in values(text, apply_machine_context(text, [])) if v[1] == "USERNAME"] == []


def test_a_devices_privilege_level_account_is_no_login() -> None:
    text = "Mar  1 10:00:00 fw-2 %ASA-5-111008: User 'enable_1' executed the 'show run' command."
    assert [v for v in values(text, apply_machine_context(text, [])) if v[1] == "USERNAME"] == []


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ("Mar 01 10:00:00 kdc-2 krb5kdc[88](info): AS_REQ 10.1.2.3: ISSUE: authtime 1, "
         "mokafor@EXAMPLE.ORG for krbtgt/EXAMPLE.ORG@EXAMPLE.ORG", "mokafor@EXAMPLE.ORG",
         [("mokafor", "USERNAME")]),
        ("Mar 01 10:00:00 kdc-2 krb5kdc[88](info): TGS_REQ 10.1.2.3: ISSUE: authtime 1, "
         "HTTP/web-3.example.org@EXAMPLE.ORG", "HTTP/web-3.example.org@EXAMPLE.ORG", []),
        ("ipa: INFO: [jsonserver_kerb] host/ipa-2.corp.example.net@CORP.EXAMPLE.NET: ping()",
         "ipa-2.corp.example.net@CORP.EXAMPLE.NET", []),
        ("ERROR bounce for JWALSH@ACME.EXAMPLE", "JWALSH@ACME.EXAMPLE",
         [("JWALSH@ACME.EXAMPLE", "EMAIL_ADDRESS")]),
    ],
)  # fmt: skip
def test_a_kerberos_principal_is_a_login_or_a_service_not_a_mailbox(
    text: str, value: str, expected: list[tuple[str, str]]
) -> None:
    found = [span(text, value, "EMAIL_ADDRESS", "pattern:EMAIL_ADDRESS")]
    assert [
        v for v in values(text, apply_machine_context(text, found)) if v[1] != "IP_ADDRESS"
    ] == (expected)


@pytest.mark.parametrize(
    ("text", "value", "entity_type", "detector"),
    [
        ("2027-03-01 10:00:00 INFO client @0x55d1c2a0 203.0.113.9#5353: query", "@0x55d1c2a0",
         "USERNAME", "pattern:USERNAME"),
        ('[2027-03-01 10:00:00] local.ERROR: {"exception":"(Illuminate\\\\Queue\\\\MaxAttempts)"}',
         "Illuminate", "PERSON", "model"),
    ],
)  # fmt: skip
def test_memory_addresses_and_namespaces_are_no_handles_or_names(
    text: str, value: str, entity_type: str, detector: str
) -> None:
    assert (
        values(text, apply_machine_context(text, [span(text, value, entity_type, detector)])) == []
    )


def test_an_ip_host_of_a_url_under_a_non_pii_key_is_still_an_ip_address() -> None:
    text = 'level=warn ts=2027-03-01T10:00:00Z target=http://10.9.4.21:9100/metrics msg="down"'
    found = [span(text, "http://10.9.4.21:9100/metrics", "URL", "pattern:URL")]
    assert ("10.9.4.21", "IP_ADDRESS") in values(text, apply_machine_context(text, found))


def test_a_host_on_a_line_only_a_timestamp_marks_stays_unless_it_holds_a_digit() -> None:
    text = '"lawfirm-example.com" added these notes on 05/02/01 09:12:40'
    stamp = span(text, "05/02/01 09:12:40", "EVENT_TIME", "pattern:DATE_TIME")
    found = [span(text, "lawfirm-example.com", "DOMAIN_NAME", "pattern:DOMAIN_NAME"), stamp]
    assert ("lawfirm-example.com", "DOMAIN_NAME") in values(
        text, apply_machine_context(text, found)
    )
    text = "[02/Mar/2027:10:00:00 +0000] GET assets-7.cdn.example.org 200"
    stamp = span(text, "02/Mar/2027:10:00:00 +0000", "EVENT_TIME", "pattern:DATE_TIME")
    found = [span(text, "assets-7.cdn.example.org", "DOMAIN_NAME", "pattern:DOMAIN_NAME"), stamp]
    assert values(text, apply_machine_context(text, found)) == [
        ("02/Mar/2027:10:00:00 +0000", "EVENT_TIME")
    ]


@pytest.mark.parametrize(
    ("text", "messages"),
    [
        ('level=warn msg="locked for Ada Byrne" user=ab', ["locked for Ada Byrne"]),
        ('{"level":"info","message":"Ada Byrne signed in","count":3}', ["Ada Byrne signed in"]),
        ("level=warn msg=locked src=auth", []),  # a bare token is no message of prose
        ('level=warn service="auth api"', []),  # a quoted value of a key that is no message
    ],
)
def test_free_text_values_are_the_quoted_values_of_message_keys(
    text: str, messages: list[str]
) -> None:
    found = free_text_values(text, find_fragments(text))
    assert [text[start:end] for start, end in found] == messages


@pytest.mark.parametrize(
    ("text", "value", "entity_type", "detector"),
    [
        # the model alone on numbers: a clock's fraction, two columns, a counter
        ("03-14 09:12:44.207  5120  5133 I ActivityManager: Start proc", "44.207",
         "PHONE_NUMBER", "model"),
        ("03-14 09:12:44.207  5120  5133 I ActivityManager: Start proc", "5120  5133",
         "PHONE_NUMBER", "model"),
        ("ERROR sync job=88 lag 0441223891 behind", "0441223891", "TAX_ID", "model"),
        # a number joined to an identifier's letters
        ("INFO GET /api/orders/ORD-2027-551902 200", "2027-551902", "PHONE_NUMBER",
         "pattern:PHONE_NUMBER"),
        ("WARN retry build-4471-2210-88 queued", "4471-2210", "PHONE_NUMBER",
         "pattern:PHONE_NUMBER"),
        # a ZIP guess without a digit, a spaced "@", a call id's mailbox
        ("INFO ticket QA-2210 moved by rule", "QA", "ZIP_CODE", "model"),
        ("INFO snapshot taken @ seqNo 88120 in 12ms", "@ seqNo", "USERNAME",
         "pattern:USERNAME"),
        ("INFO [9f3ac01b77de@sbc.example.net] call ended", "9f3ac01b77de@sbc.example.net",
         "EMAIL_ADDRESS", "pattern:EMAIL_ADDRESS"),
        # a CamelCase code word makes no street
        ("INFO 5xx 503 SlowDownResponse 88 - 12 retried", "503 SlowDownResponse 88 - 12",
         "STREET_ADDRESS", "model"),
    ],
)  # fmt: skip
def test_numbers_ids_and_service_accounts_in_machine_output_are_not_pii(
    text: str, value: str, entity_type: str, detector: str
) -> None:
    assert values(
        text, apply_machine_context(text, [span(text, value, entity_type, detector)])
    ) in (
        [],
        [(value, "EVENT_TIME")],
    )


@pytest.mark.parametrize(
    ("text", "value", "entity_type", "detector"),
    [
        # an international prefix keeps the model's find
        ("INFO sms sent to +14155550148 ok", "+14155550148", "PHONE_NUMBER", "model"),
        # a pattern's phone standing alone stays
        ("INFO callback requested, phone 415-555-0148", "415-555-0148", "PHONE_NUMBER",
         "pattern:PHONE_NUMBER"),
        # a person's login stays, a mailbox stays
        ('level=info msg="job done" user=mfarouk', "mfarouk", "USERNAME", "context:KEY"),
        ("INFO invite sent to dana.whitfield@example.org", "dana.whitfield@example.org",
         "EMAIL_ADDRESS", "pattern:EMAIL_ADDRESS"),
        # in prose a ZIP guess is left to the address gate, not to the machine rules
        ("Please ship it to the QA desk.", "QA", "ZIP_CODE", "model"),
    ],
)  # fmt: skip
def test_phones_logins_and_mailboxes_in_machine_output_stay(
    text: str, value: str, entity_type: str, detector: str
) -> None:
    found = apply_machine_context(text, [span(text, value, entity_type, detector)])
    assert (value, entity_type) in values(text, found) or entity_type == "ZIP_CODE"


@pytest.mark.parametrize(
    ("text", "date", "kept_as"),
    [
        ("2027-03-14 09:12:44 INFO restore done, backup date: 2027/03/10, pages 4412",
         "2027/03/10", "EVENT_TIME"),
        ("2027-03-14\t09:12:44\tFRA2\t203.0.113.9\tGET", "2027-03-14", "EVENT_TIME"),
        ("2027-03-14 09:12:44 INFO patient registered dob=1984-02-29", "1984-02-29", "DATE_TIME"),
        ("2027-03-14 09:12:44 INFO applicant born 1990-07-01 verified", "1990-07-01",
         "DATE_TIME"),
    ],
)  # fmt: skip
def test_a_date_on_a_machine_line_is_an_event_time_unless_a_personal_word_says_otherwise(
    text: str, date: str, kept_as: str
) -> None:
    found = apply_machine_context(text, [span(text, date, "DATE_TIME", "pattern:DATE_TIME")])
    assert (date, kept_as) in values(text, found)


@pytest.mark.parametrize(
    "text",
    [
        'level=info msg="job done" user=admin',
        "INFO deploy started by user svc-payments from 10.0.0.4",
        'level=info msg="sync" user="jenkins-svc"',
        "INFO merge queued by user renovate[bot]",
    ],
)
def test_service_and_system_accounts_are_no_logins(text: str) -> None:
    assert [v for v in values(text, apply_machine_context(text, [])) if v[1] == "USERNAME"] == []


@pytest.mark.parametrize(
    ("text", "logins"),
    [
        ("Mar  3 10:00:01 gw openvpn[88]: auth succeeded for username 'rkaminski'", ["rkaminski"]),
        ("2027-03-01 10:00:00 INFO user_name: 'ebalogun' logged in", ["ebalogun"]),
        ("2027-03-01 10:00:00 INFO VPN login, User name: CORP\\tnguyen, Auth type: saml",
         ["tnguyen"]),
    ],
)  # fmt: skip
def test_a_user_name_key_written_in_words_introduces_a_login_not_the_word_name(
    text: str, logins: list[str]
) -> None:
    found = values(text, apply_machine_context(text, []))
    assert [v for v, t in found if t == "USERNAME"] == logins


@pytest.mark.parametrize(
    ("text", "value", "entity_type"),
    [
        # Unix time in seconds and milliseconds, in prose and in logs
        ("job finished at 1764637882 with warnings", "1764637882", "TAX_ID"),
        ("cursor 1764637882118 reached", "1764637882118", "PHONE_NUMBER"),
        ("ts 2047483647 next", "2047483647", "US_BANK_NUMBER"),
        # a code identifier of three capitalised humps
        ("INFO crash in ProfileViewController at launch", "ProfileViewController", "PERSON"),
        ("ERROR raised NoSuchBucketPolicy", "NoSuchBucketPolicy", "LOCATION"),
        ("well done # PatOnTheBackAgain", "PatOnTheBackAgain", "PERSON"),
    ],
)
def test_epoch_numbers_and_code_identifiers_are_no_ids_phones_or_names(
    text: str, value: str, entity_type: str
) -> None:
    found = apply_machine_context(text, [span(text, value, entity_type, "model")])
    assert values(text, found) == []


@pytest.mark.parametrize(
    ("text", "value", "entity_type"),
    [
        # a word before the number names a document or a phone
        ("my tax id is 1764637882", "1764637882", "TAX_ID"),
        ("call me on 1764637882 tonight", "1764637882", "PHONE_NUMBER"),
        # past the 32-bit range no logger writes it
        ("ref 2200000000 noted", "2200000000", "PHONE_NUMBER"),
        # a document number named before or after it
        ("passport no. 912803456 verified", "912803456", "PASSPORT"),
        ("scanned D1234567 (driver license)", "D1234567", "DRIVER_LICENSE"),
        ("card number 4000123412341234", "4000123412341234", "US_BANK_NUMBER"),
        # a name of two humps, and one that both models found
        ("Dear Mr McDonald, thanks", "McDonald", "PERSON"),
        ("met DeShawnMcArthurson today", "DeShawnMcArthurson", "PERSON"),
        # in prose, a handle of three humps
        ("RT EnyaPallett : LaurenEllisHall such a joker", "LaurenEllisHall", "PERSON"),
        # more letters than digits: a handle or a name the model typed wrong
        ("Congrats jakclark95 lad", "jakclark95", "DRIVER_LICENSE"),
    ],
)
def test_numbers_with_context_and_names_of_few_humps_stay(
    text: str, value: str, entity_type: str
) -> None:
    detector = "model+ner:en_core_web_sm" if value == "DeShawnMcArthurson" else "model"
    if value == "LaurenEllisHall":
        detector = "ner:en_core_web_sm"
    found = apply_machine_context(text, [span(text, value, entity_type, detector)])
    assert (value, entity_type) in values(text, found)


@pytest.mark.parametrize(
    ("text", "logins"),
    [
        ("remote: Permission to acme/infra.git denied to lvestergaard.", ["lvestergaard"]),
        ("1772443522: Client okwame-laptop disconnected, not authorised.", ["okwame-laptop"]),
        ("DHCPACK on 10.0.4.12 (Priyas-MacBook-Pro) via eth0", ["Priyas-MacBook-Pro"]),
        ("mdns: resolved rtanaka-mbp.local to 10.0.4.13", ["rtanaka-mbp"]),
        ("lease to kiosk-ipad renewed; lab-workstation idle", []),
        ("Merge pull request #881 from acme/perf/json-decoder", []),
    ],
)
def test_git_hostings_refused_account_and_devices_named_for_their_owner_are_logins(
    text: str, logins: list[str]
) -> None:
    found = values(text, apply_machine_context(text, []))
    assert [v for v, t in found if t == "USERNAME"] == logins


@pytest.mark.parametrize(
    ("text", "starts"),
    [
        ("one line", {0}),
        ("a\nb\n\nc", {0, 2, 4, 5}),
        ("ends with a newline\n", {0, 20}),
    ],
)
def test_every_line_starts_where_the_deployment_says_all_text_is_machine_output(
    text: str, starts: set[int]
) -> None:
    assert all_line_starts(text) == starts


@pytest.mark.parametrize(
    ("text", "value", "entity_type"),
    [
        ("build H12234567 promoted", "H12234567", "DRIVER_LICENSE"),
        ("order 3222-7162-7 shipped", "3222-7162-7", "US_BANK_NUMBER"),
        ("serial 88120441 registered", "88120441", "GOVERNMENT_ID"),
    ],
)
def test_a_code_no_word_names_as_a_document_is_no_document_number(
    text: str, value: str, entity_type: str
) -> None:
    found = apply_machine_context(text, [span(text, value, entity_type, "model")])
    assert values(text, found) == []


@pytest.mark.parametrize(
    ("text", "code", "street", "kept_as"),
    [
        ("233 S Wacker Dr 606066306", "606066306", "233 S Wacker Dr", "ZIP_CODE"),
        ("W210 N16570 Glencoe Ln Jackson", "W210", "Glencoe Ln", "STREET_ADDRESS"),
    ],
)
def test_an_unnamed_code_beside_an_address_is_part_of_the_address(
    text: str, code: str, street: str, kept_as: str
) -> None:
    given = [
        span(text, street, "STREET_ADDRESS", "model"),
        span(text, code, "GOVERNMENT_ID", "model"),
    ]
    if code == "W210":
        given.append(span(text, "N16570", "DRIVER_LICENSE", "model"))
    found = apply_machine_context(text, sorted(given))
    assert (code, kept_as) in values(text, found)


def test_a_national_phone_number_the_model_typed_as_a_document_is_kept_as_a_phone() -> None:
    text = "Minat hub 087796888831 ya"
    found = apply_machine_context(text, [span(text, "087796888831", "TAX_ID")])
    assert values(text, found) == [("087796888831", "PHONE_NUMBER")]


@pytest.mark.parametrize(
    ("text", "logins"),
    [
        ("INFO PR #219 in platform/helm-charts merged by abenali", ["abenali"]),
        ("2026-12-02 WARN [qtp11-4502] tkowalski org.acme.Facet - status changed", ["tkowalski"]),
        ("audit: action=role.grant target=ssingh role=admin", ["ssingh"]),
        ("CONFIG,0,0,src=10.1.10.5,,set,mchen,Web,Succeeded", ["mchen"]),
        # pieces of hosts, paths, programs and keys, and words, are no logins
        ("host=jmarsh-dev path=/home/x/jmarsh.txt jmarsh=1 jmarsh.example", []),
        ("poller[15495] finished; Sessions poller started; level=info", []),
        ("Started orders.service in 2.1s (bloke promo comma lotto)", []),
    ],
)
def test_a_token_on_a_machine_line_shaped_like_a_login_is_one_wherever_it_stands(
    text: str, logins: list[str]
) -> None:
    found = values(text, apply_machine_context(text, []))
    assert [v for v, t in found if t == "USERNAME"] == logins


def test_a_login_shaped_token_in_prose_is_left_to_the_models() -> None:
    text = "I told abenali we would meet on Friday"
    assert values(text, apply_machine_context(text, [])) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("payment ok card=visa card_present=true amount=12.00", []),
        ("kyc check ssn=verified status=ok", []),
        ("charge card=4111111111111111 status=ok", [("4111111111111111", "CREDIT_CARD")]),
    ],
)
def test_a_key_decides_a_values_type_only_where_the_value_can_be_of_it(
    text: str, expected: list[tuple[str, str]]
) -> None:
    found = apply_machine_context(text, [])
    assert [(v, t) for v, t in values(text, found) if t != "EVENT_TIME"] == expected


@pytest.mark.parametrize(
    ("text", "machine"),
    [
        ("deployed 1.19.50 to web-29 after review", True),  # a release and a host
        ("sync 4f1a2b3c9d took 812ms", True),  # a hash and a duration
        ("picked from org.acme.billing and a9f3c1d2e4", True),  # a dotted name and a hash
        ("we upgraded to 1.19.50 last week", False),  # one such token is prose's too
        ("call 713.837.1638 or 281.848.1619", False),  # dotted phone numbers are no releases
    ],
)
def test_a_line_with_two_tokens_only_machines_write_reads_as_machine_output(
    text: str, machine: bool
) -> None:
    assert (0 in machine_line_starts(text)) is machine


def test_a_record_printed_one_field_per_line_under_camel_case_names_reads_as_machine_output() -> (
    None
):
    text = "Process Create:\nProcessId: 4412\nParentImage: C:\\Windows\\explorer.exe"
    assert sorted(machine_line_starts(text)) == [16, 32]


@pytest.mark.parametrize(
    ("text", "value", "entity_type"),
    [
        ("resolved kafka_broker.local:9092 in 3 tries", "kafka_broker.local", "DOMAIN_NAME"),
        ("INFO badge read at B2-North-Wing-East door 4", "B2-North-Wing-East", "STREET_ADDRESS"),
    ],
)
def test_host_names_with_underscores_and_joined_zone_tokens_are_neither_domains_nor_streets(
    text: str, value: str, entity_type: str
) -> None:
    found = apply_machine_context(text, [span(text, value, entity_type, "model")])
    assert (value, entity_type) not in values(text, found)


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        # a namespace is no name
        ("ERROR [Microsoft.AspNetCore.Hosting] failed", "Microsoft.AspNetCore.Hosting", []),
        # a guess that runs into the next field's line ends at its break
        (
            "level=warn Floor: 4 Main Hall\nSession Id: 88",
            "4 Main Hall\nSession Id: 88",
            [("4 Main Hall", "STREET_ADDRESS")],
        ),
    ],
)
def test_namespaces_are_no_names_and_guesses_stop_at_the_next_fields_line(
    text: str, value: str, expected: list[tuple[str, str]]
) -> None:
    entity_type = "PERSON" if "." in value else "STREET_ADDRESS"
    found = apply_machine_context(text, [span(text, value, entity_type)])
    assert [(v, t) for v, t in values(text, found) if t == entity_type] == expected


@pytest.mark.parametrize(
    ("text", "value", "kept"),
    [
        # a generator's id in its angle brackets, on any line
        ("Dec 03 07:21:40 2026 (4122) <CAH4f1c2a9e3b7d@mail.example.org> smtp to members",
         "CAH4f1c2a9e3b7d@mail.example.org", False),
        # a person's address in angle brackets, a year in it at most
        ("From: Jane <jsmith1987@example.com>", "jsmith1987@example.com", True),
        ("reply to <maria.lopez@example.org>", "maria.lopez@example.org", True),
    ],
)  # fmt: skip
def test_a_message_id_in_angle_brackets_is_no_mailbox(text: str, value: str, kept: bool) -> None:
    found = span(text, value, "EMAIL_ADDRESS", "pattern:EMAIL_ADDRESS")
    assert bool(apply_machine_context(text, [found])) is kept


@pytest.mark.parametrize(
    "text",
    [
        '{"msg":"Post created via incoming webhook","override_username":"grafana"}',
        "2026-12-03T06:07:19Z level=info posted_by=jenkins channel=ops",
    ],
)
def test_a_program_posting_under_a_login_key_is_no_login(text: str) -> None:
    value = "grafana" if "grafana" in text else "jenkins"
    assert apply_machine_context(text, [span(text, value, "PERSON", "model")]) == []


@pytest.mark.parametrize(
    ("line", "machine"),
    [
        ("N 4000000 SYSA     26337 06:52:40.77 STC00188 00000090  $HASP373 CICSPRD1 STARTED",
         True),  # a mainframe console: message ids, jobs and a clock to the hundredth
        ("My flight BA2490 leaves at 10:30, seat 14C", False),
        ("R49 20261203 065030 PRD 000 Communication error, CPIC return code 020", True),
        ("order 20261203 shipped", False),
        ("Call me at 07:45:10.5 ok", False),
    ],
)  # fmt: skip
def test_capital_codes_and_fractional_clock_times_mark_machine_lines(
    line: str, machine: bool
) -> None:
    from piimask.detect.machine_text import machine_line_starts

    assert bool(machine_line_starts(line)) is machine


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Dec 03 07:21:02 2026 (4120) Outgoing runner started.", "Outgoing runner"),
        ("Dec  3 07:15:12 web-cms-2 drupal: https://x.example|cron|0||Cron run completed.",
         "Cron run"),
    ],
)  # fmt: skip
def test_a_message_opening_with_its_subject_and_a_lower_case_word_names_no_person(
    text: str, value: str
) -> None:
    """After a pid in brackets or a pipe-separated field, as after a log level."""
    stamp = text[:15] if text.startswith("Dec  3") else text[:20]
    found = [span(text, stamp, "EVENT_TIME", "pattern:DATE_TIME"), span(text, value, "PERSON")]
    assert values(text, apply_machine_context(text, found)) == [(stamp, "EVENT_TIME")]


def test_a_programs_report_of_four_label_lines_or_more_is_machine_output() -> None:
    from piimask.detect.machine_text import machine_line_starts

    report = (
        "----------- SCAN SUMMARY -----------\nKnown viruses: 8712204\nEngine version: 1.4.1\n"
        "Scanned directories: 412\nScanned files: 18820"
    )
    assert len(machine_line_starts(report)) == 4
    form = "Name: John Smith\nAddress: 12 Oak Street\nPhone: 555-0100\nNotes: call back"
    assert machine_line_starts(form) == frozenset()


def test_a_label_line_padded_into_a_column_is_machine_output() -> None:
    from piimask.detect.machine_text import machine_line_starts

    text = "Files:         412 new,  1882 changed\nName: Jane Doe\nDirs: 18 new"
    assert machine_line_starts(text) == frozenset({0})


@pytest.mark.parametrize(
    ("text", "value", "entity_type"),
    [
        ("CommandLine: powershell.exe -NoProfile -ExecutionPolicy Bypass -File C:\\x.ps1",
         "Bypass -File C", "LOCATION"),  # a command line's flag
        ("Dec 03 03:00:31 app-4 setroubleshoot[88]: SELinux is preventing /usr/sbin/httpd",
         "SELinux", "LOCATION"),  # capitals inside a word: a product
        ("2026-12-03 03:16:02 BACnet WhoIs from device 4412 on network 2", "BACnet WhoIs",
         "PERSON"),
    ],
)  # fmt: skip
def test_flags_and_words_with_capitals_inside_are_no_names_or_places(
    text: str, value: str, entity_type: str
) -> None:
    stamp = "Dec 03 03:00:31" if text.startswith("Dec") else "2026-12-03 03:16:02"
    found = [span(text, value, entity_type)]
    if stamp in text:
        found.append(span(text, stamp, "EVENT_TIME", "pattern:DATE_TIME"))
    assert [v for v in values(text, apply_machine_context(text, found)) if v[0] == value] == []


@pytest.mark.parametrize(
    ("text", "date", "entity_type"),
    [
        # a certificate's, a token's expiry: the system's
        ("2027-03-02 09:40:11,218:INFO:certbot.renewal:Cert not yet due (expires 2027-05-30)",
         "2027-05-30", "EVENT_TIME"),
        # a document of a person's
        ("2027-03-02T09:40:11Z level=info check=ok passport expires 2029-05-30",
         "2029-05-30", "DATE_TIME"),
        ("2027-03-02T09:40:11Z level=info patient dob 1980-05-30", "1980-05-30", "DATE_TIME"),
    ],
)  # fmt: skip
def test_an_expiry_on_a_machine_line_is_personal_only_beside_a_persons_document(
    text: str, date: str, entity_type: str
) -> None:
    stamp = text.split(" ")[0] if "T" in text.split(" ")[0] else " ".join(text.split(" ")[:2])
    stamp = stamp.split(":INFO")[0]
    found = [
        span(text, stamp, "EVENT_TIME", "pattern:DATE_TIME"),
        span(text, date, "DATE_TIME", "pattern:DATE_TIME"),
    ]
    assert (date, entity_type) in values(text, apply_machine_context(text, found))


@pytest.mark.parametrize(
    ("text", "value", "kept"),
    [
        ("[notice] 2026-12-02T02:53:31Z couchdb@couch-2.internal <0.4412.0> GET /_up 200",
         "couchdb@couch-2.internal", False),  # an Erlang node's name
        ("2026-12-02T02:53:31Z level=info mail to jdoe@corp.internal sent",
         "jdoe@corp.internal", True),  # a person's mailbox on an internal host
    ],
)  # fmt: skip
def test_a_system_account_at_an_internal_host_is_a_node_name(
    text: str, value: str, kept: bool
) -> None:
    stamp = text.split(" ")[1] if text.startswith("[") else text.split(" ")[0]
    found = [
        span(text, stamp, "EVENT_TIME", "pattern:DATE_TIME"),
        span(text, value, "EMAIL_ADDRESS", "pattern:EMAIL_ADDRESS"),
    ]
    assert ((value, "EMAIL_ADDRESS") in values(text, apply_machine_context(text, found))) is kept
