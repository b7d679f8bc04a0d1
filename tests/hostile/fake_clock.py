"""Run afkg's command line with a clock that does not wait: ``python fake_clock.py ARGS``.

Every ``time.sleep`` returns at once and appends the seconds it was asked for to the file
named by ``$AFKG_TEST_SLEEPS``, one per line. ``time.sleep`` is replaced before afkg is
imported, so the HTTP client's retry back-off (its ``sleep`` default) records instead of
sleeping; everything else is the real command, in a real process."""

from __future__ import annotations

import os
import time


def _record(seconds: float) -> None:
    with open(os.environ["AFKG_TEST_SLEEPS"], "a", encoding="utf-8") as log:
        log.write(f"{seconds!r}\n")


time.sleep = _record

from afkg.cli import main  # noqa: E402  (imported after the clock is replaced, on purpose)

main()
