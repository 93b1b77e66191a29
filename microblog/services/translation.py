"""Translating a post into the reader's language (chapter 14), behind a small interface:
Microsoft Translator v3 when MS_TRANSLATOR_KEY is set, otherwise off (the UI hides the link).

The HTTP call blocks (requests): callers run it in a thread (state/translation.py uses
`asyncio.to_thread`), never on the event loop. Failures become a `TranslationError` whose
message is a translatable `Message` the page shows beside the post.

Translations are cached in this process: an LRU keyed by (post id, SHA-256 of the body, target
language), so a post translated for one reader costs nothing for the next, and an edited body
is never answered from the cache. Each backend worker has its own cache (a miss costs one call).

Only signed-in readers translate, and each one's cache misses are rate-limited
(`begin_translation`), since every call spends the operator's quota.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

import requests
from sqlmodel import Session

from microblog.config import Settings, get_settings
from microblog.i18n import Message, _l, _ln
from microblog.models import Post
from microblog.services import rate_limits
from microblog.services.errors import NotFound
from microblog.services.rate_limits import RateLimit

log = logging.getLogger(__name__)

API_VERSION = "3.0"
CACHE_SIZE = 4096
# Our language codes where Microsoft's differ (its "zh" is not a target; simplified is zh-Hans).
_MS_CODES = {"zh": "zh-Hans"}


def ms_language(code: str) -> str:
    return _MS_CODES.get(code, code)


class TranslationError(Exception):
    """The translation failed; `message` is safe to show (and to translate)."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


class Translator(Protocol):
    @property
    def enabled(self) -> bool: ...

    def translate(self, text: str, *, to: str, source: str | None = None) -> str: ...


class OffTranslator:
    """No translation service configured: the Translate link is not shown."""

    enabled = False

    def translate(self, text: str, *, to: str, source: str | None = None) -> str:
        raise TranslationError(_l("Translation is not available on this site."))


@dataclass(frozen=True)
class MicrosoftTranslator:
    """Microsoft Translator Text API v3: POST {endpoint}/translate?api-version=3.0&to=..&from=..
    with a JSON body [{"Text": ...}]. The region header is sent only when configured: a global
    resource must not send one, a regional one must (the tutorial hard-coded "westus2")."""

    key: str
    region: str = ""
    endpoint: str = "https://api.cognitive.microsofttranslator.com"
    timeout: float = 5.0
    enabled: bool = True

    def translate(self, text: str, *, to: str, source: str | None = None) -> str:
        params = {"api-version": API_VERSION, "to": ms_language(to)}
        if source:
            params["from"] = ms_language(source)
        headers = {
            "Ocp-Apim-Subscription-Key": self.key,
            "Content-Type": "application/json; charset=UTF-8",
            "X-ClientTraceId": str(uuid.uuid4()),
        }
        if self.region:
            headers["Ocp-Apim-Subscription-Region"] = self.region
        try:
            response = requests.post(
                f"{self.endpoint}/translate",
                params=params,
                headers=headers,
                json=[{"Text": text}],
                timeout=self.timeout,
            )
        except requests.Timeout:
            raise TranslationError(
                _l("The translation service did not answer in time. Please try again.")
            ) from None
        except requests.RequestException as problem:
            log.warning("Translator unreachable: %s", problem)
            raise TranslationError(
                _l("The translation service is unavailable. Please try again later.")
            ) from None
        if response.status_code != 200:
            raise _error_for(response)
        try:
            return str(response.json()[0]["translations"][0]["text"])
        except (ValueError, KeyError, IndexError, TypeError):
            log.warning("Translator answered something unexpected: %.200r", response.text)
            raise TranslationError(
                _l("The translation service gave an unexpected answer.")
            ) from None


def _error_for(response: requests.Response) -> TranslationError:
    """A failed call: logged with the service's own error code and message, shown in words the
    reader can act on (the operator's credentials are not the reader's business)."""
    try:
        error = response.json().get("error", {})
    except (ValueError, AttributeError):
        error = {}
    log.warning(
        "Translator error %s: %s %s",
        response.status_code,
        error.get("code") if isinstance(error, dict) else "",
        error.get("message") if isinstance(error, dict) else response.text[:200],
    )
    if response.status_code in (401, 403):
        return TranslationError(_l("Translation is not available right now."))
    if response.status_code == 429:
        return TranslationError(
            _l("Too many translations requested. Please try again in a minute.")
        )
    return TranslationError(_l("The translation service is unavailable. Please try again later."))


def translator_from(settings: Settings) -> Translator:
    if not settings.ms_translator_key:
        return OffTranslator()
    return MicrosoftTranslator(
        key=settings.ms_translator_key,
        region=settings.ms_translator_region,
        endpoint=settings.ms_translator_endpoint,
        timeout=settings.ms_translator_timeout,
    )


_translator: Translator | None = None


def get_translator() -> Translator:
    """Chosen once from the settings, at first use."""
    global _translator  # one adapter per process
    if _translator is None:
        _translator = translator_from(get_settings())
    return _translator


def translation_enabled() -> bool:
    return get_translator().enabled


class _LRU:
    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[int, str, str], str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[int, str, str]) -> str | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key: tuple[int, str, str], value: str) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


CACHE = _LRU(CACHE_SIZE)


def post_for_translation(session: Session, *, post_id: int) -> tuple[str, str | None]:
    """(body, detected language) of a post; read before the HTTP call so no database session
    stays open while the translator thinks."""
    post = session.get(Post, post_id)
    if post is None:
        raise NotFound(_l("No such post."))
    return post.body, post.language


def _cache_key(post_id: int, body: str, to: str) -> tuple[int, str, str]:
    return (post_id, hashlib.sha256(body.encode()).hexdigest(), to)


@dataclass(frozen=True)
class PostToTranslate:
    body: str
    source: str | None
    cached: str | None  # the translation, when this process has it already


def too_many_translations(seconds: int) -> Message:
    return _ln(
        "You have translated many posts. Try again in %(num)d minute.",
        "You have translated many posts. Try again in %(num)d minutes.",
        math.ceil(seconds / 60),
    )


def begin_translation(
    session: Session, *, user_id: int, post_id: int, to: str, limit: RateLimit
) -> PostToTranslate:
    """A signed-in reader asks for a post in `to`: the post, and its translation if cached.

    A translation the cache does not have will spend the operator's quota, so it counts against
    the reader's `limit` (`TRANSLATE_RATE_LIMIT`, per user, shared by every worker through the
    database); over it, `TranslationError` says how long to wait and nothing is sent. Anonymous
    readers never get here: the caller checks the session first.
    """
    body, source = post_for_translation(session, post_id=post_id)
    cached = CACHE.get(_cache_key(post_id, body, to))
    if cached is None and (wait := rate_limits.hit_user(session, limit=limit, user_id=user_id)):
        raise TranslationError(too_many_translations(wait))
    return PostToTranslate(body=body, source=source, cached=cached)


def translate_post_text(
    *,
    post_id: int,
    body: str,
    to: str,
    source: str | None = None,
    translator: Translator | None = None,
) -> str:
    """The post's text in `to`, from the cache or the translator. Blocking: run in a thread."""
    key = _cache_key(post_id, body, to)
    if (cached := CACHE.get(key)) is not None:
        return cached
    text = (translator or get_translator()).translate(body, to=to, source=source)
    CACHE.put(key, text)
    return text
