"""The operator's account actions (`python -m microblog user ...`): create an account (or an
administrator), set a password, disable and enable an account.

They share the rules of the pages: a new account passes the registration form's checks
(`users.register_user`), a password the reset form's (`users.password_errors`), and ending a
user's access is what a password reset does (every login session, whose open tabs are emptied
live, and every API token).

Administrators: `User.is_admin`, a column, because the operator grants it to an account
(`user create --admin`) without editing the configuration and restarting every worker, and it
stays with the account when its address changes. `ADMINS` (addresses) keeps working beside it:
existing sites rely on it, and it also says where error reports go, which may be an address
with no account at all.
"""

from __future__ import annotations

from sqlmodel import Session

from microblog.models import User
from microblog.security import hash_password
from microblog.services import api_tokens, auth_sessions, users
from microblog.services.errors import Invalid


def create_user(
    session: Session, *, username: str, email: str, password: str, admin: bool = False
) -> User:
    """An account made by the operator: the registration form's rules, no email confirmation
    (the operator vouches for the address), an administrator when `admin`."""
    user = users.register_user(
        session, username=username, email=email, password=password, password2=password
    )
    user.is_admin = admin
    user.email_confirmed = True
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, *, user_id: int, password: str) -> User:
    """A new password, set by the operator or through a reset link (services/password_reset.py);
    every browser session and API token of the user ends, since whoever knew the old password
    may hold either."""
    if errors := users.password_errors(password, password):
        raise Invalid(errors)
    user = users.get_user(session, user_id)
    user.password_hash = hash_password(password)
    session.add(user)
    _end_access(session, user_id)
    return user


def disable_user(session: Session, *, user_id: int) -> int:
    """Disable an account: it cannot log in any more (`users.authenticate`), its sessions end
    (its open tabs are emptied once this commits) and its API tokens stop working. Returns how
    many sessions ended. Nothing it wrote is deleted."""
    user = users.get_user(session, user_id)
    user.disabled = True
    session.add(user)
    return _end_access(session, user_id)


def enable_user(session: Session, *, user_id: int) -> User:
    """Let a disabled account log in again (with its password; no session comes back)."""
    user = users.get_user(session, user_id)
    user.disabled = False
    session.add(user)
    return user


def _end_access(session: Session, user_id: int) -> int:
    ended = auth_sessions.end_all_sessions(session, user_id=user_id)
    api_tokens.revoke_all_tokens(session, user_id=user_id)
    return ended
