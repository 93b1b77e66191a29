"""Domain errors. Services raise them; the UI states turn them into messages, the API into HTTP
statuses, so a rule and its wording live in one place."""

from __future__ import annotations

from microblog.i18n import _l


class DomainError(Exception):
    """Base class: `message` is safe to show to the user who caused it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    pass


class Forbidden(DomainError):
    pass


class Conflict(DomainError):
    pass


class Invalid(DomainError):
    """Bad input. `errors` maps a field name to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        # One error keeps its own object (a translatable `Message`), not a copy of its text.
        values = list(errors.values())
        super().__init__(values[0] if len(values) == 1 else "; ".join(values))
        self.errors = errors


class Unavailable(DomainError):
    """Something we depend on (the media store) failed: nothing changed; try again later."""


class TooManyRequests(DomainError):
    """Rate limited (services/rate_limits.py): try again in `retry_after` seconds."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class EmailNotConfirmed(Forbidden):
    """The password was right, but the account waits for its owner to confirm the address
    (services/registration.py): no login until then."""

    def __init__(self, *, user_id: int) -> None:
        super().__init__(
            _l(
                "Please confirm your email address first: open the link we emailed you "
                "when you registered."
            )
        )
        self.user_id = user_id
