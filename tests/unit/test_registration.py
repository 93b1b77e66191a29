"""Registration (services/registration.py) on SQLite and PostgreSQL: one rate limit per client
address for the form and the API; with a mail server, a confirmed address before the first
login, and the same answer whether or not the address is registered."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage

import jwt
import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from microblog.config import get_settings
from microblog.models import User, utcnow
from microblog.services import mail_outbox, password_reset, registration, users
from microblog.services.errors import EmailNotConfirmed, Forbidden, Invalid, TooManyRequests
from microblog.state.auth import INVALID_LOGIN, LoginState, RegisterState
from microblog.state.confirm_email import SENT_AGAIN, SENT_RECENTLY, ConfirmEmailState
from tests.outbox import queued
from tests.smtp import SmtpSink

BASE = "https://blog.example.org"
CLIENT = "203.0.113.7"
PASSWORD = "password123"


@pytest.fixture(autouse=True)
def base_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PUBLIC_URL", BASE)
    monkeypatch.delenv("MAIL_SERVER", raising=False)
    monkeypatch.delenv("API_REGISTER_RATE_LIMIT", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def mail_server(smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch) -> SmtpSink:
    """The site sends real email: addresses are confirmed at registration."""
    monkeypatch.setenv("MAIL_SERVER", smtp_sink.host)
    monkeypatch.setenv("MAIL_PORT", str(smtp_sink.port))
    get_settings.cache_clear()
    return smtp_sink


@pytest.fixture
def no_kicks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Queued emails stay in the outbox, where the test reads them (registering commits)."""
    monkeypatch.setattr(mail_outbox, "kick", lambda _engine: None)


def register(
    session: Session, username: str, email: str | None = None, client: str = CLIENT, **extra: str
) -> registration.Registration:
    fields = {"password": PASSWORD, "password2": PASSWORD, **extra}
    return registration.register_account(
        session,
        client=client,
        username=username,
        email=email or f"{username}@example.com",
        **fields,
    )


def user_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(User)).one()


def link_in(message: EmailMessage, path: str) -> str:
    text = message.get_body(("plain",)).get_content()
    return next(line.strip() for line in text.splitlines() if f"{BASE}{path}" in line)


def token_in(message: EmailMessage) -> str:
    return link_in(message, "/confirm/").rsplit("/", 1)[1]


# -- without a mail server ----------------------------------------------------------------------


@pytest.mark.usefixtures("no_kicks")
def test_without_a_mail_server_accounts_are_active_at_once(session: Session) -> None:
    outcome = register(session, "alice")
    assert outcome.confirm_by_email is False
    assert outcome.user is not None and outcome.user.email_confirmed
    assert users.authenticate(session, login="alice", password=PASSWORD).id == outcome.user.id
    with pytest.raises(Invalid) as taken:
        register(session, "alicia", "ALICE@example.com")
    assert taken.value.errors == {"email": "That email address is already registered."}
    assert queued(session) == []


# -- with a mail server -------------------------------------------------------------------------


@pytest.mark.usefixtures("no_kicks")
def test_a_new_account_waits_for_its_link_then_logs_in(session: Session, mail_server) -> None:
    outcome = register(session, "alice")
    assert outcome == registration.Registration(user=None, confirm_by_email=True)
    alice = users.find_user_by_username(session, "alice")
    assert alice is not None and alice.email_confirmed is False
    (message,) = queued(session)
    assert message["To"] == "alice@example.com"
    assert message["Subject"] == "[Microblog] Confirm your email address"
    assert link_in(message, "/confirm/").startswith(f"{BASE}/confirm/")

    with pytest.raises(EmailNotConfirmed) as unconfirmed:
        users.authenticate(session, login="alice", password=PASSWORD)
    assert unconfirmed.value.user_id == alice.id
    assert users.authenticate(session, login="alice", password="wrong password") is None

    assert registration.confirm_email(session, token=token_in(message)).id == alice.id
    assert users.authenticate(session, login="alice", password=PASSWORD).id == alice.id
    with pytest.raises(Forbidden, match="has been used"):  # single use
        registration.confirm_email(session, token=token_in(message))
    session.commit()
    assert mail_outbox.deliver_due(session.get_bind()).sent == 1  # and it really goes out
    mail_server.wait_for(lambda got: len(got) == 1)


@pytest.mark.usefixtures("no_kicks")
def test_a_taken_address_answers_the_same_and_tells_its_owner(
    session: Session, mail_server, add_user
) -> None:
    add_user(session, "susan")
    session.commit()
    outcome = register(session, "newcomer", "SUSAN@example.com")
    assert outcome == register(session, "someone", "someone@example.com")  # the same answer
    assert users.find_user_by_username(session, "newcomer") is None
    notice, _link = queued(session)
    assert notice["To"] == "susan@example.com"
    assert notice["Subject"] == "[Microblog] Someone tried to register with your email address"
    assert link_in(notice, "/reset_password_request").endswith(f" {BASE}/reset_password_request")
    assert "/confirm/" not in notice.get_body(("plain",)).get_content()
    assert "already belongs to your account (susan)" in notice.get_body(("plain",)).get_content()

    # Other fields are still judged; the address never is.
    with pytest.raises(Invalid) as name_taken:
        register(session, "Susan", "susan@example.com")
    assert set(name_taken.value.errors) == {"username"}
    with pytest.raises(Invalid) as short:
        register(session, "newcomer", "susan@example.com", password="short", password2="short")
    assert set(short.value.errors) == {"password"}
    with pytest.raises(Invalid) as bad_address:
        register(session, "newcomer", "not an address")
    assert set(bad_address.value.errors) == {"email"}


@pytest.mark.usefixtures("no_kicks")
def test_owner_notices_and_links_go_out_at_most_every_two_minutes(
    session: Session, mail_server, add_user
) -> None:
    add_user(session, "susan")
    now = utcnow()
    register(session, "first", "susan@example.com", now=now)
    register(session, "second", "susan@example.com", now=now + timedelta(seconds=30))
    assert len(queued(session)) == 1

    register(session, "alice", now=now)
    alice = users.find_user_by_username(session, "alice")
    resend = registration.resend_confirmation
    assert resend(session, user_id=alice.id, now=now + timedelta(seconds=30)) is False
    assert resend(session, user_id=alice.id, now=now + registration.RESEND_INTERVAL) is True
    assert [m["To"] for m in queued(session)] == [
        "susan@example.com",
        "alice@example.com",
        "alice@example.com",
    ]
    registration.confirm_email(session, token=token_in(queued(session)[1]))
    later = now + 2 * registration.RESEND_INTERVAL
    assert resend(session, user_id=alice.id, now=later) is False  # confirmed: nothing to send


@pytest.mark.usefixtures("no_kicks")
def test_bad_confirmation_links_are_refused(session: Session, mail_server) -> None:
    register(session, "alice")
    alice = users.find_user_by_username(session, "alice")
    secret = get_settings().secret_key
    valid = registration.make_confirmation_token(alice)
    claims = jwt.decode(valid, secret, algorithms=["HS256"])
    expired = registration.make_confirmation_token(
        alice, now=utcnow() - timedelta(hours=registration.CONFIRM_HOURS + 1)
    )
    other_purpose = jwt.encode({**claims, "purpose": "reset_password"}, secret, algorithm="HS256")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        other_algorithm = jwt.encode(claims, secret, algorithm="HS512")
    unsigned = jwt.encode(claims, None, algorithm="none")
    other_key = jwt.encode(claims, "not-our-secret-key-at-all-0123456789", algorithm="HS256")
    for token in (expired, other_purpose, other_algorithm, unsigned, other_key, "", "x.y.z"):
        with pytest.raises(Forbidden):
            registration.confirm_email(session, token=token)
    users.change_email(session, user_id=alice.id, email="alice@elsewhere.example")
    with pytest.raises(Forbidden):  # sent to the old address
        registration.confirm_email(session, token=valid)
    assert users.find_user_by_username(session, "alice").email_confirmed is False


def test_a_password_reset_confirms_the_address(session: Session, mail_server) -> None:
    register(session, "alice")
    alice = users.find_user_by_username(session, "alice")
    token = password_reset.make_reset_token(alice)
    password_reset.reset_password(
        session, token=token, password="new secret", password2="new secret"
    )
    assert users.authenticate(session, login="alice", password="new secret").id == alice.id


@pytest.mark.parametrize("mail", [False, True], ids=["no-mail", "mail"])
def test_registrations_are_rate_limited_per_client_address(
    session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch, mail: bool
) -> None:
    monkeypatch.setenv("API_REGISTER_RATE_LIMIT", "3/3600")
    if mail:
        monkeypatch.setenv("MAIL_SERVER", smtp_sink.host)
        monkeypatch.setenv("MAIL_PORT", str(smtp_sink.port))
    get_settings.cache_clear()
    register(session, "one")
    session.commit()
    with pytest.raises(Invalid):  # a refused registration counts too
        register(session, "two", password="short", password2="short")
    session.rollback()
    register(session, "three")
    session.commit()
    with pytest.raises(TooManyRequests) as limited:
        register(session, "four")
    assert 3500 < limited.value.retry_after <= 3600
    assert str(limited.value.message) == (
        "Too many registrations from your address. Try again in 60 minutes."
    )
    session.rollback()
    assert users.find_user_by_username(session, "four") is None
    register(session, "five", client="198.51.100.1")  # another address is not held
    session.commit()
    assert user_count(session) == 3


# -- the forms ----------------------------------------------------------------------------------


async def _state(cls: type, path: str, client: str = CLIENT):
    root = rx.State()
    root.router = RouterData.from_router_data(
        {"headers": {"origin": "http://localhost:3000"}, "asPath": path, "ip": client}
    )
    return await root.get_state(cls)


def _form(username: str, email: str | None = None) -> dict[str, str]:
    return {
        "username": username,
        "email": email or f"{username}@example.com",
        "password": PASSWORD,
        "password2": PASSWORD,
    }


@pytest.mark.anyio
async def test_the_form_is_rate_limited_like_the_api(use_engine: Engine) -> None:
    """The audit made 110 accounts in 53 s from one address through the websocket form."""
    form = await _state(RegisterState, "/register")
    for n in range(10):
        assert "registered=1" in str(await RegisterState.submit.fn(form, _form(f"bot{n}")))
    assert await RegisterState.submit.fn(form, _form("bot10")) is None
    assert form.error == "Too many registrations from your address. Try again in 60 minutes."
    with Session(use_engine) as session:
        assert user_count(session) == 10
    elsewhere = await _state(RegisterState, "/register", client="198.51.100.1")
    assert "registered=1" in str(await RegisterState.submit.fn(elsewhere, _form("human")))


@pytest.mark.anyio
async def test_the_form_answers_the_same_for_a_new_and_a_taken_address(
    use_engine: Engine, mail_server, add_user
) -> None:
    with Session(use_engine) as session:
        add_user(session, "susan")
        session.commit()
    answers = []
    for username, email in (("newbie", None), ("other", "Susan@example.com")):
        form = await _state(RegisterState, "/register")
        returned = await RegisterState.submit.fn(form, _form(username, email))
        answers.append((returned, form.get_delta()))
    assert answers[0] == answers[1]
    assert answers[0][0] is None
    form_vars = next(iter(answers[0][1].values()))
    assert form_vars["notice_rx_state_"].startswith("Thank you! We have sent an email")
    assert form_vars["email_error_rx_state_"] == ""


@pytest.mark.anyio
async def test_an_unconfirmed_login_says_so_and_offers_the_link_again(
    use_engine: Engine, mail_server
) -> None:
    with Session(use_engine) as session:
        register(session, "alice")
        session.commit()
    login = await _state(LoginState, "/login")
    offer = await login.get_state(ConfirmEmailState)

    assert await LoginState.submit.fn(login, {"login": "alice", "password": "wrong one"}) is None
    assert (login.error, offer.can_resend) == (INVALID_LOGIN, False)
    assert await LoginState.submit.fn(login, {"login": "alice", "password": PASSWORD}) is None
    assert login.error.startswith("Please confirm your email address first")
    assert offer.can_resend is True

    await ConfirmEmailState.resend.fn(offer)  # a link went out at registration, just now
    assert offer.resend_notice == SENT_RECENTLY
    with Session(use_engine) as session:
        alice = users.find_user_by_username(session, "alice")
        alice.confirmation_sent_at = utcnow() - registration.RESEND_INTERVAL
        session.add(alice)
        session.commit()
    await ConfirmEmailState.resend.fn(offer)
    assert offer.resend_notice == SENT_AGAIN
    links = mail_server.wait_for(lambda got: len(got) == 2)
    assert {m["To"] for m in links} == {"alice@example.com"}

    page = await _state(ConfirmEmailState, f"/confirm/{token_in(links[1])}")
    await ConfirmEmailState.load.fn(page)
    assert (page.confirmed, page.error) == (True, "")
    await ConfirmEmailState.load.fn(page)
    assert page.confirmed is False and "has been used" in page.error
    assert "auth/session?ticket=" in str(
        await LoginState.submit.fn(login, {"login": "alice", "password": PASSWORD})
    )
