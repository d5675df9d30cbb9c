"""The /check pages beyond the basics (test_check.py): the column-mapping step, workbooks, filters, order and pages
of a report, the template download, and checks that wait their turn instead of being refused."""

import asyncio
import io
import re
import time

import openpyxl
import pytest
from datasette.plugins import pm

from ingest.check import template_csv


def plugin():
    return next(p for p in pm.get_plugins() if getattr(p, "__file__", "").endswith("catalogue_check.py"))


def listed_lines(html: str) -> list[int]:
    return [
        int(n)
        for n in re.findall(
            r'<li class="s-[a-z-]+"[^>]*>(?:<details><summary>|<div class="line">)'
            r'<span class="n">(\d+)</span>',
            html,
        )
    ]


def hidden(html: str) -> dict[str, str]:
    """The hidden fields of the report's form (the upload and how it was read)."""
    form = re.search(r'<form [^>]*id="check-form".*?</form>', html, re.DOTALL).group(0)
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))


@pytest.mark.asyncio
async def test_the_template_csv(ds):
    response = await ds.client.get("/check/template.csv")
    assert response.status_code == 200 and response.content == template_csv()
    assert response.headers["content-disposition"] == 'attachment; filename="catalogue-template.csv"'
    assert 'href="/check/template.csv"' in (await ds.client.get("/check")).text


@pytest.mark.asyncio
async def test_unrecognised_columns_are_mapped_by_hand_and_the_mapping_is_carried_to_the_downloads(ds):
    text = "Interpret;Werk;Jahr\r\nBjörk;Army of Me;1995\r\nNiemand;Nichts;2001\r\n"
    page = await ds.client.post("/check", files={"file": ("werke.csv", text.encode("cp1252"), "text/csv")})
    assert page.status_code == 200 and "Which column holds what?" in page.text
    assert "<strong>werke.csv</strong>" in page.text and "Windows-1252" in page.text
    assert re.findall(r'<th scope="row">([^<]+)</th>', page.text) == ["Interpret", "Werk", "Jahr"]
    assert "<span>Björk</span><span>Niemand</span>" in page.text  # the first values, decoded
    catalogue = re.search(r'name="catalogue" value="([^"]+)"', page.text).group(1)
    report = await ds.client.post(
        "/check",
        data={
            "catalogue": catalogue,
            "filename": "werke.csv",
            "map_0": "artist",
            "map_1": "title",
            "map_2": "",
            "step": "check",
        },
    )
    assert report.status_code == 200
    assert listed_lines(report.text) == [2, 3]
    assert "1 of 2</strong> of your tracks" in report.text and "werke.csv, " in report.text
    fields = hidden(report.text)
    assert (fields["map_0"], fields["map_1"], fields["filename"]) == ("artist", "title", "werke.csv")
    download = await ds.client.post("/check", data={**fields, "format": "csv"})
    assert download.status_code == 200 and "Björk,,Army of Me," in download.content.decode("utf-8-sig")
    # and the mapping step again, from the report: the columns chosen are selected
    again = await ds.client.post("/check", data={**fields, "step": "map"})
    assert re.search(r'name="map_0"[^>]*>.*?<option value="artist" selected>', again.text)


@pytest.mark.asyncio
async def test_a_recognised_file_can_still_be_mapped_and_read_in_another_encoding(ds):
    data = "artist;title\r\nBjörk;Jóga\r\n".encode("cp1252")
    report = await ds.client.post("/check", files={"file": ("x.csv", data, "text/csv")})
    assert "Windows-1252" in report.text and "Change the columns or encoding" in report.text
    fields = hidden(report.text)
    step = await ds.client.post("/check", data={**fields, "step": "map"})
    assert re.search(r'name="map_0"[^>]*>.*?<option value="artist" selected>', step.text)
    assert re.search(r'name="map_1"[^>]*>.*?<option value="title" selected>', step.text)
    assert '<option value="mac_roman">' in step.text
    garbled = await ds.client.post(
        "/check", data={**fields, "encoding": "mac_roman", "map_0": "artist", "map_1": "title", "step": "check"}
    )
    assert "Bjˆrk" in garbled.text and "Mac Roman" in garbled.text


@pytest.mark.asyncio
async def test_an_xlsx_upload(ds):
    book = openpyxl.Workbook()
    book.active.title = "Releases"
    for row in (["Primary Artists", "Track Title", "Duration (ms)"], ["Sigur Rós", "Hoppípolla", 268000]):
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    report = await ds.client.post(
        "/check",
        files={
            "file": (
                "releases.xlsx",
                data.getvalue(),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        },
    )
    assert report.status_code == 200 and "1 of 1</strong>" in report.text
    assert "Excel workbook, sheet “Releases”" in report.text and "milliseconds (1 row)" in report.text


@pytest.mark.asyncio
async def test_filters_order_and_pages(ds, monkeypatch):
    monkeypatch.setattr(plugin(), "PAGE_ROWS", 3)
    text = (
        "artist,title\nBjörk,Army of Me\nNobody,Nothing One\nBjörk,Hyperbalad\nSigur Rós,Hoppípolla\n"
        "Nobody,Nothing Two\n,Only A Title\nMotörhead,Ace of Spades - Live\n"
    )
    first = await ds.client.post("/check", data={"text": text})
    assert listed_lines(first.text) == [2, 3, 4]
    assert "Lines 1–3 of 7:" in first.text and 'value="3"' in first.text and "All 7 on one page" in first.text
    fields = hidden(first.text)

    async def view(**choice) -> str:
        return (await ds.client.post("/check", data={**fields, **choice})).text

    second = await view(page="2")
    assert listed_lines(second) == [5, 6, 7]
    # the kept report is shown, not checked again: it says how long the check took only when it ran
    assert re.search(r"checked in \d+\.\d s", first.text) and "checked in" not in second
    assert listed_lines(await view(page="3")) == [8]
    everything = await view(page="all")
    assert listed_lines(everything) == [2, 3, 4, 5, 6, 7, 8]
    assert "Printing this many takes a browser long" in everything  # more than two pages' worth
    unmatched = await view(show="unmatched")
    assert listed_lines(unmatched) == [3, 6] and '<h2 id="check-rows-title">Rows not found</h2>' in unmatched
    assert 'name="current_show" value="unmatched"' in unmatched
    assert listed_lines(await view(show="uncertain")) == [4]
    assert listed_lines(await view(show="unreadable")) == [7]
    assert listed_lines(await view(current_show="matched", order="best")) == [2, 5, 8]  # 95, 95, 90
    assert listed_lines(await view(order="worst", page="all")) == [3, 6, 7, 8, 4, 2, 5]
    assert "No rows of this kind." in await view(show="not-checked")


def slow_check(monkeypatch, seconds: float):
    """Make each check take `seconds` (in Datasette's SQL thread, as a real one does), saying how far it is."""
    real = plugin().check_catalogue

    def check(conn, catalogue, **options):
        options["progress"](1, 4)
        time.sleep(seconds)
        return real(conn, catalogue, **options)

    monkeypatch.setattr(plugin(), "check_catalogue", check)
    monkeypatch.setattr(plugin(), "POLL_S", 0.05)


@pytest.mark.asyncio
async def test_a_second_check_waits_its_turn_and_says_how_long(ds, monkeypatch):
    slow_check(monkeypatch, 1.2)
    first, second, download = await asyncio.gather(
        ds.client.post("/check", data={"text": "artist,title\nBjörk,Army of Me\nqueue,first\n"}),
        ds.client.post("/check", data={"text": "artist,title\nSigur Rós,Hoppípolla\nqueue,second\n"}),
        ds.client.post("/check", data={"text": "artist,title\nBjörk,Jóga\nqueue,third\n", "format": "csv"}),
    )
    assert first.status_code == second.status_code == download.status_code == 200
    assert "Looking up your artists: 25% done" in first.text and 'class="check-headline"' in first.text
    assert re.search(r"Waiting for [12] checks? ahead of yours: about \d+ s…", second.text)
    assert "1 of 2</strong> of your tracks" in second.text  # then its report, in the same response
    assert "Björk,,Jóga," in download.content.decode("utf-8-sig")  # artist, featured, title
    assert plugin().queue.tickets == []


@pytest.mark.asyncio
async def test_a_full_queue_turns_a_check_away_and_keeps_the_upload(ds, monkeypatch):
    slow_check(monkeypatch, 1.0)
    monkeypatch.setattr(plugin(), "MAX_WAITING", 0)
    data = "artist,title\nBjörk,Army of Me\nqueue,full\n".encode()

    async def second():
        await asyncio.sleep(0.3)  # the first is running by now
        return await ds.client.post("/check", files={"file": ("mine.csv", data, "text/csv")})

    first, refused = await asyncio.gather(
        ds.client.post("/check", data={"text": "artist,title\nqueue,busy\n"}), second()
    )
    assert first.status_code == 200
    assert refused.status_code == 503 and int(refused.headers["retry-after"]) >= 30
    assert "catalogue checks are waiting already" in refused.text and "Send the same file again" in refused.text
    kept = re.search(r'class="check-retry">\s*<input type="hidden" name="catalogue" value="([^"]+)"', refused.text)
    assert plugin().unpack(kept.group(1).encode()) == data
    assert '<input type="hidden" name="filename" value="mine.csv">' in refused.text
