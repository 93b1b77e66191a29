"""The password-reset request page answers known and unknown addresses in the same time, with a
real SMTP server and a real database (SQLite and PostgreSQL), and the email still arrives.

The attack: ask for resets of addresses you guess, time the answers, and the slow ones have an
account (the page used to look the account up, sign a token and send the email before
answering: 19 vs 8 ms median). The assertion compares medians of interleaved requests (known,
unknown, unknown, known, ... so a drift in the machine's load hits both alike) with a generous
bound that a busy two-core machine does not reach by noise, while twice the time does.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlalchemy.engine import Engine
from sqlmodel import Session

from microblog.config import get_settings
from microblog.state.password_reset import ResetRequestState
from tests.smtp import SmtpSink

ROUNDS = 30
WARM_UP = 4
# Indistinguishable: neither median exceeds the other by more than half, plus 2 ms of slack
# for timer and scheduler noise on sub-millisecond answers.
RATIO, SLACK = 1.5, 0.002


@pytest.fixture
def mail_to_sink(smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpSink]:
    monkeypatch.setenv("MAIL_SERVER", smtp_sink.host)
    monkeypatch.setenv("MAIL_PORT", str(smtp_sink.port))
    monkeypatch.setenv("MAIL_TIMEOUT", "5")
    get_settings.cache_clear()
    yield smtp_sink
    get_settings.cache_clear()


async def _form() -> ResetRequestState:
    root = rx.State()
    root.router = RouterData.from_router_data(
        {"headers": {"origin": "http://localhost:3000"}, "asPath": "/reset_password_request"}
    )
    return await root.get_state(ResetRequestState)


async def _answer_time(form: ResetRequestState, email: str) -> float:
    started = time.perf_counter()
    await ResetRequestState.submit.fn(form, {"email": email})
    took = time.perf_counter() - started
    assert form.notice.startswith("If that address belongs to an account"), form.error
    return took


@pytest.mark.anyio
async def test_known_and_unknown_addresses_take_the_same_time(
    use_engine: Engine, add_user, mail_to_sink: SmtpSink
) -> None:
    total = WARM_UP + ROUNDS
    with Session(use_engine) as session:
        known = [add_user(session, f"known{n}").email for n in range(total)]
        session.commit()
    unknown = [f"nobody{n}@example.com" for n in range(total)]
    form = await _form()

    times: dict[str, list[float]] = {"known": [], "unknown": []}
    for n in range(total):
        # ABBA order: known first in even rounds, unknown first in odd ones.
        order = [("known", known[n]), ("unknown", unknown[n])]
        for kind, email in order if n % 2 == 0 else reversed(order):
            took = await _answer_time(form, email)
            if n >= WARM_UP:
                times[kind].append(took)

    known_median = statistics.median(times["known"])
    unknown_median = statistics.median(times["unknown"])
    figures = f"known {known_median * 1000:.2f} ms, unknown {unknown_median * 1000:.2f} ms"
    assert known_median <= unknown_median * RATIO + SLACK, figures
    assert unknown_median <= known_median * RATIO + SLACK, figures

    # Every known address still gets its email (after the answer), and nobody else does.
    mail_to_sink.wait_for(lambda got: {m["To"] for m in got} >= set(known), timeout=60)
    assert {m["To"] for m in mail_to_sink.messages} == set(known)
