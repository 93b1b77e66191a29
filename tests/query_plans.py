"""The statements a piece of code sends, and the database's plans for them: how tests show
that a read uses its index (and not a scan) without a data set the size of production."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

Sent = tuple[str, object]


def statements_sent(
    engine: Engine, run: Callable[[Session], object], *, reads_only: bool = False
) -> list[Sent]:
    """What `run` sends through a fresh session (rolled back after), with its parameters."""
    sent: list[Sent] = []

    def record(_conn: object, _cursor: object, statement: str, parameters: object, *_: object):
        if not reads_only or statement.lstrip().upper().startswith(("SELECT", "UPDATE", "WITH")):
            sent.append((statement, parameters))

    with Session(engine) as db:
        event.listen(engine, "before_cursor_execute", record)
        try:
            run(db)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        db.rollback()
    return sent


def plans_of(engine: Engine, sent: Sequence[Sent], *, analyze: Sequence[str] = ()) -> list[str]:
    """Each statement's plan as one line. PostgreSQL is told to avoid sequential scans, so that
    an index the query can use shows even in tiny tables; `analyze` names tables to ANALYZE
    first there (as autovacuum would have)."""
    described = []
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            for table in analyze:
                conn.exec_driver_sql(f"ANALYZE {table}")
            conn.exec_driver_sql("SET enable_seqscan = off")
        explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
        for statement, parameters in sent:
            plan = conn.exec_driver_sql(explain + statement, parameters).all()  # type: ignore[arg-type]
            described.append(" ".join(str(part) for row in plan for part in row))
        conn.rollback()
    return described
