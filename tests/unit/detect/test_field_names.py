"""The key-name vocabulary: what a field name says about its value, in any common spelling."""

from __future__ import annotations

import pytest

from piimask.detect.field_names import (
    KeyHint,
    context_words,
    key_hint,
    key_words,
    path_hint,
    path_segments,
)


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("userEmail", ("user", "email")),
        ("e_mail", ("e", "mail")),
        ("E-Mail", ("e", "mail")),
        ("IPAddress", ("ip", "address")),
        ("userID", ("user", "id")),
        ("address_line_1", ("address", "line")),
        ("line1", ("line",)),
        ("phoneNumber2", ("phone", "number")),
        ("ipv4", ("ipv4",)),
        ("p95_latency", ("p95", "latency")),
        ("@timestamp", ("timestamp",)),
        ("", ()),
    ],
)
def test_key_words_split_camel_snake_kebab_and_drop_counters(
    key: str, words: tuple[str, ...]
) -> None:
    assert key_words(key) == words


@pytest.mark.parametrize(
    ("path", "segments"),
    [
        ("contact.phone_number", ["contact", "phone_number"]),
        ("$.a[0].zipCode", ["a", "zipCode"]),
        ("a/b", ["a", "b"]),
        ("$", []),
    ],
)
def test_path_segments_name_the_keys_of_a_dotted_or_json_path(
    path: str, segments: list[str]
) -> None:
    assert path_segments(path) == segments


@pytest.mark.parametrize(
    ("key", "entity_type"),
    [
        ("email", "EMAIL_ADDRESS"),
        ("userEmail", "EMAIL_ADDRESS"),
        ("e_mail", "EMAIL_ADDRESS"),
        ("eMail", "EMAIL_ADDRESS"),
        ("contact_email_address", "EMAIL_ADDRESS"),
        ("emails", "EMAIL_ADDRESS"),
        ("phone", "PHONE_NUMBER"),
        ("contact.phone_number", "PHONE_NUMBER"),
        ("mobileNo", "PHONE_NUMBER"),
        ("phoneNumber2", "PHONE_NUMBER"),
        ("phone_primary", "PHONE_NUMBER"),  # a qualifier after the head changes nothing
        ("email_normalized", "EMAIL_ADDRESS"),
        ("phones", "PHONE_NUMBER"),
        ("ssn", "US_SSN"),
        ("social_security_number", "US_SSN"),
        ("card", "CREDIT_CARD"),
        ("cardNumber", "CREDIT_CARD"),
        ("credit_card_number", "CREDIT_CARD"),
        ("iban", "IBAN_CODE"),
        ("account_number", "US_BANK_NUMBER"),
        ("routing_number", "ROUTING_NUMBER"),
        ("ip", "IP_ADDRESS"),
        ("client_ip", "IP_ADDRESS"),
        ("IPAddress", "IP_ADDRESS"),
        ("x-forwarded-for", "IP_ADDRESS"),
        ("remote_addr", "IP_ADDRESS"),
        ("mac_address", "MAC_ADDRESS"),
        ("first_name", "PERSON"),
        ("lastName", "PERSON"),
        ("user.name", "PERSON"),
        ("customer_name", "PERSON"),
        ("cardholder_name", "PERSON"),
        ("contact.name", "PERSON"),
        ("username", "USERNAME"),
        ("address", "STREET_ADDRESS"),
        ("street", "STREET_ADDRESS"),
        ("shipping_address", "STREET_ADDRESS"),
        ("address.line1", "STREET_ADDRESS"),
        ("billing.address_line_2", "STREET_ADDRESS"),
        ("user.address", "STREET_ADDRESS"),
        ("city", "LOCATION"),
        ("address.city", "LOCATION"),
        ("billing.state", "LOCATION"),
        ("shipping.country", "LOCATION"),
        ("zip", "ZIP_CODE"),
        ("zipCode", "ZIP_CODE"),
        ("postal_code", "ZIP_CODE"),
        ("billing_zip", "ZIP_CODE"),
        ("dob", "DATE_TIME"),
        ("date_of_birth", "DATE_TIME"),
        ("birthDate", "DATE_TIME"),
        ("admission_date", "DATE_TIME"),
        ("passport_number", "PASSPORT"),
        ("drivers_license", "DRIVER_LICENSE"),
        ("tax_id", "TAX_ID"),
        ("itin", "US_ITIN"),
        ("national_insurance_number", "UK_NINO"),
        ("national_id", "GOVERNMENT_ID"),
        ("wallet_address", "CRYPTO"),
    ],
)
def test_keys_naming_pii_decide_the_entity_type(key: str, entity_type: str) -> None:
    assert key_hint(key) == KeyHint("pii", entity_type)


@pytest.mark.parametrize(
    ("key", "entity_type"),
    [
        ("name", "PERSON"),  # a bare name: a person's or a thing's; detection decides
        ("customer", "PERSON"),
        ("location", "LOCATION"),
        ("ssn_last4", "US_SSN"),  # an unknown head after a PII word
        ("uname", "USERNAME"),  # Grafana's login field; also "uname -a" output
        ("actor", "USERNAME"),  # an audit event's actor; also a service
    ],
)
def test_ambiguous_keys_only_suggest_the_entity_type(key: str, entity_type: str) -> None:
    assert key_hint(key) == KeyHint("pii", entity_type, decides=False)


@pytest.mark.parametrize(
    "key",
    [
        "qty",
        "quantity",
        "amount",
        "order_id",
        "orderId",
        "request_id",
        "id",
        "status",
        "status_code",
        "duration_ms",
        "response_time_ms",
        "retries",
        "version",
        "port",
        "sku",
        "region",
        "year",
        "p95_latency",
        "p99",
        "event",
        "event.name",
        "service_name",
        "file_name",
        "email_count",  # the head decides: a count of emails
        "is_email_verified",
        "card_type",
        "ip_version",
        "user_agent",
        "time_zone",
        "state",
        "errors",
        "bytes_sent",  # a participle after a measure: a count
        "rows_deleted",
    ],
)
def test_counts_amounts_ids_and_codes_are_not_pii(key: str) -> None:
    assert key_hint(key).kind == "non_pii"


@pytest.mark.parametrize(
    "key",
    [
        "ts",
        "timestamp",
        "@timestamp",
        "time",
        "created_at",
        "updatedAt",
        "event_time",
        "start_time",
        "event_date",
        "date",
        "last_login",
        "log.ts",
    ],
)
def test_machine_event_times_are_event_time(key: str) -> None:
    assert key_hint(key).kind == "event_time"


@pytest.mark.parametrize(
    "key", ["note", "notes", "message", "msg", "comment", "comments", "description", "body"]
)
def test_prose_fields_are_free_text(key: str) -> None:
    assert key_hint(key) == KeyHint("free_text")


@pytest.mark.parametrize(
    "key", ["user_id", "customerId", "order_number", "value", "data", "server_address", "", "$"]
)
def test_keys_without_a_known_meaning_are_unknown(key: str) -> None:
    assert key_hint(key).kind == "unknown"


@pytest.mark.parametrize(
    ("path", "hint"),
    [
        (("user", "name"), KeyHint("pii", "PERSON")),
        (("phones", 0), KeyHint("pii", "PHONE_NUMBER")),
        (("items", 3, "qty"), KeyHint("non_pii")),
        ((0,), KeyHint("unknown")),
        ((), KeyHint("unknown")),
    ],
)
def test_path_hint_reads_a_json_path_skipping_array_indexes(
    path: tuple[str | int, ...], hint: KeyHint
) -> None:
    assert path_hint(path) == hint


def test_context_words_are_the_last_key_as_plain_words() -> None:
    assert context_words("contact.phoneNumber") == "phone number"
    assert context_words("$") == ""


def test_a_pii_hint_needs_an_entity_type_and_only_it_has_one() -> None:
    with pytest.raises(ValueError, match="entity_type"):
        KeyHint("pii")
    with pytest.raises(ValueError, match="entity_type"):
        KeyHint("non_pii", "PERSON")


@pytest.mark.parametrize(
    ("path", "entity_type"),
    [
        (("guest", "first"), "PERSON"),  # a name part under a person
        (("passenger", "last"), "PERSON"),
        (("travel_document",), "PASSPORT"),
    ],
)
def test_name_parts_under_a_person_and_travel_documents(
    path: tuple[str, ...], entity_type: str
) -> None:
    assert path_hint(path) == KeyHint("pii", entity_type)


def test_cell_only_suggests_a_phone_grid_cells_are_cells_too() -> None:
    assert key_hint("h3_cell") == KeyHint("pii", "PHONE_NUMBER", decides=False)
    assert key_hint("cell_phone") == KeyHint("pii", "PHONE_NUMBER")


@pytest.mark.parametrize(
    "path",
    [
        ("repository", "full_name"),  # "acme/ingest-service"
        ("project", "display_name"),
        ("appDisplayName",),
        ("tenant_name",),  # a tenant of a service is a customer organisation
        ("tenant", "name"),
        ("workspace", "name"),
    ],
)
def test_names_of_things_are_not_names_of_people(path: tuple[str, ...]) -> None:
    assert path_hint(path) == KeyHint("non_pii")


@pytest.mark.parametrize(
    "path",
    [("full_name",), ("user", "full_name"), ("displayName",), ("userDisplayName",)],
)
def test_styled_names_of_people_still_decide(path: tuple[str, ...]) -> None:
    assert path_hint(path) == KeyHint("pii", "PERSON")


@pytest.mark.parametrize(
    ("path", "hint"),
    [
        (("user", "login"), KeyHint("pii", "USERNAME")),  # a webhook's sender.login
        (("sender", "login"), KeyHint("pii", "USERNAME")),
        (("organization", "login"), KeyHint("pii", "USERNAME", decides=False)),
        (("login",), KeyHint("pii", "USERNAME", decides=False)),  # "login": "success"
        (("last_login",), KeyHint("event_time")),
    ],
)
def test_a_login_under_a_person_is_the_persons_login(path: tuple[str, ...], hint: KeyHint) -> None:
    assert path_hint(path) == hint


@pytest.mark.parametrize(
    ("path", "hint"),
    [
        # abridged keys of a person's record under a person's parent
        (("customer", "fn"), KeyHint("pii", "PERSON")),
        (("userData", "ln"), KeyHint("pii", "PERSON")),
        (("user_data", "em"), KeyHint("pii", "EMAIL_ADDRESS")),
        (("buyer", "ph"), KeyHint("pii", "PHONE_NUMBER")),
        (("shopper_info", "zp"), KeyHint("pii", "ZIP_CODE")),
        (("member", "ct"), KeyHint("pii", "LOCATION")),
        (("patient", "st"), KeyHint("pii", "LOCATION")),
        # elsewhere the short keys are counts, statuses, readings
        (("stats", "ct"), KeyHint("unknown")),
        (("sensor", "ph"), KeyHint("unknown")),
        (("job", "st"), KeyHint("unknown")),
    ],
)
def test_abridged_person_keys_count_only_under_a_person(
    path: tuple[str, ...], hint: KeyHint
) -> None:
    assert path_hint(path) == hint


@pytest.mark.parametrize(
    ("path", "hint"),
    [
        (("geo", "state"), KeyHint("pii", "LOCATION")),
        (("geoip", "region"), KeyHint("pii", "LOCATION")),
        (("geolocation", "county"), KeyHint("pii", "LOCATION")),
        (("geo", "country"), KeyHint("unknown")),
        (("clientGeographicContext", "province"), KeyHint("pii", "LOCATION")),
        (("pipeline", "state"), KeyHint("non_pii")),  # a state alone is a status
    ],
)
def test_place_parts_under_a_geographic_parent_are_places(
    path: tuple[str, ...], hint: KeyHint
) -> None:
    assert path_hint(path) == hint


@pytest.mark.parametrize(
    ("path", "hint"),
    [
        (("reviewed_by",), KeyHint("pii", "PERSON", decides=False)),
        (("change", "signedOffBy"), KeyHint("pii", "PERSON", decides=False)),
        (("sort_by",), KeyHint("unknown")),  # query clauses
        (("groupBy",), KeyHint("unknown")),
        (("player", "gamertag"), KeyHint("pii", "USERNAME")),
        (("battle_tag",), KeyHint("pii", "USERNAME")),
        (("discordTag",), KeyHint("pii", "USERNAME")),
    ],
)
def test_actors_and_player_handles(path: tuple[str, ...], hint: KeyHint) -> None:
    assert path_hint(path) == hint


@pytest.mark.parametrize(
    ("path", "hint"),
    [
        (("pod", "serviceAccountName"), KeyHint("non_pii")),  # a workload's identity
        (("robot_account_name",), KeyHint("non_pii")),
        (("user", "accountName"), KeyHint("pii", "USERNAME")),
        (("payment_card", "last4"), KeyHint("unknown")),  # the digits a card may show
        (("card", "first6"), KeyHint("unknown")),
        (("cardholder", "last"), KeyHint("pii", "PERSON")),
    ],
)
def test_machine_accounts_and_shown_card_digits_are_no_person(
    path: tuple[str, ...], hint: KeyHint
) -> None:
    assert path_hint(path) == hint


@pytest.mark.parametrize(
    "path",
    [
        ("match", "game"),  # a title, not a person
        ("player", "clan"),
        ("roster", "guildName"),
        ("squad",),
        ("device", "gpu"),
        ("hw", "graphicsCard"),
        ("ses", "reportingMta"),  # a mail transfer agent: a host
    ],
)
def test_games_player_groups_hardware_and_mail_hosts_are_no_pii(path: tuple[str, ...]) -> None:
    assert path_hint(path).kind == "non_pii"


@pytest.mark.parametrize(
    ("path", "hint"),
    [
        # names of things people name: rooms, node pools, boards, tracks, templates
        (("room", "name"), KeyHint("non_pii")),
        (("nodePools", "name"), KeyHint("non_pii")),
        (("sprint", "name"), KeyHint("non_pii")),
        (("playlists", "name"), KeyHint("non_pii")),
        (("emailTemplateName",), KeyHint("non_pii")),
        # a list of people names its members' names (users alone counts them)
        (("users", "name"), KeyHint("pii", "PERSON")),
        (("attendees", "name"), KeyHint("pii", "PERSON")),
        (("members", "login"), KeyHint("pii", "USERNAME")),
        (("stats", "users"), KeyHint("non_pii")),
        # a list of programs too (device drivers): the name only suggests a person
        (("drivers", "name"), KeyHint("pii", "PERSON", decides=False)),
    ],
)
def test_names_of_named_things_and_of_listed_people(path: tuple[str, ...], hint: KeyHint) -> None:
    assert path_hint(path) == hint


@pytest.mark.parametrize(
    ("path", "hint"),
    [
        # the name of a place is that place
        (("geo", "town_name"), KeyHint("pii", "LOCATION")),
        (("visitor", "cityName"), KeyHint("pii", "LOCATION")),
        # a name object's parts (HL7 FHIR HumanName)
        (("name", "family"), KeyHint("pii", "PERSON")),
        (("name", "given"), KeyHint("pii", "PERSON")),
        (("font", "family"), KeyHint("non_pii")),  # a font's family stays a typeface
        # a calendar date of a person's record suggests a personal date
        (("student", "enrolment_date"), KeyHint("pii", "DATE_TIME")),
        (("staff", "end_date"), KeyHint("pii", "DATE_TIME", decides=False)),
        (("session", "end_date"), KeyHint("event_time")),  # a session is no person's record
        (("staff", "updated_at"), KeyHint("event_time")),  # an instant is an event time
        (("subscription", "start_date"), KeyHint("event_time")),
        # a document's wrapper is no parent of meaning
        (("hits", "_source", "name"), KeyHint("pii", "PERSON", decides=False)),
        # xAPI's mailbox; an organisation's sites
        (("actor", "mbox"), KeyHint("pii", "EMAIL_ADDRESS")),
        (("shipment", "facility"), KeyHint("non_pii")),
        (("route", "depot"), KeyHint("non_pii")),
    ],
)
def test_place_names_name_objects_record_dates_and_wrappers(
    path: tuple[str, ...], hint: KeyHint
) -> None:
    assert path_hint(path) == hint


@pytest.mark.parametrize(
    ("path", "hint"),
    [
        (("terminal", "merchant"), KeyHint("non_pii")),
        (("appointment", "clinic"), KeyHint("non_pii")),
        (("applicant", "employer"), KeyHint("non_pii")),
        (("thermostat", "schedule"), KeyHint("non_pii")),
        (("serviceProvider", "display"), KeyHint("non_pii")),  # FHIR reference text
        (("price", "nickname"), KeyHint("non_pii")),
        (("user", "nickname"), KeyHint("pii", "USERNAME")),
        (("actor", "displayName"), KeyHint("pii", "PERSON")),
    ],
)
def test_businesses_schedules_and_names_shown_for_things(
    path: tuple[str, ...], hint: KeyHint
) -> None:
    assert path_hint(path) == hint


PLACE = KeyHint("pii", "LOCATION")
STREET = KeyHint("pii", "STREET_ADDRESS")


@pytest.mark.parametrize(
    ("path", "hint"),
    [
        # parts that name nothing but a place, whatever the parent
        (("province",), PLACE),
        (("county",), PLACE),
        (("prefecture",), PLACE),
        (("locality",), PLACE),
        (("dependent_locality",), PLACE),
        # the subdivisions of international address formats
        (("shipping", "address", "admin_area_1"), PLACE),
        (("address", "admin_area_2"), PLACE),
        (("billing_address", "administrative_district_level_1"), PLACE),
        (("postalAddress", "administrativeArea"), PLACE),
        # a region's name under an address
        (("address", "state_name"), PLACE),
        (("location_info", "county_name"), PLACE),
        # a part after an address word in one key
        (("MailingState",), PLACE),
        (("home_county",), PLACE),
        (("addressRegion",), PLACE),
        (("residence_province",), PLACE),
        (("mailing_address_line",), STREET),
        # a billing or shipping state is also a status: it only suggests a place
        (("billing_state",), KeyHint("pii", "LOCATION", decides=False)),
        (("shippingRegion",), KeyHint("pii", "LOCATION", decides=False)),
    ],
)
def test_states_provinces_and_address_subdivisions_are_places(
    path: tuple[str, ...], hint: KeyHint
) -> None:
    assert path_hint(path) == hint


@pytest.mark.parametrize(
    "path",
    [
        ("order", "state_code"),  # no address: a status code
        ("location_info", "country_name"),  # a country too
        ("geoip", "country_name"),
        ("job", "state"),
        ("deploy", "region_code"),
        ("shipping", "state_machine"),
        ("address_book", "size"),
    ],
)
def test_states_and_regions_outside_an_address_stay_statuses(path: tuple[str, ...]) -> None:
    hint = path_hint(path)
    assert hint.kind != "pii" or not hint.decides


@pytest.mark.parametrize(
    ("key", "entity_type"),
    [
        ("pincode", "ZIP_CODE"),
        ("cep", "ZIP_CODE"),
        ("eircode", "ZIP_CODE"),
        ("userPrincipalName", "EMAIL_ADDRESS"),
        ("upn", "EMAIL_ADDRESS"),
        ("cpf", "GOVERNMENT_ID"),
        ("curp", "GOVERNMENT_ID"),
        ("aadhaarNumber", "GOVERNMENT_ID"),
        ("nhs_number", "GOVERNMENT_ID"),
        ("codice_fiscale", "GOVERNMENT_ID"),
        ("personnummer", "GOVERNMENT_ID"),
        ("nif", "TAX_ID"),
        ("cnpj", "TAX_ID"),
    ],
)
def test_national_postcode_and_id_names_and_directory_sign_in_names_decide(
    key: str, entity_type: str
) -> None:
    assert key_hint(key) == KeyHint("pii", entity_type)


@pytest.mark.parametrize(
    ("path", "hint"),
    [
        (("houseNumberOrName",), STREET),
        (("stateOrProvince",), PLACE),
        (("billingAddress", "stateOrProvince"), PLACE),
        (("emailOrPhone",), KeyHint("pii", "EMAIL_ADDRESS")),
        (("usernameOrEmail",), KeyHint("pii", "USERNAME")),
        (("sizeOrCount",), KeyHint("non_pii")),  # neither half PII: as before
    ],
)
def test_a_key_naming_either_of_two_things_reads_as_its_first_pii_half(
    path: tuple[str, ...], hint: KeyHint
) -> None:
    assert path_hint(path) == hint


@pytest.mark.parametrize(
    ("path", "hint"),
    [
        (("phone_number", "national_number"), KeyHint("pii", "PHONE_NUMBER")),
        (("mobile", "e164Number"), KeyHint("pii", "PHONE_NUMBER")),
        (("passport", "document_number"), KeyHint("pii", "PASSPORT")),
        (("citizen", "national_number"), KeyHint("pii", "GOVERNMENT_ID")),  # no phone parent
        (("phone", "country_code"), KeyHint("non_pii")),
        (("phone", "serial_number"), KeyHint("unknown")),  # the handset's, no phone number
    ],
)
def test_a_number_under_a_phone_or_a_document_is_its_number(
    path: tuple[str, ...], hint: KeyHint
) -> None:
    assert path_hint(path) == hint


@pytest.mark.parametrize(
    "path",
    [
        ("datacenter", "city"),
        ("data_center", "postal_code"),
        ("edge", "city"),
        ("pop", "city"),
        ("store", "address"),
        ("warehouse", "zip"),
        ("merchant", "city"),
        ("office", "street"),
        ("supplier", "address_line_1"),
    ],
)
def test_places_of_sites_and_businesses_are_no_persons(path: tuple[str, ...]) -> None:
    assert path_hint(path) == KeyHint("non_pii")


@pytest.mark.parametrize(
    ("path", "hint"),
    [
        # a wrapper word says nothing of whose the record is
        (("billing_details", "name"), KeyHint("pii", "PERSON")),
        (("customer_info", "surname"), KeyHint("pii", "PERSON")),
        (("user_properties", "name"), KeyHint("pii", "PERSON")),
        (("user_attributes", "$State"), PLACE),
        (("providerData", "displayName"), KeyHint("pii", "PERSON")),  # a thing's: kept
        # people who submit, commit, push, organise, are invited
        (("committer", "name"), KeyHint("pii", "PERSON")),
        (("submitter", "name"), KeyHint("pii", "PERSON")),
        (("invitee", "name"), KeyHint("pii", "PERSON")),
        # a person's login in one key; the times of logins stay times
        (("user_login",), KeyHint("pii", "USERNAME")),
        (("member_login",), KeyHint("pii", "USERNAME")),
        (("last_login",), KeyHint("event_time")),
        # the ends of a text or a call suggest phone numbers; elsewhere to/from are not
        (("sms", "to"), KeyHint("pii", "PHONE_NUMBER", decides=False)),
        (("call", "caller"), KeyHint("pii", "PHONE_NUMBER", decides=False)),
        (("range", "from"), KeyHint("unknown")),
        # who booked, trained, reviewed or treated: a person (a name or a login)
        (("booker",), KeyHint("pii", "PERSON", decides=False)),
        (("Reviewer",), KeyHint("pii", "PERSON", decides=False)),
        (("visit", "nurse"), KeyHint("pii", "PERSON", decides=False)),
        (("orderingProvider",), KeyHint("pii", "PERSON", decides=False)),
        (("provider",), KeyHint("non_pii")),  # a cloud's or a payment's provider
        # the parts of a competitor's, a patron's name
        (("athlete", "first"), KeyHint("pii", "PERSON")),
        (("patron", "last"), KeyHint("pii", "PERSON")),
        # an installation "site" is as often a home as a business: its places stay masked
        (("registration", "site", "city"), PLACE),
        # a region's code under an address, as its name (address.state: "TX" is one)
        (("shipping_address", "province_code"), PLACE),
        (("billing_address", "state_code"), PLACE),
        # a profile's account on a social network
        (("entry", "twitter"), KeyHint("pii", "USERNAME")),
        (("profile", "instagram"), KeyHint("pii", "USERNAME")),
        # a proxy's routing objects are named by operators
        (("routerName",), KeyHint("non_pii")),
        (("middlewareName",), KeyHint("non_pii")),
    ],
)
def test_wrapped_records_and_more_roles_of_people(path: tuple[str, ...], hint: KeyHint) -> None:
    assert path_hint(path) == hint


@pytest.mark.parametrize(
    ("path", "hint"),
    [
        # plural heads read as their singular
        (("phone_numbers",), KeyHint("pii", "PHONE_NUMBER")),
        (("phoneNumbers", "value"), KeyHint("pii", "PHONE_NUMBER")),
        (("first_names",), KeyHint("pii", "PERSON")),
        # a number written in E.164 form, texts' and chats' numbers
        (("e164",), KeyHint("pii", "PHONE_NUMBER")),
        (("mobile_e164",), KeyHint("pii", "PHONE_NUMBER")),
        (("smsNumber",), KeyHint("pii", "PHONE_NUMBER")),
        (("whatsapp_number",), KeyHint("pii", "PHONE_NUMBER")),
        # street lines, flats and post boxes
        (("streetLine1",), STREET),
        (("apartment_number",), STREET),
        (("flat_no",), STREET),
        (("po_box",), STREET),
        (("streetAndNumber",), STREET),  # both halves: the first that names PII
        # the date of a date-of-birth object
        (("birthday", "date"), KeyHint("pii", "DATE_TIME")),
        (("dob", "value"), KeyHint("pii", "DATE_TIME")),
        (("passport", "date"), KeyHint("event_time")),  # a passport's date is no birth date
        # a region's name under a geographic parent
        (("geoip", "region_name"), PLACE),
    ],
)
def test_plural_heads_e164_numbers_post_boxes_and_dates_of_birth_objects(
    path: tuple[str, ...], hint: KeyHint
) -> None:
    assert path_hint(path) == hint


@pytest.mark.parametrize(
    ("path", "hint"),
    [
        # a site anywhere above the place part, however deep the address object
        (("store", "address", "city"), KeyHint("non_pii")),
        (("warehouse", "address", "postal_code"), KeyHint("non_pii")),
        (("event", "venue", "location", "city"), KeyHint("non_pii")),
        (("booking", "hotel", "address", "street"), KeyHint("non_pii")),
        (("user", "company", "address", "zip"), KeyHint("non_pii")),
        # a site's word before the part in the key itself
        (("office_city",), KeyHint("non_pii")),
        (("venue_zip",), KeyHint("non_pii")),
        (("warehouse_address",), KeyHint("non_pii")),
        (("provider", "clinic_city"), KeyHint("non_pii")),
        # a person nearer than the site: the person's place
        (("store", "customer", "address", "city"), PLACE),
        (("store", "orders", "shipping_address", "city"), PLACE),
        (("company", "employees", "home_address", "city"), PLACE),
        # any other object between the site and the address decides: it may be a person's
        # the words do not tell (a patient's admission, a roster entry): masked
        (("hospital", "admissions", "address", "city"), PLACE),
        (("team", "roster", "address", "zip"), KeyHint("pii", "ZIP_CODE")),
        # no site above: unchanged
        (("data", "object", "address", "city"), PLACE),
        (("address", "region_name"), PLACE),
        (("home_city",), PLACE),
    ],
)
def test_the_nearest_site_or_person_over_the_whole_key_path_says_whose_a_place_is(
    path: tuple[str, ...], hint: KeyHint
) -> None:
    assert path_hint(path) == hint


@pytest.mark.parametrize(
    ("path", "hint"),
    [
        (("restaurant", "name"), KeyHint("non_pii")),
        (("station", "name"), KeyHint("non_pii")),
        (("venue", "name"), KeyHint("non_pii")),
        (("customer", "name"), KeyHint("pii", "PERSON")),
        (("store", "manager", "name"), KeyHint("pii", "PERSON")),
    ],
)
def test_a_sites_own_name_is_a_things_name(path: tuple[str, ...], hint: KeyHint) -> None:
    assert path_hint(path) == hint
