"""POST /api/users when the site sends real email (a server started with MAIL_SERVER pointing at
a real SMTP sink): the same 202 answer for a new and a registered address, the owner of a
registered one is told by email, and a new account gets no token until its address is
confirmed. The same service as the registration form (services/registration.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from tests.api.conftest import (
    BACKENDS,
    PASSWORD,
    ApiServer,
    _database,
    basic,
    serve_http_app,
    unique_name,
)
from tests.smtp import SmtpSink


@pytest.fixture(scope="module")
def mailbox() -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        yield sink


@pytest.fixture(scope="module", params=BACKENDS)
def mailing_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, mailbox: SmtpSink
) -> Iterator[ApiServer]:
    work = tmp_path_factory.mktemp(f"api-mail-{request.param}")
    env = {"MAIL_SERVER": mailbox.host, "MAIL_PORT": str(mailbox.port), "PUBLIC_URL": "http://x"}
    with _database(request.param, work) as url, serve_http_app(url, work, env) as server:
        yield server


def test_new_and_registered_addresses_get_the_same_answer(
    mailing_server: ApiServer, mailbox: SmtpSink
) -> None:
    first, second = unique_name("owner"), unique_name("other")
    with mailing_server.client() as api:
        new = api.post(
            "/users",
            json={"username": first, "email": f"{first}@example.com", "password": PASSWORD},
        )
        taken = api.post(
            "/users",
            json={
                "username": second,
                "email": f"{first.upper()}@example.com",
                "password": PASSWORD,
            },
        )
        assert (new.status_code, new.json()) == (taken.status_code, taken.json())
        assert new.status_code == 202
        assert new.json()["message"].startswith("Thank you! We have sent an email")
        assert "location" not in new.headers and "location" not in taken.headers

        # The owner's two emails: the link, then "someone tried to register with it".
        got = mailbox.wait_for(
            lambda messages: sum(m["To"] == f"{first}@example.com" for m in messages) == 2
        )
        subjects = [m["Subject"] for m in got if m["To"] == f"{first}@example.com"]
        assert subjects == [
            "[Microblog] Confirm your email address",
            "[Microblog] Someone tried to register with your email address",
        ]
        with mailing_server.engine.connect() as conn:
            names = conn.execute(
                text('SELECT username FROM "user" WHERE username IN (:a, :b)'),
                {"a": first, "b": second},
            )
            assert [row[0] for row in names] == [first]

        # No token before the address is confirmed; the right password is told why.
        refused = api.post("/tokens", headers=basic(first, PASSWORD))
        assert refused.status_code == 403
        assert refused.json()["message"].startswith("Please confirm your email address first")
        assert api.post("/tokens", headers=basic(first, "wrong password")).status_code == 401

        link = next(m for m in got if "Confirm" in m["Subject"]).get_body(("plain",)).get_content()
        assert re.search(r"http://x/confirm/\S+", link)
