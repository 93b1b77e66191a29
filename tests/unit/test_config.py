"""Settings: database URL normalisation and the refusal to run production on the dev key."""

from __future__ import annotations

import pytest

import microblog.config as config
from microblog.config import ConfigError, load_settings, normalize_database_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@db:5432/app", "postgresql+psycopg://u:p@db:5432/app"),
        ("postgresql://u@db/app", "postgresql+psycopg://u@db/app"),
        ("postgresql+psycopg://u@db/app", "postgresql+psycopg://u@db/app"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
        ("sqlite:///:memory:", "sqlite:///:memory:"),
    ],
)
def test_normalize_database_url(url: str, expected: str) -> None:
    """Heroku-style URLs would otherwise select psycopg2, which is not installed."""
    assert normalize_database_url(url) == expected


def test_relative_sqlite_path_is_anchored_to_the_project() -> None:
    """`sqlite:///app.db` must not depend on the directory the server was started from."""
    assert normalize_database_url("sqlite:///app.db") == f"sqlite:///{config.PROJECT_ROOT}/app.db"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No `.env` file and none of our variables, whatever the developer's shell holds."""
    monkeypatch.setattr(config, "load_dotenv", lambda *args, **kwargs: False)
    for name in ("SECRET_KEY", "DATABASE_URL", "POSTS_PER_PAGE", "ADMINS", "MICROBLOG_ENV"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_production_without_secret_key_refuses_to_start(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("MICROBLOG_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings()


def test_production_with_secret_key_starts(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("MICROBLOG_ENV", "production")
    clean_env.setenv("SECRET_KEY", "a-real-secret-of-at-least-32-bytes!")
    clean_env.setenv("DATABASE_URL", "postgres://u@db/app")
    settings = load_settings()
    assert settings.secret_key == "a-real-secret-of-at-least-32-bytes!"
    assert settings.database_url == "postgresql+psycopg://u@db/app"
    assert not settings.is_development


def test_production_refuses_a_short_secret_key(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("MICROBLOG_ENV", "production")
    clean_env.setenv("SECRET_KEY", "short-but-not-default")
    with pytest.raises(ConfigError, match="too short"):
        load_settings()


@pytest.mark.parametrize("env", ["development", "test"])
def test_development_falls_back_to_dev_key(clean_env: pytest.MonkeyPatch, env: str) -> None:
    clean_env.setenv("MICROBLOG_ENV", env)
    settings = load_settings()
    assert settings.secret_key == config.DEFAULT_SECRET_KEY
    assert settings.is_development


def test_settings_parse_numbers_and_admins(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("POSTS_PER_PAGE", "0")
    clean_env.setenv("ADMINS", " Admin@Example.com , ,ops@example.com")
    settings = load_settings()
    assert settings.posts_per_page == 1  # never zero: that would divide by zero in paging
    assert settings.admins == ("admin@example.com", "ops@example.com")


def _addresses_env(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    monkeypatch.setattr(config, "load_dotenv", lambda *args, **kwargs: False)
    for name in (
        "PUBLIC_URL",
        "REFLEX_FRONTEND_PORT",
        "REFLEX_BACKEND_PORT",
        "REFLEX_ENV_MODE",
        *config.OBSOLETE_ADDRESS_SETTINGS,
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def test_under_make_run_the_backend_is_the_public_host_on_its_own_port(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The session cookie is set by the backend and scoped to a host: the pages' host."""
    _addresses_env(monkeypatch)
    addresses = config.public_addresses()
    assert (addresses.site, addresses.backend) == ("http://localhost:3000", "http://localhost:8000")
    _addresses_env(monkeypatch, PUBLIC_URL="http://127.0.0.1:3000/")
    addresses = config.public_addresses()
    assert (addresses.site, addresses.backend) == ("http://127.0.0.1:3000", "http://127.0.0.1:8000")
    assert addresses.origins == ("http://127.0.0.1:3000", "http://127.0.0.1:8000")


def test_in_production_everything_is_the_public_address(monkeypatch: pytest.MonkeyPatch) -> None:
    _addresses_env(monkeypatch, PUBLIC_URL="https://blog.example.org", REFLEX_ENV_MODE="prod")
    addresses = config.public_addresses()
    assert addresses.site == addresses.backend == "https://blog.example.org"
    assert addresses.origins == ("https://blog.example.org",)
    assert addresses.is_https and addresses.site_port == 443


def test_email_links_and_the_cookie_follow_the_public_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _addresses_env(monkeypatch, PUBLIC_URL="http://localhost:8080", REFLEX_ENV_MODE="prod")
    settings = load_settings()
    assert settings.base_url == "http://localhost:8080"
    assert settings.session_cookie_name == "microblog_session_8080"
    _addresses_env(monkeypatch, PUBLIC_URL="https://blog.example.org")
    assert load_settings().session_cookie_name == "microblog_session"


@pytest.mark.parametrize(
    "url", ["localhost:8080", "ftp://example.org", "http://example.org/blog", "http://"]
)
def test_a_public_url_that_is_not_an_origin_is_refused(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    _addresses_env(monkeypatch, PUBLIC_URL=url)
    with pytest.raises(ConfigError, match="PUBLIC_URL"):
        config.public_addresses()


@pytest.mark.parametrize("name", config.OBSOLETE_ADDRESS_SETTINGS)
def test_the_settings_public_url_replaced_are_refused_with_a_message(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    _addresses_env(monkeypatch, **{name: "http://localhost:3000"})
    with pytest.raises(ConfigError, match=f"{name} is no longer read.*PUBLIC_URL"):
        config.public_addresses()
