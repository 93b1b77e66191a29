"""What the benchmarks that build their own data set share: an emptied database and N users
(`user1`...`userN`, one password hash for all), inserted in one statement."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from microblog.models import User
from microblog.security import hash_password


def empty_tables(conn: Connection) -> None:
    """Every table of the models, emptied (PostgreSQL: ids restart too)."""
    tables = [t.name for t in SQLModel.metadata.sorted_tables]
    if conn.dialect.name == "postgresql":
        names = ", ".join(f'"{name}"' for name in tables)
        conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    else:
        for name in reversed(tables):
            conn.exec_driver_sql(f'DELETE FROM "{name}"')


def add_users(conn: Connection, users: int) -> None:
    """Users 1..`users`, named `user<i>`."""
    hashed = hash_password("bench-password")
    conn.execute(
        insert(User),
        [
            {
                "username": f"user{i}",
                "email": f"user{i}@example.com",
                "password_hash": hashed,
                "username_skeleton": f"user{i}",
            }
            for i in range(1, users + 1)
        ],
    )
