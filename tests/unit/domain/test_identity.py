"""What makes two reports about the same content, and which source a card groups by."""

from __future__ import annotations

from bot.domain.identity import item_identity, link_origins, source_key
from bot.domain.models import Origin


def test_a_forwarded_post_and_a_link_to_it_are_one_item() -> None:
    forwarded = Origin(type="channel", chat_id=-1001, username="BadNews", message_id=7)
    (linked,) = link_origins("see https://t.me/badnews/7 please")
    assert item_identity(forwarded, "text", None) == item_identity(linked, None, None)
    assert source_key(forwarded) == source_key(linked) == "chan:badnews"


def test_a_private_channel_link_carries_its_chat_id() -> None:
    (linked,) = link_origins("t.me/c/1234567/89 and again t.me/c/1234567/89")
    assert (linked.chat_id, linked.message_id) == (-1001234567, 89)


def test_own_text_is_one_item_whatever_its_spacing_and_case() -> None:
    own = Origin(type="own")
    assert item_identity(own, "Vaksin  PALSU\n", None) == item_identity(own, "vaksin palsu", None)
    assert item_identity(own, "vaksin palsu", None) != item_identity(own, "vaksin asli", None)


def test_media_is_known_by_its_file_whatever_its_caption() -> None:
    user = Origin(type="user", sender_user_id=5, date=100)
    assert item_identity(user, "caption one", "FILE1") == item_identity(user, "two", "FILE1")


def test_a_hidden_sender_is_grouped_by_name_whatever_its_case() -> None:
    assert source_key(Origin(type="hidden_user", sender_name="Ali")) == "hidden:ali"
    assert source_key(Origin(type="own")) is None
