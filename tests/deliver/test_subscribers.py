"""Recipients from feeds.yaml: validated up front, merged, and never shown unmasked."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.addresses import address_problem
from digest.config import EmailSettings, Subscriber, parse_config
from digest.deliver import Recipient, config_sections, mask_address, parse_mailbox, plan_delivery, scrub_addresses
from digest.errors import ConfigError
from tests.support.smtp import sample_digest


@pytest.mark.parametrize("address", [
    "alice@example.com",
    "first.last+digest@mail.example.co.uk",
    "o'brien@example.ie",
    "x@localhost",
    "reader@例子.测试",
    "a@b-c.io",
])
def test_valid_addresses(address: str) -> None:
    assert address_problem(address) is None


@pytest.mark.parametrize(("address", "problem"), [
    ("", "empty"),
    ("alice.example.com", "has no @"),
    ("alice@@example.com", "exactly one @"),
    ("@example.com", "nothing before the @"),
    ("alice@", "nothing after the @"),
    ("alice@gmail", "has no dot"),
    (".alice@example.com", "dots at the start"),
    ("al..ice@example.com", "twice in a row"),
    ("al ice@example.com", "spaces or control characters"),
    ("alice@example.com\r\nBcc: x@example.com", "spaces or control characters"),
    ("al(ice)@example.com", "not allowed before the @"),
    ("阿丽@example.com", "non-ASCII"),
    ("alice@-example.com", "not a valid host name"),
    ("alice@exa_mple.com", "not a valid host name"),
    ("a" * 65 + "@example.com", "longer than 64"),
])
def test_invalid_addresses(address: str, problem: str) -> None:
    found = address_problem(address)
    assert found is not None and problem in found


@pytest.mark.parametrize(("value", "expected"), [
    ("alice@example.com", ("", "alice@example.com")),
    ("Alice Liddell <alice@example.com>", ("Alice Liddell", "alice@example.com")),
    ('"Liddell, Alice" <alice@example.com>', ("Liddell, Alice", "alice@example.com")),
    ("  <alice@example.com>  ", ("", "alice@example.com")),
])
def test_parse_mailbox(value: str, expected: tuple[str, str]) -> None:
    assert parse_mailbox(value) == expected


@pytest.mark.parametrize(("address", "masked"), [
    ("alice@example.com", "a***@e***.com"),
    ("b@x.io", "b***@x***.io"),
    ("root@localhost", "r***@l***"),
    ("no-at-sign", "n***"),
    ("", "***"),
])
def test_mask(address: str, masked: str) -> None:
    assert mask_address(address) == masked


def test_scrub_masks_every_address_in_a_server_reply() -> None:
    reply = "550 5.1.1 <bob@example.org>: Recipient address rejected; see postmaster@example.org"
    assert scrub_addresses(reply) == "550 5.1.1 <b***@e***.org>: Recipient address rejected; see p***@e***.org"


def test_recipient_repr_is_masked() -> None:
    recipient = Recipient("alice@example.com", "Alice", ("Tech",))
    assert "alice@example.com" not in repr(recipient) and "alice@example.com" not in str(recipient)
    assert repr(recipient) == "Recipient(a***@e***.com, Tech)"


def test_to_entries_files_and_subscribers_merge_into_one_list(tmp_path: Path) -> None:
    outside = tmp_path / "private" / "subscribers.txt"
    outside.parent.mkdir()
    outside.write_text("# the list\ncarol@example.net   # Carol\n\nDave <dave@example.com>\nALICE@example.com\n", encoding="utf-8")
    email = EmailSettings(
        sender="digest@example.com",
        to=("alice@example.com", str(outside), "Bob <bob@example.org>"),
        subscribers=(Subscriber("bob@example.org", ("World",)), Subscriber("erin@example.com")),
    )
    recipients = plan_delivery(email, sample_digest())
    assert [(r.address, r.sections) for r in recipients] == [
        ("alice@example.com", ()),
        ("carol@example.net", ()),
        ("dave@example.com", ()),
        ("bob@example.org", ("World",)),  # the subscribers entry chose sections; its place stays
        ("erin@example.com", ()),
    ]
    assert recipients[2].name == "Dave" and recipients[3].name == "Bob"


def test_a_relative_address_file_is_read_from_the_config_folder(tmp_path: Path) -> None:
    (tmp_path / "list.txt").write_text("zed@example.com\n", encoding="utf-8")
    email = EmailSettings(sender="digest@example.com", to=("list.txt",))
    assert [r.address for r in plan_delivery(email, base=tmp_path)] == ["zed@example.com"]


def test_addresses_from_an_environment_variable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DIGEST_TO", "alice@example.com, bob@example.org")
    monkeypatch.setenv("DIGEST_FROM", "Digest <digest@example.com>")
    config = parse_config("email:\n  from: ${DIGEST_FROM}\n  to: ${DIGEST_TO}\nsources: []\n", tmp_path / "feeds.yaml")
    assert [r.address for r in plan_delivery(config.email)] == ["alice@example.com", "bob@example.org"]


@pytest.mark.parametrize(("email", "expected"), [
    (EmailSettings(sender="digest@example.com"),
     "feeds.yaml: email.to: empty, so there is no one to send to: set DIGEST_TO"),
    (EmailSettings(to=("a@example.com",)), "feeds.yaml: email.from: empty: set the sender"),
    (EmailSettings(sender="digest.example.com", to=("a@example.com",)), "feeds.yaml: email.from: d***"),
    (EmailSettings(sender="digest@example.com", to=("alice@example.com", "bob@@example.org")),
     "feeds.yaml: email.to[1]: b***@e***.org is not a valid e-mail address (needs exactly one @)"),
    (EmailSettings(sender="digest@example.com", to=("missing-file.txt",)),
     "feeds.yaml: email.to: no such address file: missing-file.txt"),
    (EmailSettings(sender="digest@example.com", subscribers=(Subscriber(""),)),
     "feeds.yaml: email.subscribers[0].address: empty: give the subscriber's e-mail address (or set its ${VAR})"),
    (EmailSettings(sender="digest@example.com", to=("a@example.com",), subject="{title} {when}"),
     "feeds.yaml: email.subject: unknown field {when}"),
    (EmailSettings(sender="digest@example.com", to=("a@example.com",), domain="not a domain"),
     "feeds.yaml: email.domain: 'not a domain' is not a domain name"),
])
def test_plan_errors_are_one_line_and_masked(email: EmailSettings, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        plan_delivery(email, sample_digest())
    message = str(info.value)
    assert message.startswith(expected), message
    assert "\n" not in message
    assert "bob@" not in message and "alice@" not in message


def test_a_bad_line_in_an_address_file_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "subscribers.txt"
    path.write_text("ok@example.com\nnot-an-address\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        plan_delivery(EmailSettings(sender="digest@example.com", to=(str(path),)))
    assert str(info.value) == f"{path}: line 2: n*** is not a valid e-mail address (has no @)"


def test_unknown_subscriber_sections_are_caught_with_a_suggestion() -> None:
    email = EmailSettings(sender="digest@example.com",
                          subscribers=(Subscriber("a@example.com", ("Tech", "Wrold")),))
    with pytest.raises(ConfigError) as info:
        plan_delivery(email, known_sections=["Tech", "World"])
    assert str(info.value) == ("feeds.yaml: email.subscribers[0].sections[1]: no section named 'Wrold' "
                               "(did you mean 'World'?); sections are: Tech, World")


def test_config_sections_follow_the_sources(tmp_path: Path) -> None:
    config = parse_config(
        "sources:\n  - {name: A, url: a.xml, section: Tech}\n  - {name: B, url: b.xml}\n", tmp_path / "feeds.yaml")
    assert config_sections(config) == ["Tech", "B"]
