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
