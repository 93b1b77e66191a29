"""OAuth 2 for the Mastodon client API (microblog/mastodon): apps register, a signed-in user
grants one of them scopes on the consent page, the app trades the one-use code for a token.

- Scopes are Mastodon's: `read`, `write`, `follow`, `push`, `profile` and the `read:*` /
  `write:*` sub-scopes; `read` grants every `read:*`, `write` every `write:*`, and `follow` the
  follows, blocks and mutes sub-scopes of both (`grants`). Admin scopes are refused.
- Codes last ten minutes and work once: the exchange deletes the row, and only the request
  whose DELETE removed it gets a token. A code given with a PKCE challenge (S256 only) needs
  the matching verifier.
- App secrets, codes and tokens are kept as SHA-256 only. Tokens do not expire (as Mastodon's);
  revoking deletes the row, and a disabled or suspended account's tokens stop working.

Errors are `OAuthError`s carrying RFC 6749's error code beside a message for people.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode, urlsplit

from sqlalchemy import delete
from sqlmodel import Session, col, select

from microblog.i18n import _l
from microblog.i18n.messages import Message
from microblog.live.events import publish_after_commit, tokens_revoked
from microblog.models import (
    OAUTH_NAME_MAX,
    OAUTH_SCOPES_MAX,
    OAUTH_URIS_MAX,
    OAuthApp,
    OAuthCode,
    OAuthToken,
    User,
    row_id,
    utcnow,
)
from microblog.security import hash_token, new_token
from microblog.services.errors import DomainError

OOB = "urn:ietf:wg:oauth:2.0:oob"
CODE_LIFETIME = timedelta(minutes=10)
SUB_SCOPES = {
    "read": [
        *("accounts", "blocks", "bookmarks", "favourites", "filters", "follows", "lists"),
        *("mutes", "notifications", "search", "statuses"),
    ],
    "write": [
        *("accounts", "blocks", "bookmarks", "conversations", "favourites", "filters"),
        *("follows", "lists", "media", "mutes", "notifications", "reports", "statuses"),
    ],
}
TOP_SCOPES = ("read", "write", "follow", "push", "profile")
SCOPES = frozenset(
    TOP_SCOPES + tuple(f"{top}:{sub}" for top, subs in SUB_SCOPES.items() for sub in subs)
)
FOLLOW_GRANTS = frozenset(
    f"{top}:{sub}" for top in ("read", "write") for sub in ("follows", "blocks", "mutes")
)
# Schemes a redirect must never use: the browser would run or show them as our page.
_FORBIDDEN_SCHEMES = {"javascript", "data", "vbscript", "file", "blob", "about"}
MAX_REDIRECT_URIS = 10


class OAuthError(DomainError):
    """`error` is RFC 6749's code (`invalid_request`, `invalid_client`, `invalid_grant`,
    `invalid_scope`, `unsupported_grant_type`, ...); `message` is for people."""

    def __init__(self, error: str, message: str) -> None:
        super().__init__(message)
        self.error = error


def _refuse(error: str, message: Message | str) -> OAuthError:
    return OAuthError(error, message)


# --- scopes ---


def parse_scopes(text: str | None) -> tuple[str, ...]:
    """The scopes of a space- (or `+`-) separated list, in order, once each; `invalid_scope`
    for one we do not know."""
    words = (text or "").replace("+", " ").replace(",", " ").split()
    unknown = [word for word in words if word not in SCOPES]
    if unknown:
        raise _refuse("invalid_scope", _l("Unknown scope: %(scope)s", scope=unknown[0]))
    return tuple(dict.fromkeys(words))


def grants(granted: frozenset[str] | set[str] | tuple[str, ...], needed: str) -> bool:
    """Whether scopes `granted` allow `needed` (Mastodon's rules)."""
    if needed in granted:
        return True
    top, _, sub = needed.partition(":")
    if sub and top in granted:
        return True
    return "follow" in granted and needed in FOLLOW_GRANTS


def _within(requested: tuple[str, ...], allowed: tuple[str, ...]) -> bool:
    return all(grants(allowed, scope) for scope in requested)


# --- apps ---


def _check_redirect_uri(uri: str) -> str:
    uri = uri.strip()
    if uri == OOB:
        return uri
    parts = urlsplit(uri)
    if (
        not parts.scheme
        or parts.scheme.lower() in _FORBIDDEN_SCHEMES
        or parts.fragment
        or not (parts.netloc or parts.path)
        or any(c.isspace() for c in uri)
    ):
        raise _refuse(
            "invalid_redirect_uri",
            _l("Redirect URI must be an absolute URI without a fragment: %(uri)s", uri=uri),
        )
    return uri


def register_app(
    session: Session,
    *,
    name: str,
    redirect_uris: str | list[str],
    scopes: str | None = None,
    website: str | None = None,
) -> tuple[OAuthApp, str]:
    """A new app; returns it and its client secret (the only copy)."""
    name = (name or "").strip()
    if not name:
        raise _refuse("invalid_request", _l("The app needs a name (client_name)."))
    if len(name) > OAUTH_NAME_MAX:
        raise _refuse("invalid_request", _l("The app's name is too long."))
    listed = redirect_uris if isinstance(redirect_uris, list) else [redirect_uris or ""]
    uris = [u for item in listed for u in item.replace("\r", "\n").split("\n") if u.strip()]
    if not uris:
        raise _refuse("invalid_request", _l("The app needs a redirect URI (redirect_uris)."))
    uris = list(dict.fromkeys(_check_redirect_uri(u) for u in uris))
    joined = "\n".join(uris)
    if len(uris) > MAX_REDIRECT_URIS or len(joined) > OAUTH_URIS_MAX:
        raise _refuse("invalid_request", _l("Too many or too long redirect URIs."))
    wanted = parse_scopes(scopes) or ("read",)
    site = (website or "").strip() or None
    if site is not None and (
        len(site) > OAUTH_URIS_MAX or not site.startswith(("http://", "https://"))
    ):
        raise _refuse("invalid_request", _l("The website must be an http(s) address."))
    secret, secret_hash = new_token()
    app = OAuthApp(
        client_id=secrets.token_urlsafe(32),
        secret_hash=secret_hash,
        name=name,
        website=site,
        redirect_uris=joined,
        scopes=" ".join(wanted)[:OAUTH_SCOPES_MAX],
    )
    session.add(app)
    session.flush()
    return app, secret


def authenticate_client(session: Session, *, client_id: str, client_secret: str) -> OAuthApp:
    app = session.exec(select(OAuthApp).where(col(OAuthApp.client_id) == client_id)).first()
    if app is None or not hmac.compare_digest(app.secret_hash, hash_token(client_secret or "")):
        raise _refuse("invalid_client", _l("Client authentication failed."))
    return app


# --- authorization ---


@dataclass(frozen=True)
class AuthorizationRequest:
    """A checked `GET /oauth/authorize`: what the consent page shows and grants."""

    app_id: int
    app_name: str
    website: str | None
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str
    code_challenge: str | None


def check_authorization(
    session: Session,
    *,
    client_id: str,
    redirect_uri: str | None,
    response_type: str | None,
    scope: str | None,
    state: str | None = None,
    code_challenge: str | None = None,
    code_challenge_method: str | None = None,
) -> AuthorizationRequest:
    """The request, checked: a known app, one of its redirect URIs, scopes it registered,
    response type `code`, and a PKCE challenge (if any) with method S256."""
    app = session.exec(select(OAuthApp).where(col(OAuthApp.client_id) == (client_id or ""))).first()
    if app is None:
        raise _refuse("invalid_client", _l("This app is not registered here."))
    registered = app.redirect_uris.split("\n")
    uri = redirect_uri or (registered[0] if len(registered) == 1 else "")
    if uri not in registered:
        raise _refuse(
            "invalid_redirect_uri", _l("This redirect URI is not registered for the app.")
        )
    if (response_type or "code") != "code":
        raise _refuse("unsupported_response_type", _l("Only response_type=code is supported."))
    allowed = tuple(app.scopes.split())
    requested = parse_scopes(scope) or (("read",) if grants(allowed, "read") else allowed)
    if not _within(requested, allowed):
        raise _refuse("invalid_scope", _l("The app asks for scopes it did not register."))
    challenge = (code_challenge or "").strip() or None
    if challenge is not None:
        if (code_challenge_method or "plain") != "S256":
            raise _refuse(
                "invalid_request", _l("Only the S256 code challenge method is supported.")
            )
        if not 43 <= len(challenge) <= 128:
            raise _refuse("invalid_request", _l("The code challenge is malformed."))
    return AuthorizationRequest(
        app_id=row_id(app),
        app_name=app.name,
        website=app.website,
        redirect_uri=uri,
        scopes=requested,
        state=state or "",
        code_challenge=challenge,
    )


def redirect_with(uri: str, values: dict[str, str]) -> str:
    """`uri` with `values` (the empty ones left out) added to its query."""
    query = urlencode({k: v for k, v in values.items() if v})
    return f"{uri}{'&' if '?' in uri else '?'}{query}"


def grant_code(
    session: Session, *, user_id: int, request: AuthorizationRequest, now: datetime | None = None
) -> str:
    """The user said yes: a code for the app (the only copy)."""
    now = now or utcnow()
    session.execute(delete(OAuthCode).where(col(OAuthCode.expires_at) <= now))
    raw, digest = new_token()
    session.add(
        OAuthCode(
            code_hash=digest,
            app_id=request.app_id,
            user_id=user_id,
            redirect_uri=request.redirect_uri,
            scopes=" ".join(request.scopes),
            code_challenge=request.code_challenge,
            expires_at=now + CODE_LIFETIME,
        )
    )
    session.flush()
    return raw


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _issue(
    session: Session, *, app_id: int, user_id: int | None, scopes: str
) -> tuple[str, OAuthToken]:
    raw, digest = new_token()
    token = OAuthToken(token_hash=digest, app_id=app_id, user_id=user_id, scopes=scopes)
    session.add(token)
    session.flush()
    return raw, token


def exchange_code(
    session: Session,
    *,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str | None,
    code_verifier: str | None,
    now: datetime | None = None,
) -> tuple[str, OAuthToken]:
    """`grant_type=authorization_code`: the code, once, for a token."""
    app = authenticate_client(session, client_id=client_id, client_secret=client_secret)
    bad = _refuse("invalid_grant", _l("The authorization code is invalid, used or expired."))
    row = session.exec(
        select(OAuthCode).where(col(OAuthCode.code_hash) == hash_token(code or ""))
    ).first()
    if row is None or row.app_id != row_id(app):
        raise bad
    # Gone whatever happens next: a code is tried once.
    if session.exec(delete(OAuthCode).where(col(OAuthCode.id) == row.id)).rowcount != 1:
        raise bad
    if row.expires_at <= (now or utcnow()):
        raise bad
    if redirect_uri and redirect_uri != row.redirect_uri:
        raise bad
    if row.code_challenge is not None and not (
        code_verifier and hmac.compare_digest(s256(code_verifier), row.code_challenge)
    ):
        raise _refuse("invalid_grant", _l("The PKCE code verifier does not match."))
    user = session.get(User, row.user_id)
    if user is None or user.disabled or user.suspended:
        raise bad
    return _issue(session, app_id=row_id(app), user_id=row.user_id, scopes=row.scopes)


def client_token(
    session: Session, *, client_id: str, client_secret: str, scope: str | None
) -> tuple[str, OAuthToken]:
    """`grant_type=client_credentials`: a token for the app itself (no user)."""
    app = authenticate_client(session, client_id=client_id, client_secret=client_secret)
    allowed = tuple(app.scopes.split())
    requested = parse_scopes(scope) or (("read",) if grants(allowed, "read") else allowed)
    if not _within(requested, allowed):
        raise _refuse("invalid_scope", _l("The app asks for scopes it did not register."))
    return _issue(session, app_id=row_id(app), user_id=None, scopes=" ".join(requested))


def revoke(session: Session, *, client_id: str, client_secret: str, token: str) -> None:
    """RFC 7009: the app's own token is revoked; an unknown one is no error."""
    app = authenticate_client(session, client_id=client_id, client_secret=client_secret)
    owner = session.execute(
        delete(OAuthToken)
        .where(
            col(OAuthToken.token_hash) == hash_token(token or ""),
            col(OAuthToken.app_id) == row_id(app),
        )
        .returning(col(OAuthToken.user_id))
    ).scalar()
    if owner is not None:  # its open streams end (microblog/mastodon/streaming.py)
        publish_after_commit(session, tokens_revoked(owner))


# --- using tokens ---


@dataclass(frozen=True)
class TokenGrant:
    token_id: int
    app_id: int
    user_id: int | None
    scopes: frozenset[str]


_TOKEN = select(OAuthToken, User).join(User, col(User.id) == col(OAuthToken.user_id), isouter=True)


def resolve(session: Session, *, token: str) -> TokenGrant | None:
    """What a live token allows; None for an unknown or revoked one, or one whose user is
    disabled or suspended."""
    if not token:
        return None
    found = session.exec(_TOKEN.where(col(OAuthToken.token_hash) == hash_token(token))).first()
    if found is None:
        return None
    row, user = found
    user_of: User | None = user  # None for an app's own token (the outer join)
    if row.user_id is not None and (user_of is None or user_of.disabled or user_of.suspended):
        return None
    return TokenGrant(
        token_id=row_id(row),
        app_id=row.app_id,
        user_id=row.user_id,
        scopes=frozenset(row.scopes.split()),
    )


def get_app(session: Session, *, app_id: int) -> OAuthApp | None:
    return session.get(OAuthApp, app_id)


@dataclass(frozen=True)
class AuthorizedApp:
    """One of a user's tokens, as the Authorized apps page lists it (no secret)."""

    token_id: int
    app_name: str
    website: str
    scopes: str
    created: datetime


def list_authorized(session: Session, *, user_id: int, limit: int = 100) -> list[AuthorizedApp]:
    rows = session.exec(
        select(OAuthToken, OAuthApp)
        .join(OAuthApp, col(OAuthApp.id) == col(OAuthToken.app_id))
        .where(col(OAuthToken.user_id) == user_id)
        .order_by(col(OAuthToken.id).desc())
        .limit(limit)
    ).all()
    return [
        AuthorizedApp(
            token_id=row_id(token),
            app_name=app.name,
            website=app.website or "",
            scopes=token.scopes,
            created=token.created,
        )
        for token, app in rows
    ]


def revoke_for_user(session: Session, *, user_id: int, token_id: int) -> bool:
    """The user takes back one token; True if it was theirs and existed."""
    result = session.exec(
        delete(OAuthToken).where(col(OAuthToken.id) == token_id, col(OAuthToken.user_id) == user_id)
    )
    if not result.rowcount:
        return False
    publish_after_commit(session, tokens_revoked(user_id))
    return True


def revoke_all_for_user(session: Session, *, user_id: int) -> int:
    result = session.exec(delete(OAuthToken).where(col(OAuthToken.user_id) == user_id))
    publish_after_commit(session, tokens_revoked(user_id))
    return int(result.rowcount or 0)


UNUSED_APP_AGE = timedelta(days=1)
UNUSED_APP_BATCH = 1000


def delete_unused_apps(session: Session, *, now: datetime | None = None) -> int:
    """Delete the apps registered more than a day ago that no user has authorised: no code
    pending and no token of a user's (an app's own client-credentials tokens go with it), as
    Mastodon's vacuum does. A client registers again when its app is gone. At most
    UNUSED_APP_BATCH a call (the hourly sweep, microblog/jobs.py); returns how many. Both
    probes are on the (app_id) indexes of the codes and tokens."""
    cutoff = (now or utcnow()) - UNUSED_APP_AGE
    used_by_code = select(OAuthCode.id).where(col(OAuthCode.app_id) == col(OAuthApp.id))
    used_by_user = select(OAuthToken.id).where(
        col(OAuthToken.app_id) == col(OAuthApp.id), col(OAuthToken.user_id).is_not(None)
    )
    unused = (
        select(OAuthApp.id)
        .where(
            col(OAuthApp.created) < cutoff,
            ~used_by_code.exists(),
            ~used_by_user.exists(),
        )
        .limit(UNUSED_APP_BATCH)
    )
    ids = list(session.exec(unused).all())
    if not ids:
        return 0
    session.exec(delete(OAuthApp).where(col(OAuthApp.id).in_(ids)))
    return len(ids)


# --- scopes in words (the consent page, the authorized apps page) ---

SCOPE_WORDS: dict[str, Message] = {
    "read": _l("Read all your account's data"),
    "write": _l("Change all your account's data: post, like, follow"),
    "follow": _l("Follow, block and mute people, and see whom you do"),
    "push": _l("Receive your notifications as push messages"),
    "profile": _l("See your profile only"),
    "read:accounts": _l("See account information"),
    "read:blocks": _l("See whom you block"),
    "read:bookmarks": _l("See your bookmarks"),
    "read:favourites": _l("See the posts you like"),
    "read:filters": _l("See your filters"),
    "read:follows": _l("See whom you follow"),
    "read:lists": _l("See your lists"),
    "read:mutes": _l("See whom you mute"),
    "read:notifications": _l("See your notifications"),
    "read:search": _l("Search as you"),
    "read:statuses": _l("See posts, yours included"),
    "write:accounts": _l("Change your profile"),
    "write:blocks": _l("Block and unblock people"),
    "write:bookmarks": _l("Bookmark posts"),
    "write:conversations": _l("Mute and delete conversations"),
    "write:favourites": _l("Like posts"),
    "write:filters": _l("Create filters"),
    "write:follows": _l("Follow and unfollow people"),
    "write:lists": _l("Create lists"),
    "write:media": _l("Upload pictures"),
    "write:mutes": _l("Mute people and conversations"),
    "write:notifications": _l("Clear your notifications"),
    "write:reports": _l("Report people"),
    "write:statuses": _l("Publish, edit and delete posts"),
}
