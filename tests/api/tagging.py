"""Tag posts straight in the database. The tags of a post come from the renderer
(services/rich_text.py, `#name` in the text); these tests are about the listing, so they do not
depend on which renderer is in place."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine


def tag_post(engine: Engine, post_id: int, name: str) -> None:
    """Give the post the tag `name` (already normalised), creating the tag if it is new."""
    with engine.begin() as connection:
        tag_id = connection.execute(
            text("SELECT id FROM tag WHERE name = :n"), {"n": name}
        ).scalar()
        if tag_id is None:
            connection.execute(text("INSERT INTO tag (name) VALUES (:n)"), {"n": name})
            tag_id = connection.execute(
                text("SELECT id FROM tag WHERE name = :n"), {"n": name}
            ).scalar_one()
        connection.execute(
            text(
                'INSERT INTO post_tag (post_id, tag_id, "timestamp") '
                'SELECT id, :tag, "timestamp" FROM post WHERE id = :post'
            ),
            {"tag": tag_id, "post": post_id},
        )
