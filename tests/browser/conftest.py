"""Browser-test fixtures: the real app (real model, real index) under uvicorn, driven by Debian's Chromium.

Playwright's own browser download does not work offline, so the tests launch /usr/bin/chromium
(`apt-get install -y chromium`). Without it, or without the `playwright` package, they are skipped.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from rag.config import ROOT, Settings
from rag.retrieve import Retriever

CHROMIUM = Path(os.environ.get("VRAAGBAAK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder needs the browser."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server(settings: Settings, retriever: Retriever) -> Iterator[str]:
    """The real FastAPI app on 127.0.0.1 and a free port, in a background thread; yields its base URL."""
    import uvicorn

    from api.app import create_app

    app = create_app(settings, retriever=retriever)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="vraagbaak-uvicorn")
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start; see the log above")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="session")
def api(live_server: str) -> Iterator[httpx.Client]:
    """A plain HTTP client on the same server, to compare the page with the API."""
    with httpx.Client(base_url=live_server, timeout=60) as client:
        yield client


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium through Playwright."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} not found: install Debian's Chromium (apt-get install -y chromium) to run the browser tests"
        )
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the playwright package is not installed (pip install playwright)"
    )
    sync_api.expect.set_options(timeout=15_000)
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


PageFactory = Callable[..., Any]


@pytest.fixture
def new_page(browser: Any, live_server: str) -> Iterator[PageFactory]:
    """Open the page in a fresh context; `init_script` runs before the page's own scripts.

    Fails the test on any uncaught JavaScript error or console error on the page.
    """
    contexts: list[Any] = []
    errors: list[str] = []

    def make(init_script: str | None = None, clipboard: bool = True, width: int = 1280, height: int = 900) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="nl-NL")
        if clipboard:
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
        if init_script:
            context.add_init_script(init_script)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
        page.on(
            "console",
            lambda msg: (
                errors.append(f"console.{msg.type}: {msg.text}")
                if msg.type == "error" and "Failed to load resource" not in msg.text
                else None
            ),
        )
        page.goto(live_server + "/")
        page.wait_for_selector("body[data-ready]")
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, "JavaScript errors on the page:\n" + "\n".join(errors)


@pytest.fixture
def page(new_page: PageFactory) -> Any:
    """The search page, ready (facets loaded), with clipboard permissions."""
    return new_page()


@pytest.fixture(scope="session")
def shot() -> Callable[[Any, str], Path]:
    """Save a screenshot to test-artifacts/screenshots/<name>.png (full page unless a locator is given)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(target: Any, name: str, full_page: bool = False, at: Any = None) -> Path:
        """`at`: a locator to scroll to the top of the viewport first."""
        path = SCREENSHOTS / f"{name}.png"
        if at is not None:
            at.evaluate("e => e.scrollIntoView({block: 'start'})")
        if hasattr(target, "goto"):
            target.screenshot(path=str(path), full_page=full_page)
        else:
            target.screenshot(path=str(path))
        return path

    return take
