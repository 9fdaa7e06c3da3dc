"""Typed callback data: every family packs to the strings earlier versions sent (buttons
already in people's chats keep working) and parses back; malformed data parses to None."""

from __future__ import annotations

import pytest

from tipbot.core.callbacks import (
    MAX_BYTES,
    BroadcastAction,
    CardAction,
    ChooseLanguage,
    FormAction,
    RequestAction,
    SetTime,
    StartConsult,
    Vote,
)
from tipbot.core.ids import INT32_MAX


@pytest.mark.parametrize(
    ("button", "wire"),
    [
        (Vote("prebiotics-01", -1), "vote:prebiotics-01:-1"),
        (SetTime("07:30"), "sub:time:07:30"),
        (ChooseLanguage("es"), "sub:lang:es"),
        (StartConsult(), "consult:start"),
        (FormAction("confirm"), "cform:confirm"),
        (RequestAction("cancel", 12), "consult:cancel:12"),
        (CardAction("claim", 3), "staff:claim:3"),
        (BroadcastAction("send", 7), "bcast:send:7"),
    ],
)
def test_the_wire_format_is_the_one_earlier_versions_sent(button, wire):
    assert button.pack() == wire
    assert type(button).parse(wire) == button


@pytest.mark.parametrize(
    ("family", "data"),
    [
        (Vote, "vote:prebiotics-01:2"),  # not a vote value
        (Vote, "vote:prebiotics-01"),  # a field missing
        (Vote, "more:omega3"),  # another family's
        (CardAction, "staff:claim:99999999999999999999"),  # overflows the id column
        (CardAction, f"staff:claim:{INT32_MAX + 1}"),
        (CardAction, "staff:claim:²"),  # not ASCII digits
        (CardAction, "staff:delete:1"),  # no such action
        (RequestAction, "consult:start"),  # the consultation button, not a request's
        (StartConsult, "consult:start:1"),
        (SetTime, "sub:time:"),  # empty
        (FormAction, None),
    ],
)
def test_malformed_data_is_not_a_button(family, data):
    assert family.parse(data) is None


def test_data_over_telegrams_limit_is_refused_when_packed():
    with pytest.raises(ValueError, match=f"over {MAX_BYTES} bytes"):
        ChooseLanguage("x" * MAX_BYTES).pack()


def test_a_familys_pattern_routes_only_its_prefix():
    assert CardAction.pattern().match("staff:claim:1")
    assert not CardAction.pattern().match("staffing:1")
    assert FormAction("edit").exactly().match("cform:edit")
    assert not FormAction("edit").exactly().match("cform:editx")
