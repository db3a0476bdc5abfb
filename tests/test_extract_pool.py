"""The extraction pool: the same ``Article`` and ``ExtractError`` as in-process, and a dead worker costs nothing."""

from __future__ import annotations

import asyncio
import os
import signal

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
        for pid in list(extractor._pool._processes):  # type: ignore[union-attr]
            os.kill(pid, signal.SIGKILL)
        await asyncio.sleep(0.5)
        second = await extractor.extract(PAGE, "https://news.example.org/b.html", "text/html")
        third = await extractor.extract(PAGE, "https://news.example.org/c.html", "text/html")
        extractor.close()
        return [first, second, third]

    articles = asyncio.run(go())
    assert [a.url for a in articles] == [f"https://news.example.org/{x}.html" for x in "abc"]
    assert len({a.text for a in articles}) == 1
