"""Settings, read once from the environment (and an optional `.env` file).

The names are the Mega-Tutorial's (`SECRET_KEY`, `DATABASE_URL`, `POSTS_PER_PAGE`, ...) so an
operator who knows the tutorial knows how to configure us. Nothing else in the package reads
`os.environ` directly: everything asks `get_settings()`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import load_dotenv


def _project_root() -> Path:
    """The project folder: `.env`, alembic/, and by default the SQLite file, the logs and the
    exports. The source tree this package sits in (it has rxconfig.py); for an installed
    package (`pip install .`), `MICROBLOG_ROOT`, else the folder the command runs in."""
    if configured := os.environ.get("MICROBLOG_ROOT", "").strip():
        return Path(configured).resolve()
    source = Path(__file__).resolve().parent.parent
    return source if (source / "rxconfig.py").is_file() else Path.cwd().resolve()


PROJECT_ROOT = _project_root()
SECRET_KEY_MIN_BYTES = 32  # RFC 7518: an HS256 key at least as long as the hash
DEFAULT_SECRET_KEY = "dev-only-secret-key-change-me-before-deploying"  # noqa: S105 (refused outside development)


class ConfigError(RuntimeError):
    """The environment asks for something we refuse to run with."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalize_database_url(url: str) -> str:
    """Make the URL use the driver we ship (psycopg 3) and anchor relative SQLite paths.

    Heroku-style `postgres://` and plain `postgresql://` would otherwise pick psycopg2, which we
    do not install.
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        relative = url[len("sqlite:///") :]
        if relative and relative != ":memory:":
            return "sqlite:///" + str(PROJECT_ROOT / relative)
    return url


@dataclass(frozen=True)
class Settings:
    secret_key: str
    database_url: str
    posts_per_page: int
    env: str
    admins: tuple[str, ...]
    session_cookie_name: str
    session_days_remember: int
    session_hours_default: int
    last_seen_throttle_seconds: int
    redis_url: str = ""
    # Following someone again within this many seconds of the notice they got (a follow,
    # unfollow, follow) tells them nothing new: no second notification, no second email.
    follow_notice_seconds: int = 3600
    # Mail (the tutorial's names). Without MAIL_SERVER, emails go to the log.
    mail_server: str = ""
    mail_port: int = 25
    mail_use_tls: bool = False
    mail_use_ssl: bool = False
    mail_username: str = ""
    mail_password: str = ""
    mail_default_sender: str = "Microblog <no-reply@localhost>"
    mail_timeout: float = 10.0
    # The email outbox (services/mail_outbox.py): the first retry after a failed send, doubling
    # up to an hour; a message is given up after MAIL_MAX_ATTEMPTS tries or once it is
    # MAIL_MAX_AGE_HOURS old (then `python -m microblog mail retry` sends it again).
    mail_retry_seconds: float = 30.0
    mail_max_attempts: int = 20
    mail_max_age_hours: float = 48.0
    # PUBLIC_URL: the one address people use (the frontend, email links, CORS, the cookie's
    # Secure flag all follow from it: `public_addresses`). Never taken from a Host header.
    base_url: str = "http://localhost:3000"
    # Reverse proxies in front of the backend whose X-Forwarded-For is believed
    # (microblog/client_address.py): 1 under `make prod` (nginx), 0 otherwise.
    trusted_proxy_hops: int = 0
    # Logging: a rotating file under logs/, or stdout with LOG_TO_STDOUT.
    log_to_stdout: bool = False
    log_file: str = "logs/microblog.log"
    log_max_bytes: int = 1_048_576
    log_backup_count: int = 10
    # Post exports (services/exports.py): where the files go, how the job reads, how long files
    # stay. EXPORT_BATCH_PAUSE (seconds between batches) spares a busy database; demos and the
    # browser test use it to watch the bar move.
    export_dir: str = str(PROJECT_ROOT / "instance" / "exports")
    export_batch_size: int = 1000
    export_batch_pause: float = 0.0
    export_workers: int = 2
    export_keep_days: int = 7
    export_mail_max_bytes: int = 10_485_760
    # REST API (microblog/api/): bearer-token lifetime, and per-client-address rate limits as
    # (requests, window seconds) for token creation and registration (services/rate_limits.py).
    api_token_lifetime: int = 3600
    api_token_rate_limit: tuple[int, int] = (10, 60)
    api_register_rate_limit: tuple[int, int] = (10, 3600)
    # Mastodon client API (microblog/mastodon/): per client address, registering an app
    # (POST /api/v1/apps) and asking for a token (POST /oauth/token).
    mastodon_app_rate_limit: tuple[int, int] = (30, 3600)
    oauth_token_rate_limit: tuple[int, int] = (30, 300)
    # Search (services/search/): Elasticsearch when ELASTICSEARCH_URL is set, else built-in.
    elasticsearch_url: str = ""
    elasticsearch_username: str = ""
    elasticsearch_password: str = ""
    elasticsearch_api_key: str = ""
    elasticsearch_ca_certs: str = ""
    elasticsearch_verify_certs: bool = True
    elasticsearch_index: str = "posts"
    elasticsearch_timeout: float = 5.0
    # Translation of posts (services/translation.py): Microsoft Translator v3 when a key is set,
    # otherwise off (no Translate link). The region is the resource's; a global resource has none.
    ms_translator_key: str = ""
    ms_translator_region: str = ""
    ms_translator_endpoint: str = "https://api.cognitive.microsofttranslator.com"
    ms_translator_timeout: float = 5.0
    # Open websocket connections (tabs) one client address may hold per backend worker.
    ws_connections_per_address: int = 40
    # Translations per signed-in user that reach the translator (cache misses), as (requests,
    # window seconds): each one spends the operator's quota (services/translation.py).
    translate_rate_limit: tuple[int, int] = (60, 3600)
    # Spam brakes (services/spam_brakes.py): per-account limits as (requests, window seconds)
    # on posting, following and messaging; accounts younger than `new_account_hours` get the
    # stricter `*_new` ones. SPAM_BRAKES=0 turns them off (the test suite's fixtures write
    # hundreds of posts a second; the brakes' own tests turn them on).
    spam_brakes: bool = True
    new_account_hours: int = 72
    post_rate_limit: tuple[int, int] = (120, 3600)
    post_rate_limit_new: tuple[int, int] = (20, 3600)
    follow_rate_limit: tuple[int, int] = (200, 3600)
    follow_rate_limit_new: tuple[int, int] = (30, 3600)
    message_rate_limit: tuple[int, int] = (120, 3600)
    message_rate_limit_new: tuple[int, int] = (15, 3600)
    # The longest post, counted as Mastodon counts (a link is 23 characters:
    # services/rich_text.py).
    post_max_length: int = 500
    # Operations (docs/operations.md): log lines as text or one JSON object each (LOG_FORMAT);
    # Prometheus metrics at /metrics, for loopback scrapers or with this bearer token.
    log_format: str = "text"
    metrics_enabled: bool = True
    metrics_token: str = ""
    # Pictures (services/media/): a local folder (MEDIA_DIR) unless MEDIA_STORAGE_URL names an
    # S3-compatible bucket (s3://bucket/prefix?endpoint=...&region=...). Files' public address
    # starts with MEDIA_PUBLIC_URL (default: the backend's /media for the folder, the bucket's
    # own address for S3). Limits on what an upload may be, and how many go on one post.
    media_dir: str = str(PROJECT_ROOT / "instance" / "media")
    media_storage_url: str = ""
    media_public_url: str = ""
    media_max_bytes: int = 10_485_760
    media_max_pixels: int = 50_000_000
    media_per_post: int = 4
    # Uploads never attached to a post are deleted once this old (jobs.py).
    media_orphan_hours: float = 24.0
    # The backend's own address (`public_addresses`): local media are served from there.
    api_url: str = "http://localhost:8000"
    # Link previews (services/link_cards.py, services/safe_fetch.py): the first link of a post
    # gets a card, fetched in the background under these limits; a card is fetched again for a
    # new post at most once per LINK_CARD_TTL_HOURS.
    link_previews: bool = True
    link_preview_timeout: float = 8.0
    link_preview_connect_timeout: float = 3.0
    link_preview_max_bytes: int = 1_048_576
    link_preview_image_max_bytes: int = 5_242_880
    link_preview_max_redirects: int = 3
    link_card_ttl_hours: float = 24.0
    # Test only: the fetcher may reach loopback addresses (and nothing else). Refused at start-up
    # outside MICROBLOG_ENV=test.
    link_preview_test_loopback: bool = False

    @property
    def is_development(self) -> bool:
        return self.env in {"dev", "development", "test"}

    @property
    def shows_dev_first_paint(self) -> bool:
        """`make run`: the dev server draws pages' first paint as production does
        (web/dev_first_paint.py); not under the tests, which start the dev server too."""
        return self.env in {"dev", "development"}

    @property
    def login_binding_cookie_name(self) -> str:
        """The cookie that ties a login ticket to the browser that asked for it."""
        return f"{self.session_cookie_name}_login"


def _log_file() -> Path:
    return Path(os.environ.get("LOG_FILE") or PROJECT_ROOT / "logs" / "microblog.log")


def _export_dir() -> Path:
    return PROJECT_ROOT / (os.environ.get("EXPORT_DIR") or "instance/exports")


def _media_dir() -> Path:
    return PROJECT_ROOT / (os.environ.get("MEDIA_DIR") or "instance/media")


def _default_api_url() -> str:
    """The backend's address (PUBLIC_URL's, or the dev backend's port beside it), as
    rxconfig.py gives it to Reflex: local pictures are served from there."""
    return public_addresses().backend


def written_folders() -> list[Path]:
    """The project's top-level folders the app writes into while it runs (the log, exports):
    data, not code, for the dev server's hot reload to leave alone. Read without the rest of
    the settings, for rxconfig.py, which runs before any of them may be required."""
    candidates = [
        PROJECT_ROOT / "logs",
        PROJECT_ROOT / "instance",
        _log_file(),
        _export_dir(),
        _media_dir(),
    ]
    found = set()
    for path in candidates:
        path = path if path.is_absolute() else PROJECT_ROOT / path
        if path.is_relative_to(PROJECT_ROOT) and path != PROJECT_ROOT:
            found.add(PROJECT_ROOT / path.relative_to(PROJECT_ROOT).parts[0])
    return sorted(found)


def _default_cookie_name() -> str:
    """Cookies ignore ports: a second copy on another port gets its own cookie name, so logging
    in to one copy does not log you out of the other in the same browser. The port is the
    public address's (`make run`: the frontend's, 3000; `make prod`: PUBLIC_URL's)."""
    port = public_addresses().site_port
    return "microblog_session" if port in (80, 443, 3000) else f"microblog_session_{port}"


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


# Settings that PUBLIC_URL replaced: refused with a message rather than silently disagreeing
# with it (four addresses had to name the same site, and browsing by another one made login
# fail without a word).
OBSOLETE_ADDRESS_SETTINGS = ("DEPLOY_URL", "API_URL", "BASE_URL", "CORS_ALLOWED_ORIGINS")


@dataclass(frozen=True)
class PublicAddresses:
    """Where the browser finds the site, all derived from PUBLIC_URL.

    - `site`: PUBLIC_URL itself, the address people type and email links use: under `make prod`
      nginx's, under `make run` the frontend dev server's (default http://localhost:3000).
    - `backend`: where pages reach the backend (websocket, /auth, /api). Under `make prod` (and
      any single-port production run) the same address; under `make run` the same scheme and
      host on the backend's port, so the session cookie (set by the backend, scoped to a host,
      not a port) is the page's own.
    """

    site: str
    backend: str

    @property
    def site_port(self) -> int:
        return _port_of(self.site)

    @property
    def origins(self) -> tuple[str, ...]:
        """The origins our pages and backend are served from (CORS, Fetch Metadata checks)."""
        return tuple(dict.fromkeys(origin_of(url) for url in (self.site, self.backend)))

    @property
    def is_https(self) -> bool:
        return self.site.startswith("https://")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _port_of(url: str) -> int:
    parts = urlsplit(url)
    return parts.port or (443 if parts.scheme == "https" else 80)


def check_public_url(url: str) -> str:
    """PUBLIC_URL as an origin without a trailing slash, or a ConfigError saying what is wrong."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        msg = f"PUBLIC_URL must be an http(s):// address, e.g. http://localhost:8080: {url!r}"
        raise ConfigError(msg)
    if parts.path.strip("/") or parts.query or parts.fragment:
        msg = f"PUBLIC_URL is the site's origin, without a path (Microblog serves from /): {url!r}"
        raise ConfigError(msg)
    return f"{parts.scheme}://{parts.netloc}"


def public_addresses() -> PublicAddresses:
    """The addresses, from the environment only (rxconfig.py reads them before any setting)."""
    load_dotenv(PROJECT_ROOT / ".env", override=False)
    obsolete = [name for name in OBSOLETE_ADDRESS_SETTINGS if os.environ.get(name)]
    if obsolete:
        msg = (
            f"{', '.join(obsolete)} {'is' if len(obsolete) == 1 else 'are'} no longer read: the "
            "site's one address is PUBLIC_URL (e.g. PUBLIC_URL=https://microblog.example.com), "
            "from which the backend's address, CORS, cookies and email links follow."
        )
        raise ConfigError(msg)
    frontend_port = os.environ.get("REFLEX_FRONTEND_PORT", "3000")
    backend_port = os.environ.get("REFLEX_BACKEND_PORT", "8000")
    site = check_public_url(os.environ.get("PUBLIC_URL") or f"http://localhost:{frontend_port}")
    one_port = os.environ.get("REFLEX_ENV_MODE") == "prod" or frontend_port == backend_port
    if one_port:
        return PublicAddresses(site=site, backend=site)
    parts = urlsplit(site)
    backend = f"{parts.scheme}://{_bracketed(parts.hostname or 'localhost')}:{backend_port}"
    return PublicAddresses(site=site, backend=backend)


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def trusted_proxy_hops() -> int:
    """TRUSTED_PROXY_HOPS, for the settings and for rxconfig.py (Reflex's own client_ip)."""
    value = os.environ.get("TRUSTED_PROXY_HOPS", "").strip() or "0"
    if not value.isdigit():
        msg = f"TRUSTED_PROXY_HOPS is a number of reverse proxies (0, 1, 2 ...): {value!r}"
        raise ConfigError(msg)
    return int(value)


def _log_format(value: str | None) -> str:
    chosen = (value or "text").strip().lower()
    if chosen not in {"text", "json"}:
        msg = f"LOG_FORMAT is text or json, not {value!r}."
        raise ConfigError(msg)
    return chosen


RATE_WINDOW_MAX = 3600  # counters are forgotten after an hour (services/rate_limits.py)


def parse_rate_limit(value: str | None, default: tuple[int, int]) -> tuple[int, int]:
    """A limit written "10/60" -> (10 requests, per 60 seconds); windows are at most an hour."""
    if not value or not value.strip():
        return default
    try:
        count, _, window = value.strip().partition("/")
        limit = (int(count), int(window))
    except ValueError:
        msg = f"A rate limit is written as REQUESTS/SECONDS, e.g. 10/60: {value!r}"
        raise ConfigError(msg) from None
    if limit[0] < 1 or not 1 <= limit[1] <= RATE_WINDOW_MAX:
        msg = f"Rate limit {value!r}: at least 1 request, a window of 1 to {RATE_WINDOW_MAX} s."
        raise ConfigError(msg)
    return limit


def tab_state_store(env: str, redis_url: str | None) -> str | None:
    """Where Reflex keeps each tab's state, for `rxconfig.py`: None leaves Reflex's choice.

    - With Redis (`REDIS_URL`), Reflex keeps it there, which several workers need: None.
    - In development, Reflex's default, the disk, keeps a tab's state across the dev server's
      hot reloads: None.
    - Anywhere else, memory. The disk store also pickles every changed state every two seconds
      and, after each write pass, stats every file in its folder to expire old tabs; a tab's
      files stay for an hour, so on a busy single-worker site that pass grows with every
      visitor of the last hour (docs/performance.md). Nothing is lost with memory: a tab that
      reconnects to a restarted server re-runs its page's on_load, and the login lives in the
      database.
    """
    if redis_url or env.strip().lower() in {"dev", "development"}:
        return None
    return "memory"


def load_settings() -> Settings:
    """Build settings from the process environment; refuse an unsafe production set-up."""
    load_dotenv(PROJECT_ROOT / ".env", override=False)
    env = os.environ.get("MICROBLOG_ENV", "development").strip().lower()
    secret = os.environ.get("SECRET_KEY") or DEFAULT_SECRET_KEY
    settings = Settings(
        secret_key=secret,
        database_url=normalize_database_url(os.environ.get("DATABASE_URL") or "sqlite:///app.db"),
        posts_per_page=max(1, int(os.environ.get("POSTS_PER_PAGE", "25"))),
        env=env,
        admins=tuple(
            a.strip().lower() for a in os.environ.get("ADMINS", "").split(",") if a.strip()
        ),
        session_cookie_name=os.environ.get("SESSION_COOKIE_NAME") or _default_cookie_name(),
        session_days_remember=int(os.environ.get("REMEMBER_COOKIE_DAYS", "30")),
        session_hours_default=int(os.environ.get("SESSION_HOURS", "12")),
        last_seen_throttle_seconds=int(os.environ.get("LAST_SEEN_THROTTLE_SECONDS", "60")),
        redis_url=os.environ.get("REDIS_URL", "").strip(),
        follow_notice_seconds=max(0, int(os.environ.get("FOLLOW_NOTICE_SECONDS") or 3600)),
        mail_server=os.environ.get("MAIL_SERVER", "").strip(),
        mail_port=int(os.environ.get("MAIL_PORT") or 25),
        mail_use_tls=_flag("MAIL_USE_TLS"),
        mail_use_ssl=_flag("MAIL_USE_SSL"),
        mail_username=os.environ.get("MAIL_USERNAME", ""),
        mail_password=os.environ.get("MAIL_PASSWORD", ""),
        mail_default_sender=os.environ.get("MAIL_DEFAULT_SENDER")
        or "Microblog <no-reply@localhost>",
        mail_timeout=float(os.environ.get("MAIL_TIMEOUT") or 10),
        mail_retry_seconds=max(0.1, float(os.environ.get("MAIL_RETRY_SECONDS") or 30)),
        mail_max_attempts=max(1, int(os.environ.get("MAIL_MAX_ATTEMPTS") or 20)),
        mail_max_age_hours=max(0.01, float(os.environ.get("MAIL_MAX_AGE_HOURS") or 48)),
        base_url=public_addresses().site,
        trusted_proxy_hops=trusted_proxy_hops(),
        log_to_stdout=_flag("LOG_TO_STDOUT"),
        log_file=str(_log_file()),
        log_max_bytes=int(os.environ.get("LOG_MAX_BYTES") or 1_048_576),
        log_backup_count=int(os.environ.get("LOG_BACKUP_COUNT") or 10),
        export_dir=str(_export_dir()),
        export_batch_size=max(1, int(os.environ.get("EXPORT_BATCH_SIZE") or 1000)),
        export_batch_pause=max(0.0, float(os.environ.get("EXPORT_BATCH_PAUSE") or 0)),
        export_workers=max(1, int(os.environ.get("EXPORT_WORKERS") or 2)),
        export_keep_days=max(1, int(os.environ.get("EXPORT_KEEP_DAYS") or 7)),
        export_mail_max_bytes=int(os.environ.get("EXPORT_MAIL_MAX_BYTES") or 10_485_760),
        api_token_lifetime=max(60, int(os.environ.get("API_TOKEN_LIFETIME") or 3600)),
        api_token_rate_limit=parse_rate_limit(os.environ.get("API_TOKEN_RATE_LIMIT"), (10, 60)),
        api_register_rate_limit=parse_rate_limit(
            os.environ.get("API_REGISTER_RATE_LIMIT"), (10, 3600)
        ),
        mastodon_app_rate_limit=parse_rate_limit(
            os.environ.get("MASTODON_APP_RATE_LIMIT"), (30, 3600)
        ),
        oauth_token_rate_limit=parse_rate_limit(
            os.environ.get("OAUTH_TOKEN_RATE_LIMIT"), (30, 300)
        ),
        elasticsearch_url=os.environ.get("ELASTICSEARCH_URL", "").strip(),
        elasticsearch_username=os.environ.get("ELASTICSEARCH_USERNAME", ""),
        elasticsearch_password=os.environ.get("ELASTICSEARCH_PASSWORD", ""),
        elasticsearch_api_key=os.environ.get("ELASTICSEARCH_API_KEY", ""),
        elasticsearch_ca_certs=os.environ.get("ELASTICSEARCH_CA_CERTS", "").strip(),
        elasticsearch_verify_certs=_bool(os.environ.get("ELASTICSEARCH_VERIFY_CERTS"), True),
        elasticsearch_index=os.environ.get("ELASTICSEARCH_INDEX", "").strip() or "posts",
        elasticsearch_timeout=float(os.environ.get("ELASTICSEARCH_TIMEOUT") or 5),
        ms_translator_key=os.environ.get("MS_TRANSLATOR_KEY", "").strip(),
        ms_translator_region=os.environ.get("MS_TRANSLATOR_REGION", "").strip(),
        ms_translator_endpoint=(
            os.environ.get("MS_TRANSLATOR_ENDPOINT", "").strip()
            or "https://api.cognitive.microsofttranslator.com"
        ).rstrip("/"),
        ms_translator_timeout=float(os.environ.get("MS_TRANSLATOR_TIMEOUT") or 5),
        ws_connections_per_address=int(os.environ.get("WS_CONNECTIONS_PER_ADDRESS") or 40),
        translate_rate_limit=parse_rate_limit(os.environ.get("TRANSLATE_RATE_LIMIT"), (60, 3600)),
        spam_brakes=_bool(os.environ.get("SPAM_BRAKES"), True),
        new_account_hours=max(0, int(os.environ.get("NEW_ACCOUNT_HOURS") or 72)),
        post_rate_limit=parse_rate_limit(os.environ.get("POST_RATE_LIMIT"), (120, 3600)),
        post_rate_limit_new=parse_rate_limit(os.environ.get("POST_RATE_LIMIT_NEW"), (20, 3600)),
        follow_rate_limit=parse_rate_limit(os.environ.get("FOLLOW_RATE_LIMIT"), (200, 3600)),
        follow_rate_limit_new=parse_rate_limit(os.environ.get("FOLLOW_RATE_LIMIT_NEW"), (30, 3600)),
        message_rate_limit=parse_rate_limit(os.environ.get("MESSAGE_RATE_LIMIT"), (120, 3600)),
        message_rate_limit_new=parse_rate_limit(
            os.environ.get("MESSAGE_RATE_LIMIT_NEW"), (15, 3600)
        ),
        post_max_length=max(1, int(os.environ.get("POST_MAX_LENGTH") or 500)),
        log_format=_log_format(os.environ.get("LOG_FORMAT")),
        metrics_enabled=_bool(os.environ.get("METRICS_ENABLED"), True),
        metrics_token=os.environ.get("METRICS_TOKEN", "").strip(),
        media_dir=str(_media_dir()),
        media_storage_url=os.environ.get("MEDIA_STORAGE_URL", "").strip(),
        media_public_url=os.environ.get("MEDIA_PUBLIC_URL", "").strip().rstrip("/"),
        media_max_bytes=max(1024, int(os.environ.get("MEDIA_MAX_BYTES") or 10_485_760)),
        media_max_pixels=max(1, int(os.environ.get("MEDIA_MAX_PIXELS") or 50_000_000)),
        media_per_post=max(1, int(os.environ.get("MEDIA_PER_POST") or 4)),
        media_orphan_hours=max(0.01, float(os.environ.get("MEDIA_ORPHAN_HOURS") or 24)),
        api_url=_default_api_url().rstrip("/"),
        link_previews=_bool(os.environ.get("LINK_PREVIEWS"), True),
        link_preview_timeout=max(0.5, float(os.environ.get("LINK_PREVIEW_TIMEOUT") or 8)),
        link_preview_connect_timeout=max(
            0.1, float(os.environ.get("LINK_PREVIEW_CONNECT_TIMEOUT") or 3)
        ),
        link_preview_max_bytes=max(
            1024, int(os.environ.get("LINK_PREVIEW_MAX_BYTES") or 1_048_576)
        ),
        link_preview_image_max_bytes=max(
            1024, int(os.environ.get("LINK_PREVIEW_IMAGE_MAX_BYTES") or 5_242_880)
        ),
        link_preview_max_redirects=max(0, int(os.environ.get("LINK_PREVIEW_MAX_REDIRECTS") or 3)),
        link_card_ttl_hours=max(0.0, float(os.environ.get("LINK_CARD_TTL_HOURS") or 24)),
        link_preview_test_loopback=_flag("LINK_PREVIEW_TEST_LOOPBACK"),
    )
    if settings.link_preview_test_loopback and env != "test":
        msg = (
            "LINK_PREVIEW_TEST_LOOPBACK lets link previews reach this machine's own services: "
            f"it is for the tests only (MICROBLOG_ENV=test), not {env!r}."
        )
        raise ConfigError(msg)
    if not settings.is_development and settings.secret_key == DEFAULT_SECRET_KEY:
        msg = (
            "SECRET_KEY is not set. Outside development (MICROBLOG_ENV="
            f"{env!r}) Microblog refuses to start with the built-in development key."
        )
        raise ConfigError(msg)
    if not settings.is_development and len(settings.secret_key.encode()) < SECRET_KEY_MIN_BYTES:
        msg = (
            f"SECRET_KEY is too short: use at least {SECRET_KEY_MIN_BYTES} random bytes (it signs "
            "password-reset links with HS256), e.g. python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))'."
        )
        raise ConfigError(msg)
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
