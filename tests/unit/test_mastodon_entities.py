"""The Mastodon entities' pure mapping (microblog/mastodon/entities.py): escaping of the
about-me, absolute URLs, a boost as a status around its post, and our notification kinds."""

from __future__ import annotations

from microblog.mastodon import entities
from microblog.schemas import NotificationRow, PostRow, UserCounts, UserPublic

BASE = "https://micro.example"


def face(user_id: int = 7, about: str = "") -> UserPublic:
    return UserPublic(
        id=user_id,
        username="ann",
        about_me=about,
        last_seen="2026-01-01T00:00:00Z",
        member_since="2025-01-01T00:00:00Z",
        avatar="/media/avatars/a.webp",
        avatar_small="/media/avatars/a.webp",
    )


def card(**fields: object) -> PostRow:
    values: dict[str, object] = {
        "id": 10,
        "body": "hi",
        "body_html": "<p>hi</p>",
        "timestamp": "2026-01-02T03:04:05Z",
        "language": "en",
        "author_id": 7,
        "author_username": "ann",
        "author_avatar": "https://gravatar.example/a",
        **fields,
    }
    return PostRow(**values)  # type: ignore[arg-type]


def test_account_escapes_the_note_and_makes_urls_absolute() -> None:
    account = entities.account_json(
        face(about="<script>x</script> & more\n\nnext"), UserCounts(3, 2, 1), base=BASE
    )
    assert account["note"] == "<p>&lt;script&gt;x&lt;/script&gt; &amp; more</p><p>next</p>"
    assert account["avatar"] == f"{BASE}/media/avatars/a.webp"
    assert account["url"] == f"{BASE}/user/ann" and account["id"] == "7"
    assert (account["statuses_count"], account["followers_count"]) == (3, 2)
    assert entities.note_html("   ") == ""


def test_a_boost_is_a_status_around_the_post() -> None:
    ann = entities.account_json(face(7), UserCounts(), base=BASE)
    bob = entities.account_json(face(8), UserCounts(), base=BASE)
    status = entities.status_json(
        card(entry_id=11, boosted_by="bob", reply_to_id=5),
        {7: ann, 8: bob},
        base=BASE,
        booster_id=8,
        reply_to_account_id=9,
        mentions=[(9, "cy")],
    )
    assert status["id"] == "11" and status["account"]["id"] == "8"
    assert status["content"] == "" and status["in_reply_to_id"] is None
    inner = status["reblog"]
    assert inner["id"] == "10" and inner["account"]["id"] == "7"
    assert (inner["in_reply_to_id"], inner["in_reply_to_account_id"]) == ("5", "9")
    assert inner["mentions"] == [
        {"id": "9", "username": "cy", "acct": "cy", "url": f"{BASE}/user/cy"}
    ]
    plain = entities.status_json(card(entry_id=10), {7: ann}, base=BASE)
    assert plain["reblog"] is None and plain["content"] == "<p>hi</p>"


def test_notification_kinds_map_to_mastodon_types() -> None:
    account = entities.account_json(face(), UserCounts(), base=BASE)

    def row(kind: str) -> NotificationRow:
        return NotificationRow(
            id=3,
            kind=kind,
            text="",
            href="",
            timestamp="2026-01-01T00:00:00Z",
            actor_username="ann",
            actor_avatar="",
            unread=True,
        )

    shown = {
        k: entities.notification_json(row(k), account, {"id": "1"})
        for k in ("follower", "reply", "mention", "like", "boost", "message", "announcement")
    }
    assert {k: v["type"] if v else None for k, v in shown.items()} == {
        "follower": "follow",
        "reply": "mention",
        "mention": "mention",
        "like": "favourite",
        "boost": "reblog",
        "message": None,
        "announcement": None,
    }
    assert shown["follower"]["status"] is None and shown["like"]["status"] == {"id": "1"}  # type: ignore[index]
