"""A time limit for work on untrusted input.

A company template can loop for ever and a stylesheet can make layout crawl;
one such company must not stall a batch of hundreds. The limit is a timer
signal that raises `OutOfTime`, a BaseException so that no library's broad
`except Exception` swallows it.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

from .errors import Problem, UserError


class OutOfTime(BaseException):
    pass


@contextmanager
def time_limit(seconds: float | None, what: str):
    """Stop the body after `seconds` with a `UserError` naming `what`; no limit without a timer.

    Only the main thread can receive signals; elsewhere the body runs unbounded.
    """
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signal, _frame) -> None:
        raise OutOfTime

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except OutOfTime:
        raise UserError(
            Problem(
                f"{what} took longer than {seconds:g} s and was stopped; a company template or stylesheet may "
                "loop or be too complex (raise the limit with --timeout if it is genuinely large)"
            )
        ) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
