"""The extraction pool: the same ``Article`` and ``ExtractError`` as in-process, and a dead worker costs nothing."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from pipeline.errors import ExtractError
from pipeline.extract import extract_article
from pipeline.extract_pool import Extractor
from tests.conftest import article_page

PAGE = article_page("EU and Chile sign an advanced framework agreement", [
    "The European Union and Chile signed an advanced framework agreement in Brussels on Monday, officials said.",
    "The agreement covers trade, investment and cooperation on critical raw materials over the coming decade.",
    "Both sides said a joint council would meet every year to review how the agreement is carried out.",
]).encode()


def _workers() -> list[int]:
    """The pids of this process's extraction workers (spawned children)."""
    return [p.pid for p in psutil.Process().children() if "spawn_main" in " ".join(p.cmdline())]


def _run(extractor: Extractor, body: bytes) -> object:
    async def go() -> object:
        try:
            return await extractor.extract(body, "https://news.example.org/a.html", "text/html; charset=utf-8")
        finally:
            extractor.close()

    return asyncio.run(go())


@pytest.mark.parametrize("workers", [0, 1])
def test_worker_gives_the_same_article_as_in_process(workers: int) -> None:
    extractor = Extractor(workers)
    article = _run(extractor, PAGE)
    assert article == extract_article(PAGE, "https://news.example.org/a.html", content_type="text/html; charset=utf-8")
    assert extractor.seconds > 0


def test_extract_error_keeps_its_reason_across_the_process_boundary() -> None:
    with pytest.raises(ExtractError) as caught:
        _run(Extractor(1), b"<html><body><article><p>Too short.</p></article></body></html>")
    assert caught.value.reason in ("too_short", "no_main_text")
    assert caught.value.url == "https://news.example.org/a.html"


def test_a_killed_worker_costs_only_a_retry_in_a_thread() -> None:
    extractor = Extractor(1)

    async def go() -> list[object]:
        first = await extractor.extract(PAGE, "https://news.example.org/a.html", "text/html")
        for pid in _workers():
            os.kill(pid, signal.SIGKILL)
        await asyncio.sleep(0.5)
        second = await extractor.extract(PAGE, "https://news.example.org/b.html", "text/html")
        third = await extractor.extract(PAGE, "https://news.example.org/c.html", "text/html")
        extractor.close()
        return [first, second, third]

    articles = asyncio.run(go())
    assert [a.url for a in articles] == [f"https://news.example.org/{x}.html" for x in "abc"]
    assert len({a.text for a in articles}) == 1


def _slow_page(paragraphs: int) -> bytes:
    """A page trafilatura takes a while over (about 2 s per MB here), written by the test."""
    return ("<html><body><article>" + "".join(
        f"<p>Paragraph {i}: the European Union and Japan discussed item {i} at length today.</p>"
        for i in range(paragraphs)) + "</article></body></html>").encode()


def test_a_page_over_the_time_limit_stops_its_worker_and_the_next_page_goes_on() -> None:
    extractor = Extractor(1, timeout=0.5)

    async def go() -> tuple[ExtractError, object, float]:
        started = time.monotonic()
        with pytest.raises(ExtractError) as caught:
            await extractor.extract(_slow_page(60_000), "https://news.example.org/huge.html", "text/html")
        took = time.monotonic() - started
        article = await extractor.extract(PAGE, "https://news.example.org/a.html", "text/html")
        extractor.close()
        return caught.value, article, took

    error, article, took = asyncio.run(go())
    assert error.reason == "extract_timeout" and "0.5 s" in str(error)
    assert took < 5, f"the time limit took {took:.1f} s to act"
    assert article.url == "https://news.example.org/a.html"
    assert _workers() == []


def test_close_without_waiting_kills_a_busy_worker() -> None:
    extractor = Extractor(1, timeout=300)

    async def go() -> float:
        task = asyncio.ensure_future(extractor.extract(_slow_page(60_000), "https://x.example/h.html", "text/html"))
        while not _workers():
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)  # the worker is inside trafilatura now
        started = time.monotonic()
        task.cancel()
        extractor.close(wait=False)
        return time.monotonic() - started

    assert asyncio.run(go()) < 3
    assert _workers() == []


def test_workers_die_with_their_parent() -> None:
    """A parent killed with -9 takes its workers along (and so the resource tracker, which then sees EOF)."""
    code = ("import asyncio, sys\n"
            "from pipeline.extract_pool import Extractor\n"
            "e = Extractor(2, timeout=300)\n"
            "async def go():\n"
            "    await e.extract(b'<html><body><p>warm up</p></body></html>', 'https://x.example/', 'text/html')\n"
            "asyncio.run(go()) if False else None\n"
            "async def main():\n"
            "    try:\n"
            "        await e.extract(b'<p>x</p>', 'https://x.example/', 'text/html')\n"
            "    except Exception:\n"
            "        pass\n"
            "    print('ready', flush=True)\n"
            "    await asyncio.sleep(300)\n"
            "asyncio.run(main())\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        children = psutil.Process(proc.pid).children(recursive=True)
        assert len([c for c in children if "spawn_main" in " ".join(c.cmdline())]) == 2
        proc.kill()
        proc.wait(10)
        _gone, alive = psutil.wait_procs(children, timeout=5)
        assert alive == [], [c.cmdline() for c in alive]
    finally:
        if proc.poll() is None:
            proc.kill()


_STOP_WHILE_A_WORKER_STARTS = """
import multiprocessing
import os
import sys
import time
import pebble
from pipeline.extract_pool import WorkerPool
import slow_worker_start

if __name__ == "__main__":
    os.environ["SLOW_START_MARKER"] = sys.argv[1]  # only the workers, which import the module again, see it
    pool = {pool}(2, context=multiprocessing.get_context("spawn"), initializer=slow_worker_start.start)
    print(pool.schedule(pow, args=(2, 5)).result(timeout=30), flush=True)  # the first worker is up
    while not os.path.exists(sys.argv[1] + ".slow"):  # the second one is still starting
        time.sleep(0.01)
    open(sys.argv[1] + ".stopping", "w").close()
    pool.close()
    pool.join()
"""


@pytest.mark.parametrize("pool, traceback_expected", [("WorkerPool", False), ("pebble.ProcessPool", True)])
def test_a_worker_still_starting_when_the_pool_stops_leaves_no_traceback(
        tmp_path: Path, pool: str, traceback_expected: bool) -> None:
    """pebble's own pool unlinks the channel's semaphores before stopping its workers, so a late starter fails with a
    traceback (the control: when pebble fixes this, it fails and WorkerPool can go); ours stops the workers first."""
    here = Path(__file__).parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(here), str(here.parent)])}
    script = _STOP_WHILE_A_WORKER_STARTS.format(pool=pool)
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path / "first-worker")], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.strip() == "32", result.stderr
    assert ("Traceback" in result.stderr) is traceback_expected, result.stderr
    if traceback_expected:
        assert "FileNotFoundError" in result.stderr
