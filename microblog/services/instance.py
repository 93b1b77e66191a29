"""What a client must know about this site to check a post before sending it: the longest post
and how much a link counts (the API's `GET /api/instance`)."""

from __future__ import annotations

from dataclasses import dataclass

from microblog.config import get_settings
from microblog.services.rich_text import URL_LENGTH


@dataclass(frozen=True)
class InstanceRules:
    post_max_length: int
    characters_per_link: int


def instance_rules() -> InstanceRules:
    return InstanceRules(
        post_max_length=get_settings().post_max_length, characters_per_link=URL_LENGTH
    )
