"""Synthetic demo traffic: support tickets, chat lines and JSON events, made up with Faker.

Every value is invented by Faker from a seed, so runs are reproducible and no real
person's data is involved. The sentence shapes are written for this demo; they are not
the evaluation data.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from faker import Faker

Kind = Literal["ticket", "chat", "event", "clean"]
Format = Literal["text", "json"]


@dataclass(frozen=True, slots=True)
class DemoMessage:
    kind: Kind
    format: Format
    key: str
    value: str


def _ticket(fake: Faker, rng: random.Random, n: int) -> str:
    name, email = fake.name(), fake.email()
    shapes: list[Callable[[], str]] = [
        lambda: (
            f"Ticket #{n}: {name} ({email}) says card {fake.credit_card_number()} was "
            f"charged twice on {fake.date_this_year():%B %d}. Please call back on "
            f"{fake.phone_number()}."
        ),
        lambda: (
            f"Ticket #{n}: refund for order {fake.bothify('??-#####').upper()} to IBAN "
            f"{fake.iban()}, account holder {name}. Confirmation to {email}."
        ),
        lambda: (
            f"Ticket #{n}: parcel for {name} never arrived. Delivery address: "
            f"{fake.street_address()}, {fake.city()}, {fake.state_abbr()} {fake.zipcode()}."
        ),
        lambda: (
            f"Ticket #{n}: {name} cannot log in from {fake.ipv4_public()}; "
            f"identity checked against SSN {fake.ssn()} and date of birth "
            f"{fake.date_of_birth(minimum_age=18, maximum_age=90):%m/%d/%Y}."
        ),
    ]
    return rng.choice(shapes)()


def _chat(fake: Faker, rng: random.Random, n: int) -> str:
    first, card = fake.first_name(), fake.credit_card_number()
    shapes: list[Callable[[], str]] = [
        lambda: (
            f"{first}: hi, this is {first} {fake.last_name()}, my new number is "
            f"{fake.phone_number()}"
        ),
        lambda: f"agent: thanks {first}! I've sent the reset link to {fake.email()}",
        lambda: f"{first}: I moved to {fake.street_address()} in {fake.city()} last week",
        lambda: f"{first}: the card ending {card[-4:]} is mine, full number {card}",
        lambda: (
            f"agent: {first}, can you confirm your date of birth? {first}: "
            f"{fake.date_of_birth(minimum_age=18, maximum_age=90):%d %B %Y}"
        ),
    ]
    return rng.choice(shapes)()


_EPOCH_START = datetime(2026, 1, 1)
_EPOCH_END = datetime(2026, 11, 1)


def _event(fake: Faker, rng: random.Random, n: int) -> str:
    kind = rng.choice(["signup", "payment", "address_change", "support_note"])
    event: dict[str, object] = {
        "event": kind,
        "id": f"evt-{n:05d}",
        # A fixed range, not "this year": the same seed must give the same messages.
        "ts": fake.date_time_between(_EPOCH_START, _EPOCH_END).isoformat(timespec="seconds") + "Z",
        "user": {"name": fake.name(), "email": fake.email(), "ip": fake.ipv4_public()},
    }
    if kind == "payment":
        event["payment"] = {
            "card": fake.credit_card_number(),
            "amount": round(rng.uniform(5, 500), 2),
            "currency": "USD",
        }
    elif kind == "address_change":
        event["address"] = {
            "street": fake.street_address(),
            "city": fake.city(),
            "zip": fake.zipcode(),
        }
    elif kind == "support_note":
        event["note"] = f"Customer asked us to call {fake.phone_number()} after 5pm."
    else:
        event["phone"] = fake.phone_number()
    return json.dumps(event)


_CLEAN = [
    "Order shipped; tracking number will follow by end of day.",
    "agent: is there anything else I can help you with today?",
    "Reminder: the maintenance window starts at 02:00 UTC.",
    "Ticket closed after the customer confirmed the fix.",
]


def generate(count: int, *, seed: int = 7, locale: str = "en_US") -> Iterator[DemoMessage]:
    """``count`` messages, mixed: about 40% tickets, 30% chat, 20% JSON events, 10% clean."""
    if count < 0:
        raise ValueError("count: must be >= 0")
    fake = Faker(locale)
    fake.seed_instance(seed)
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    for n in range(1, count + 1):
        roll = rng.random()
        if roll < 0.4:
            yield DemoMessage("ticket", "text", f"ticket-{n}", _ticket(fake, rng, n))
        elif roll < 0.7:
            yield DemoMessage("chat", "text", f"chat-{n}", _chat(fake, rng, n))
        elif roll < 0.9:
            yield DemoMessage("event", "json", f"event-{n}", _event(fake, rng, n))
        else:
            yield DemoMessage("clean", "text", f"note-{n}", rng.choice(_CLEAN))
