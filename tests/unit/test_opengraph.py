"""Link previews' reading of a page (services/opengraph.py): OpenGraph, then Twitter cards, then
`<title>` and the meta description; plain text only, capped; URLs absolute, http(s) only."""

from __future__ import annotations

from microblog.services.opengraph import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    decode_page,
    parse_preview,
)

PAGE = "https://news.example/2026/story?id=1"


def test_opengraph_tags_win() -> None:
    markup = """<html><head>
      <title>Fallback title</title>
      <meta name="description" content="Fallback description">
      <meta property="og:title" content="The &amp; story">
      <meta property="og:description" content="What happened,
         in   short.">
      <meta property="og:image" content="/img/lead.jpg">
      <meta property="og:site_name" content="News Example">
      <meta property="og:url" content="https://news.example/2026/story">
      <meta name="twitter:title" content="Twitter title">
    </head><body></body></html>"""
    preview = parse_preview(markup, page_url=PAGE)
    assert preview.title == "The & story"
    assert preview.description == "What happened, in short."
    assert preview.image == "https://news.example/img/lead.jpg"
    assert preview.site_name == "News Example"
    assert preview.canonical_url == "https://news.example/2026/story"


def test_twitter_then_title_and_description_are_fallbacks() -> None:
    twitter = """<meta name="twitter:title" content="Tweet title">
      <meta name="twitter:description" content="Tweet text">
      <meta name="twitter:image" content="https://cdn.example/t.png"><title>Plain</title>"""
    preview = parse_preview(twitter, page_url=PAGE)
    assert (preview.title, preview.description) == ("Tweet title", "Tweet text")
    assert preview.image == "https://cdn.example/t.png"
    plain = """<head><TITLE> A  plain
      page </TITLE><meta name="Description" content="Described."><link rel="canonical"
      href="/2026/story"></head><body><svg><title>icon</title></svg></body>"""
    preview = parse_preview(plain, page_url=PAGE)
    assert (preview.title, preview.description) == ("A plain page", "Described.")
    assert preview.canonical_url == "https://news.example/2026/story"
    assert (preview.image, preview.site_name) == ("", "")
    assert parse_preview("<p>nothing here</p>", page_url=PAGE).is_empty


def test_markup_in_values_stays_text_and_lengths_are_capped() -> None:
    markup = (
        '<meta property="og:title" content="&lt;script&gt;alert(1)&lt;/script&gt; '
        '\u202eevil\u0000">'
        f'<meta property="og:description" content="{"word " * 200}">'
    )
    preview = parse_preview(markup, page_url=PAGE)
    assert preview.title == "<script>alert(1)</script> evil"  # text: escaped where shown
    assert len(preview.description) == DESCRIPTION_MAX and preview.description.endswith("…")
    long_title = parse_preview(f"<title>{'x' * 1000}</title>", page_url=PAGE).title
    assert len(long_title) == TITLE_MAX


def test_only_web_urls_and_a_canonical_address_on_the_same_host() -> None:
    markup = """<meta property="og:image" content="javascript:alert(1)">
      <meta name="twitter:image" content="data:image/png;base64,AAAA">
      <meta property="og:url" content="https://elsewhere.example/phish">"""
    preview = parse_preview(markup, page_url=PAGE)
    assert preview.image == "" and preview.canonical_url == ""
    relative = parse_preview(
        '<meta property="og:image" content="//cdn.example/a.jpg">', page_url=PAGE
    )
    assert relative.image == "https://cdn.example/a.jpg"


def test_decoding_follows_the_header_then_the_meta_charset() -> None:
    text = "<title>Café 中文</title>"
    assert decode_page(text.encode("gb18030"), "gb18030") == text
    meta = '<meta charset="windows-1252"><title>Café</title>'.encode("cp1252")
    assert "Café" in decode_page(meta, None)
    assert "Café" in decode_page("<title>Café</title>".encode(), "no-such-charset")
    assert "\ufffd" in decode_page(b"<title>\xff</title>", None)
