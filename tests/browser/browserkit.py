"""Helpers of the browser tests: where Debian's Chromium is, and a threaded HTTP server on
127.0.0.1 for the pages they open (the browser and artefacts fixtures are in tests/conftest.py)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from afkg.layout import Layout
from afkg.publish.site import Site

CHROMIUM = Path("/usr/bin/chromium")

BROWSER_MARKS = [
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)"),
    pytest.mark.browser, pytest.mark.server,
    pytest.mark.xdist_group("browser"),  # one worker, each module's site and Chromium once
]
"""The marks of every browser test module (its ``pytestmark``, plus any of its own)."""


def site_without_exports(root: Path) -> Site:
    """The site of the project in ``root`` with only the VoID file among its downloads: the full
    export is slow to make and is tested elsewhere."""
    site = Site.from_layout(Layout(root))
    site.__dict__["downloads"] = {"void.ttl": site.downloads["void.ttl"]}
    return site


@contextmanager
def serving(handler: Callable[..., http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """An HTTP server on a free port of 127.0.0.1 answering with ``handler``; its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
