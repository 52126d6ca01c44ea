"""A small error taxonomy. Each error carries a code and a message key safe to show a user."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """Base of every error the product raises on purpose."""

    code = "error"
    message_key = "error.generic"

    def __init__(self, detail: str = "", *, message_key: str | None = None, **params: Any) -> None:
        super().__init__(detail or self.code)
        self.detail = detail
        if message_key:
            self.message_key = message_key
        self.params = params


class ValidationFailed(AppError):
    code = "validation_failed"
    message_key = "error.validation"


class NotFound(AppError):
    code = "not_found"
    message_key = "error.not_found"


class NotAuthorized(AppError):
    code = "not_authorized"
    message_key = "error.not_authorized"


class Conflict(AppError):
    code = "conflict"
    message_key = "error.conflict"


class Unavailable(AppError):
    code = "unavailable"
    message_key = "error.unavailable"


class DeliveryFailed(AppError):
    """A proactive send failed. `permanent`: recipient gone (403/404) or payload refused."""

    code = "delivery_failed"
    message_key = "error.unavailable"

    def __init__(
        self,
        detail: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        permanent: bool = False,
        unreachable: bool = False,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.retry_after = retry_after
        self.permanent = permanent
        self.unreachable = unreachable
