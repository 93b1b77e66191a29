"""A post's body as safe HTML: a small Markdown subset, links, @mentions and #tags.

The public API:

- `render_post(body, *, known_users) -> RenderedPost`: the HTML fragment to store with the post
  (rendered once, when the post is written), the users it mentions, its tags and its length.
- `post_length(body) -> int`: the length the post limit applies to, cheap enough for the compose
  box's live counter on every keystroke (a scan for `http(s)://` URLs, no Markdown).
- `normalize_tag(name) -> str | None`: the tag a `#name` stands for, for the tag page's address.

Only the raw body is the post's text: translation, search, language detection and the export
read it, never this HTML, so there is no "plain text" function here.

**What renders** (markdown-it-py, its "zero" preset plus a few rules): paragraphs, a single
newline as a line break, `*emphasis*`, `**strong**`, `` `code` ``, `[links](https://...)`,
`<https://...>`, bullet and numbered lists, backslash escapes (`\\#1` is not a tag, `\\@bob`
not a mention). Everything else CommonMark knows stays the text that was typed: raw HTML,
headings, block quotes, code blocks and fences, tables, rules, reference definitions, entities.
`![alt](url)` shows no image: its `!` stays text and `[alt](url)` is an ordinary link.

**Links** go only to `http://`, `https://` or a path of this site (`/...`, not `//host`).
Bare URLs and bare domains (`example.com`) are linked by linkify-it-py, never `mailto:`, `ftp:`
or email addresses. `@name` links to the profile when `known_users` knows the name (case
aside); the link shows what was written and points at the username as registered. `#tag` links
to `/tag/<tag>`, the tag normalised by `normalize_tag`. Neither is looked for inside a link,
a URL or inline code. Every link gets `rel="nofollow noopener ugc"` (from the sanitiser) and no
`target`: mentions and tags are pages of this site and must open in place, and whether an
outside link opens a new tab is the reader's choice (middle click), which a forced new window
takes away (WCAG G200); `noopener` stays in case a `target` is ever added.

**Sanitising**: whatever markdown-it produced goes through nh3 (ammonia) last, with an explicit
allow-list of tags, attributes, classes and URL schemes, though markdown-it already escapes and
validates: a bug in one is caught by the other.

**Length** follows Mastodon's StatusLengthValidator: a URL written with `http://` or `https://`
counts as 23 characters whatever its length; everything else, bare domains included (Mastodon
does not count them as URLs: `extract_url_without_protocol: false`), counts as written, in
grapheme clusters (`each_grapheme_cluster.size` there, ICU's character break iterator here), so
an emoji with a skin tone or a flag counts as one, as a reader sees it. Mentions count as their
`@name`, as written: Mastodon only drops a mention's `@domain`, and ours have none. The length is
of the raw body, Markdown markup included, so the counter needs no Markdown parse.

**Threads**: posts are rendered in run_db's worker threads; each thread gets its own parser and
break iterator (cheap to make, not documented as safe to share while in use).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import icu
import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from microblog.routes import tag_url, user_url
from microblog.services.users import USERNAME_RE

URL_LENGTH = 23  # what a URL with a scheme counts, whatever its length (Mastodon's figure)
TAG_MAX = 100  # characters of a normalised tag; a longer `#word` stays text
LINK_REL = "nofollow noopener ugc"
MENTION_CLASS = "mention"
TAG_CLASS = "hashtag"

KnownUsers = Callable[[set[str]], Mapping[str, str]]
"""Asked with lower-cased candidate usernames, answers {lower-cased name: username as
registered} for those that exist. Called at most once per render, not at all when the body has
no `@name` that registration would accept; one indexed query answers it
(`lower(username) IN (...)`)."""


@dataclass(frozen=True, slots=True)
class RenderedPost:
    html: str  # a sanitised fragment: p, br, strong, em, code, a, ul, ol, li
    mentions: tuple[str, ...]  # usernames as registered, of existing users, in order, once each
    tags: tuple[str, ...]  # normalised tags, in order, once each
    length: int  # post_length(body)
    # The web links (http, https) in order, once each: not mentions, tags or this site's paths.
    # The first gets a preview card (services/link_cards.py).
    links: tuple[str, ...] = ()


def render_post(body: str, *, known_users: KnownUsers) -> RenderedPost:
    """Render `body` (as stored) for display; see the module's docstring for the rules."""
    found = _Found(known_users)
    parser = _local_parser()
    tokens = parser.parse(body, {_FOUND: found})
    html = parser.renderer.render(tokens, parser.options, {})
    return RenderedPost(
        html=_CLEANER.clean(html).strip(),
        mentions=tuple(found.mentions),
        tags=tuple(found.tags),
        length=post_length(body),
        links=_web_links(tokens),
    )


def _web_links(tokens: list[Token]) -> tuple[str, ...]:
    """The http(s) links markdown-it made (Markdown links, autolinks, bare URLs and domains),
    in order; mentions and tags are paths of this site, so they are not among them."""
    found: dict[str, None] = {}
    for block in tokens:
        for token in block.children or ():
            href = str(token.attrGet("href") or "") if token.type == "link_open" else ""
            if href[:8].lower().startswith(("http://", "https://")):
                found[href] = None
    return tuple(found)


def post_length(body: str) -> int:
    """How many characters `body` counts as against the post limit: grapheme clusters, with each
    `http(s)://` URL counting as `URL_LENGTH` (module docstring). Cheap: no Markdown parse, and
    only URLs with a scheme are looked for (linkify-it-py's rules for them), not bare domains,
    which count as written anyway: a few microseconds for a post without a URL, a few tens with
    one."""
    if "://" in body:
        parser = _local_parser()
        pieces: list[str] = []
        start = 0
        for scheme in _SCHEME.finditer(body):
            at = scheme.start()
            if at < start or not parser.url_starts(body, at):
                continue
            if tail := parser.urls.test_schema_at(body, scheme.group().lower(), scheme.end()):
                pieces += (body[start:at], "x" * URL_LENGTH)
                start = scheme.end() + tail
        body = "".join(pieces) + body[start:]
    return _grapheme_count(body)


_SCHEME = re.compile("https?:", re.IGNORECASE)


def normalize_tag(name: str) -> str | None:
    """The tag `#name` (or `name`) stands for: NFKC, case-folded, so `#Café`, `#CAFÉ` and
    `#café` written with a combining accent are one tag; None when it is not a tag.

    A tag is letters, combining marks, decimal digits and `_` of any script, with a zero-width
    non-joiner or a middle dot (`col·legi`) allowed between them; it has at least one letter
    (`#2024` is not a tag, as on Mastodon) and at most `TAG_MAX` characters once normalised."""
    name = name.removeprefix("#")
    if not name or _tag_end(name, 0) != len(name):
        return None
    return _normalized_tag(name)


# --- The parser ------------------------------------------------------------------------------

_RULES = ["list", "newline", "escape", "backticks", "emphasis", "link", "autolink", "linkify"]
_FOUND = "microblog_rich_text"  # the key of the _Found in the parser's env


class _PostParser(MarkdownIt):
    """markdown-it with only the rules a post may use, linking only where a post may link."""

    def __init__(self) -> None:
        super().__init__("zero", {"html": False, "linkify": True, "breaks": True})
        self.enable(_RULES)
        if self.linkify is None:  # markdown-it-py imports linkify-it-py only if it is there
            raise RuntimeError("linkify-it-py is not installed (requirements.txt)")
        self.urls: Any = self.linkify  # linkify-it-py has no type information
        self.urls.add("ftp:", None).add("//", None).add("mailto:", None)
        self.urls.set({"fuzzy_email": False})
        # linkify-it's own test for what may stand before a scheme (a space, punctuation...).
        self._scheme_here = re.compile(self.urls.re["schema_search"], re.IGNORECASE)
        # After linkify (URLs are links by then, so no tag is found inside one) and before
        # text_join (escaped characters are still their own tokens, so `\#1` is no tag).
        self.core.ruler.before("text_join", "mentions_and_tags", _mentions_and_tags)

    def url_starts(self, text: str, at: int) -> bool:
        """Whether linkify-it lets a URL's scheme start at `text[at]` (not in `xhttp://`)."""
        found = self._scheme_here.match(text, max(at - 1, 0))
        return found is not None and found.start(2) == at

    def validateLink(self, url: str) -> bool:
        """Every link markdown-it makes (Markdown links, autolinks, linkify) asks this first,
        with the URL entity-decoded and percent-encoded: a tab or a NUL inside a scheme is
        `%09`/`%00` by then, so a plain prefix test is exact."""
        return _is_allowed_href(url)


_local = threading.local()


def _local_parser() -> _PostParser:
    parser: _PostParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = _PostParser()
    return parser


def _is_allowed_href(url: str) -> bool:
    """http(s) anywhere, or a path on this site (`//host` and `/\\host` are other hosts)."""
    return url[:8].lower().startswith(("http://", "https://")) or (
        url.startswith("/") and not url.startswith(("//", "/\\"))
    )


def _allowed_relative_href(url: str) -> str | None:
    return url if _is_allowed_href(url) else None


def _allowed_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "href":  # `http:host` is http to ammonia; only the forms the parser makes
        return value if _is_allowed_href(value) else None
    if tag == "ol" and attribute == "start":  # `1986. A good year` keeps its number
        return value if value.isascii() and value.isdigit() and len(value) <= 9 else None
    return value


_CLEANER = nh3.Cleaner(
    tags={"p", "br", "strong", "em", "code", "a", "ul", "ol", "li"},
    clean_content_tags={"script", "style"},
    attributes={"*": set(), "a": {"href"}, "ol": {"start"}},  # "*": not ammonia's title, lang
    allowed_classes={"a": {MENTION_CLASS, TAG_CLASS}},
    attribute_filter=_allowed_attribute,
    url_schemes={"http", "https"},
    url_relative=_allowed_relative_href,
    link_rel=LINK_REL,
    strip_comments=True,
)


# --- Mentions and tags -----------------------------------------------------------------------


@dataclass
class _Found:
    known_users: KnownUsers
    mentions: dict[str, None] = field(default_factory=dict)  # ordered sets
    tags: dict[str, None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Mention:
    start: int  # of the `@`
    names: tuple[str, ...]  # what may be the name, longest first (`bob.` then `bob`)


@dataclass(frozen=True, slots=True)
class _Tag:
    start: int  # of the `#`
    end: int
    tag: str  # normalised


def _mentions_and_tags(state: StateCore) -> None:
    """Core rule: turn `@name` and `#tag` in text outside links into links. All candidate names
    of the post go to `known_users` in one call."""
    found: _Found = state.env[_FOUND]
    texts: list[tuple[list[Token], int, list[_Mention | _Tag]]] = []
    for block in state.tokens:
        if block.type == "inline" and block.children:
            texts += _texts_with_entities(block.children)
    names = {
        name.lower()
        for *_, entities in texts
        for entity in entities
        if isinstance(entity, _Mention)
        for name in entity.names
    }
    known = {key.lower(): value for key, value in found.known_users(names).items()} if names else {}
    linked = [
        (children, index, _linked(children[index], entities, known, found))
        for children, index, entities in texts
    ]
    for children, index, replacement in reversed(linked):  # from the end: indices stay right
        children[index : index + 1] = replacement


def _texts_with_entities(
    children: list[Token],
) -> Iterator[tuple[list[Token], int, list[_Mention | _Tag]]]:
    inside_link, before = 0, ""
    for index, token in enumerate(children):
        if token.type == "link_open":
            inside_link += 1
        elif token.type == "link_close":
            inside_link -= 1
        elif (
            token.type == "text"
            and not inside_link
            and (entities := _entities(token.content, before))
        ):
            yield children, index, entities
        before = token.content[-1:] if token.type in _TEXTUAL else _BREAKS.get(token.type, "")


_TEXTUAL = {"text", "text_special", "code_inline"}
_BREAKS = {"softbreak": "\n", "hardbreak": "\n"}
_SIGIL = re.compile("[@#]")
_NOT_BEFORE_TAG = frozenset("/)&")  # `&` so that `&#x41;`, an entity typed as text, is no tag
_NOT_BEFORE_MENTION = frozenset("@/=")
_NAME_RUN = re.compile(r"[A-Za-z0-9_.-]+")  # a username's characters (users.USERNAME_RE)


def _entities(text: str, before: str) -> list[_Mention | _Tag]:
    """The possible mentions and the tags in one text token; `before` is the character just
    before it (or "" at the start of a line or after markup)."""
    found: list[_Mention | _Tag] = []
    resume = 0
    for sigil in _SIGIL.finditer(text):
        start = sigil.start()
        if start < resume:
            continue
        previous = text[start - 1] if start else before
        if sigil.group() == "@":
            mention, resume = _mention_at(text, start, previous)
            if mention:
                found.append(mention)
        elif not (_is_word(previous) or previous in _NOT_BEFORE_TAG):
            end = _tag_end(text, start + 1)
            tag = _normalized_tag(text[start + 1 : end]) if end > start + 1 else None
            if tag:
                found.append(_Tag(start, end, tag))
            resume = end
    return found


def _mention_at(text: str, start: int, previous: str) -> tuple[_Mention | None, int]:
    """The possible mention at `text[start] == "@"`, and where to go on looking. Not one when
    glued to a word (`a@b.com`), after `/` or `=` (a URL's path or query), or followed by
    another `@` (`@bob@example.social`: someone elsewhere, whom we cannot link)."""
    run = _NAME_RUN.match(text, start + 1)
    if run is None or _is_word(previous) or previous in _NOT_BEFORE_MENTION:
        return None, start + 1
    after = text[run.end() : run.end() + 1]
    if after == "@" or _is_word(after):  # `@bob@host`, `@bobé`
        return None, run.end()
    name, names = run.group(), []
    while name:  # `@bob.` at the end of a sentence may be bob (or a user called `bob.`)
        if USERNAME_RE.match(name):
            names.append(name)
        if name[-1] not in ".-":
            break
        name = name[:-1]
    return (_Mention(start, tuple(names)) if names else None), run.end()


def _linked(
    token: Token, entities: list[_Mention | _Tag], known: dict[str, str], found: _Found
) -> list[Token]:
    """`token` cut into text and links, one per known mention and per tag."""
    text, pieces, done = token.content, [], 0
    for entity in entities:
        if isinstance(entity, _Tag):
            end, href, css = entity.end, tag_url(entity.tag), TAG_CLASS
            found.tags[entity.tag] = None
        else:
            name = next((n for n in entity.names if n.lower() in known), None)
            if name is None:
                continue
            username = known[name.lower()]
            end, href, css = entity.start + 1 + len(name), user_url(username), MENTION_CLASS
            found.mentions[username] = None
        pieces += [
            Token("text", "", 0, content=text[done : entity.start], level=token.level),
            Token("link_open", "a", 1, attrs={"href": href, "class": css}, level=token.level),
            Token("text", "", 0, content=text[entity.start : end], level=token.level + 1),
            Token("link_close", "a", -1, level=token.level),
        ]
        done = end
    if not pieces:
        return [token]
    return [*pieces, Token("text", "", 0, content=text[done:], level=token.level)]


def _is_word(char: str) -> bool:
    """A letter, digit, mark or `_` of any script (what `\\w` misses: combining marks)."""
    return bool(char) and (char.isalnum() or char == "_" or unicodedata.category(char)[0] == "M")


_TAG_JOINERS = "\u200c\u00b7"  # zero-width non-joiner (Persian), middle dot (Catalan)


def _is_tag_char(char: str) -> bool:
    return char == "_" or unicodedata.category(char) in _TAG_CATEGORIES


_TAG_CATEGORIES = {"Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd"}


def _tag_end(text: str, start: int) -> int:
    """Where the tag whose name starts at `text[start]` ends (`start` when none does)."""
    if start >= len(text) or not _is_tag_char(text[start]):
        return start
    if unicodedata.category(text[start])[0] == "M":  # a mark would sit on the `#`
        return start
    end = start + 1
    while end < len(text):
        if _is_tag_char(text[end]):
            end += 1
        elif text[end] in _TAG_JOINERS and end + 1 < len(text) and _is_tag_char(text[end + 1]):
            end += 2
        else:
            break
    return end


def _normalized_tag(name: str) -> str | None:
    tag = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    if len(tag) > TAG_MAX or _tag_end(tag, 0) != len(tag):  # NFKC may give a space (U+FDFA)
        return None
    if not any(unicodedata.category(char)[0] == "L" for char in tag):
        return None
    return tag


# --- Grapheme clusters -----------------------------------------------------------------------


def _grapheme_count(text: str) -> int:
    """User-perceived characters (Unicode extended grapheme clusters, ICU's break rules)."""
    if text.isascii():  # the usual case, and exact: only CR LF is two ASCII characters in one
        return len(text) - text.count("\r\n")
    breaks: icu.BreakIterator | None = getattr(_local, "breaks", None)
    if breaks is None:
        breaks = _local.breaks = icu.BreakIterator.createCharacterInstance(icu.Locale.getRoot())
    breaks.setText(text)
    return sum(1 for _ in breaks)
