"""The head tags a profile's, a post's or a tag's page gets from the server
(web/page_meta.py): written into the head, the site-wide ones they replace taken out, every
value escaped."""

from __future__ import annotations

from microblog.services.opengraph import parse_preview
from microblog.web.page_meta import HeadTags, with_head_tags
from microblog.web.syndication import site

# As React's prerender writes them (attributes in its own order).
PAGE = (
    b'<!DOCTYPE html><html lang="en"><head><meta charSet="utf-8"/>'
    b"<title>Profile \xc2\xb7 Microblog</title>"
    b'<meta content="A Microblog profile." name="description"/>'
    b'<meta content="http://localhost:3000/icons/icon-512.png" property="og:image"/>'
    b'<link href="/x" rel="canonical"/>'
    b'</head><body><meta content="kept" name="description"/></body></html>'
)


def test_the_pages_own_tags_replace_the_site_wide_ones_in_the_head_only() -> None:
    tags = HeadTags(
        path="/user/ann",
        title='ann <"x"> · Microblog',
        description="About & <b>me</b>",
        image="https://example.com/a.png?s=1&t=2",
        kind="profile",
        author="ann",
        feeds=(("application/rss+xml", "ann (RSS)", "/feeds/user/ann.rss"),),
    )
    page = with_head_tags(PAGE, tags).decode()
    head, body = page.split("</head>")
    assert head.count('name="description"') == 1 and head.count('property="og:image"') == 1
    assert head.count('rel="canonical"') == 1
    assert "icon-512" not in head and "A Microblog profile." not in head
    assert 'content="kept"' in body  # only the head is touched
    assert "<b>" not in head and "&lt;b&gt;" in head  # escaped
    preview = parse_preview(page, page_url=f"{site()}/user/ann")
    assert preview.title == 'ann <"x"> · Microblog'
    assert preview.description == "About & <b>me</b>"
    assert preview.image == "https://example.com/a.png?s=1&t=2"
    assert preview.canonical_url == f"{site()}/user/ann"
    assert (
        'rel="alternate" type="application/rss+xml" title="ann (RSS)" '
        f'href="{site()}/feeds/user/ann.rss"' in head
    )


def test_a_page_without_a_head_is_sent_as_it_is() -> None:
    assert (
        with_head_tags(b"<html>no head</html>", HeadTags(path="/tag/x")) == b"<html>no head</html>"
    )
