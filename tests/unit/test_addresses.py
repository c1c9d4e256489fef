"""One shared address check: canonical lower-case form, and a generic refusal for anything else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passwordless.addresses import BadAddress, domain_of, normalise_email

ACCEPTED = [
    ("jane@example.com", "jane@example.com"),
    ("Jane.Doe@Example.COM", "jane.doe@example.com"),
    ("  jane@example.com\n", "jane@example.com"),
    ("o'brien+tag@mail.example.co.uk", "o'brien+tag@mail.example.co.uk"),
    ("a@b.io", "a@b.io"),
    ("x" * 64 + "@example.com", "x" * 64 + "@example.com"),
]

REFUSED: list[object] = [
    None,
    42,
    b"jane@example.com",
    ["jane@example.com"],
    {"email": "jane@example.com"},
    "",
    "   ",
    "jane",
    "@example.com",
    "jane@",
    "jane@@example.com",
    "jane@doe@example.com",
    "jane doe@example.com",
    "jane\t@example.com",
    "jane@exa mple.com",
    '"jane"@example.com',
    "<jane@example.com>",
    "jane@example.com, eve@evil.example",
    "jane@example.com;eve@evil.example",
    "jane(comment)@example.com",
    "jane\\@example.com",
    "jäne@example.com",
    "jane@exämple.com",
    "jane@example.com\u3000",
    "jane\x00@example.com",
    "jane@localhost",
    "jane@example",
    "jane@-example.com",
    "jane@example.c",
    "jane@127.0.0.1",
    "jane@[127.0.0.1]",
    ".jane@example.com",
    "jane.@example.com",
    "ja..ne@example.com",
    "x" * 65 + "@example.com",
    "jane@" + "a" * 250 + ".com",
    "jane@" + "a" * 64 + ".com",
    "jane@example.com" + " " * 10 + "x",
    "x" * 100_000,
]


@pytest.mark.parametrize(("raw", "expected"), ACCEPTED)
def test_accepted_addresses_come_back_lower_case_and_stripped(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize("raw", REFUSED, ids=lambda value: repr(value)[:40])
def test_refused_addresses_raise_bad_address_with_a_generic_message(raw: object) -> None:
    with pytest.raises(BadAddress) as refusal:
        normalise_email(raw)
    assert str(refusal.value) == "That is not a valid email address."


def test_the_whole_address_is_at_most_254_characters() -> None:
    local = "x" * 64
    domain = ".".join(["a" * 61] * 3) + ".com"  # 64 + 1 + 189 = 254
    assert len(f"{local}@{domain}") == 254
    assert normalise_email(f"{local}@{domain}") == f"{local}@{domain}"
    with pytest.raises(BadAddress):
        normalise_email(f"{local}@a{domain}")


def test_domain_of_is_the_lower_case_part_after_the_at() -> None:
    assert domain_of("Jane@Mail.Example.COM") == "mail.example.com"
    with pytest.raises(BadAddress):
        domain_of("jane@doe@example.com")
    with pytest.raises(BadAddress):
        domain_of(None)


_atext = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~")
)
_label = st.from_regex(r"[a-zA-Z0-9]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?", fullmatch=True)
_valid = st.builds(
    lambda local, labels, tld: f"{local}@{'.'.join(labels)}.{tld}",
    st.lists(_atext, min_size=1, max_size=30).map("".join),
    st.lists(_label, min_size=1, max_size=3),
    st.from_regex(r"[a-zA-Z]{2,8}", fullmatch=True),
)


@given(st.one_of(st.text(max_size=300), _valid, st.binary(max_size=30), st.integers(), st.none()))
def test_never_raises_anything_but_bad_address_and_output_is_canonical(raw: object) -> None:
    try:
        address = normalise_email(raw)
    except BadAddress:
        return
    assert address == address.lower()
    assert address.isascii()
    assert address.isprintable()
    assert address.count("@") == 1
    assert normalise_email(address) == address


@given(_valid)
def test_any_casing_of_a_valid_address_maps_to_the_same_address(raw: str) -> None:
    canonical = normalise_email(raw)
    assert normalise_email(raw.upper()) == canonical
    assert normalise_email(raw.swapcase()) == canonical
    assert normalise_email(f" {raw.upper()}\n") == canonical
    assert domain_of(raw) == canonical.rpartition("@")[2]


@given(_valid, st.sampled_from([" ", "\t", '"', "<", ">", ",", ";", "@", "é", "\u00a0"]))
def test_one_forbidden_character_inside_a_valid_address_is_refused(raw: str, bad: str) -> None:
    middle = len(raw) // 2
    with pytest.raises(BadAddress):
        normalise_email(raw[:middle] + bad + raw[middle:])
