"""Exceptions: every failing libsac call raises a SacError carrying the C status and message."""
from __future__ import annotations

from typing import Dict, Optional, Type

from ._native import lib


class SacError(Exception):
    """A libsac call failed. `status` is the C status code, `status_name` its constant name,
    `message` the explanation. Errors the binding detects itself carry the code the library would
    have returned (None only for `ClosedError`, which has no C equivalent)."""

    code: Optional[int] = None

    def __init__(self, message: str, status: Optional[int] = None):
        status = self.code if status is None else status
        self.status = status
        self.status_name = lib.sac_status_string(status).decode() if status is not None else None
        self.message = message
        super().__init__(f"{message} [{self.status_name}]" if self.status_name else message)


class NullArgumentError(SacError, ValueError):
    code = -1


class ConfigError(SacError, ValueError):
    code = -2


class ShapeError(SacError, ValueError):
    code = -3


class NonFiniteError(SacError, ValueError):
    code = -4


class NotReadyError(SacError):
    code = -5


class StructSizeError(SacError):
    code = -6


class SacMemoryError(SacError, MemoryError):
    code = -7


class InvalidArgumentError(SacError, ValueError):
    code = -8


class PolicyOnlyError(SacError):
    code = -9


class FormatError(SacError, ValueError):
    code = -10


class SacIOError(SacError, OSError):
    code = -11


class BufferTooSmallError(SacError):
    code = -12


class WrongAlgorithmError(SacError, TypeError):
    """A continuous-only call on a discrete agent or the reverse: e.g. a float action vector given
    to a discrete agent's `observe`, an action index to a continuous one, or `update_from_batch`
    actions of the other kind. A TypeError too: the argument's kind does not fit the agent."""

    code = -13


class DivergedError(SacError, ArithmeticError):
    """A computation on valid inputs gave NaN or infinity. From `update` (and `update_from_batch`):
    a loss or new weight of a gradient step was not finite, and the agent was restored exactly as it
    was before the call; lower the learning rates or rescale rewards and observations. From `act`:
    the policy's output was not finite (weights too large, or an observation far outside what the
    network can carry); nothing was written."""

    code = -14


class ClosedError(SacError):
    """The agent was closed; create or load a new one."""


_BY_STATUS: Dict[int, Type[SacError]] = {
    cls.code: cls for cls in (NullArgumentError, ConfigError, ShapeError, NonFiniteError, NotReadyError,
                              StructSizeError, SacMemoryError, InvalidArgumentError, PolicyOnlyError,
                              FormatError, SacIOError, BufferTooSmallError, WrongAlgorithmError, DivergedError)
}


def check(status: int) -> None:
    """Raises the SacError subclass for a failing status, with this thread's sac_last_error()."""
    if status != 0:
        message = lib.sac_last_error().decode("utf-8", "replace")
        raise _BY_STATUS.get(status, SacError)(message, status)
