"""The studio's routes over real HTTP: what they answer is what the command line makes of the same request."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import wave
import zipfile
from pathlib import Path

import httpx
import numpy as np
import pytest
from mutagen.id3 import ID3

from conftest import FAKE_ENGINE, SMALL_PRACTICE
from studio.conftest import RunningStudio, exchange, start_studio

from stillpoint.audio import SAMPLE_RATE

CHOICES = {"ambience": "rain", "ambience_volume": 0.7, "bell_volume": 0.5, "rate": 140}
CLI_CHOICES = ["--ambience", "rain", "--ambience-volume", "0.7", "--bell-volume", "0.5", "--rate", "140"]


def _preview(studio: RunningStudio, dest: Path, *args: str, engine: str | None = FAKE_ENGINE) -> bytes:
    """What `stillpoint preview small.txt ARGS -o DEST` writes, with the studio's cache."""
    env = {key: value for key, value in os.environ.items() if key != "STILLPOINT_ENGINE"}
    env.update(STILLPOINT_CACHE=str(studio.cache), **({"STILLPOINT_ENGINE": engine} if engine else {}))
    subprocess.run([sys.executable, "-m", "stillpoint", "preview", str(studio.folder / "small.txt"), *args,
                    "-o", str(dest), "--quiet"], env=env, check=True, stdin=subprocess.DEVNULL)
    return dest.read_bytes()


def _heard(client: httpx.Client, **part: object) -> tuple[dict, bytes]:
    """The studio's answer for hearing a part of the small practice, and the audio it serves for it."""
    answer = client.post("/api/hear", json={"text": SMALL_PRACTICE, "id": "small.txt", **CHOICES, **part})
    assert answer.status_code == 200, answer.text
    return answer.json(), client.get(answer.json()["audio"]).content


def _wait(client: httpx.Client, job: dict) -> dict:
    """The job once it has ended."""
    deadline = time.monotonic() + 120
    while job["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.1)
        job = client.get(f"/api/jobs/{job['id']}").json()
    assert job["state"] == "done", job
    return job


def test_a_section_heard_is_the_wav_preview_writes_for_it(client: httpx.Client, studio: RunningStudio,
                                                          tmp_path: Path) -> None:
    answer, served = _heard(client, section="Resting")
    assert served == _preview(studio, tmp_path / "part.wav", "--section", "Resting", *CLI_CHOICES)
    speech = [event for event in answer["events"] if event["kind"] == "speech"]
    assert [event["line"] for event in speech] == [14, 15]
    assert speech[0]["start"] > 0 and answer["total"] == pytest.approx(answer["events"][-1]["end"])


def test_hearing_from_a_line_plays_to_the_end_of_its_section(client: httpx.Client, studio: RunningStudio,
                                                             tmp_path: Path) -> None:
    answer, served = _heard(client, line=11)
    assert served == _preview(studio, tmp_path / "part.wav", "--lines", "11-12", *CLI_CHOICES)
    assert [event["line"] for event in answer["events"] if event["kind"] == "speech"] == [12]


def test_a_part_that_cannot_be_heard_says_why(client: httpx.Client) -> None:
    answer = client.post("/api/hear", json={"text": SMALL_PRACTICE, "id": "small.txt", "section": "Nowhere"})
    assert answer.status_code == 422 and "did you mean" in answer.json()["error"] or "sections" in answer.text
    broken = client.post("/api/hear", json={"text": "# A\n[paws 2s] Hello.\n", "id": "small.txt", "line": 1})
    assert broken.status_code == 422
    assert broken.json()["diagnostics"][0]["line"] == 2


def test_the_check_gives_findings_plan_and_the_lengths_it_could_fit(client: httpx.Client) -> None:
    text = SMALL_PRACTICE.replace("[pause 2s]", "[paws 2s]")
    broken = client.post("/api/check", json={"text": text, "id": "small.txt"}).json()
    assert broken["diagnostics"][0] | {"line": 11, "severity": "error", "message": "unknown marker [paws 2s]",
                                       "hint": "did you mean [pause 2s]?"} == broken["diagnostics"][0]
    fine = client.post("/api/check", json={"text": SMALL_PRACTICE, "id": "small.txt", "rate": 100}).json()
    assert fine["errors"] == 0 and fine["variables"] == {"who": "a good friend"}
    assert [s["title"] for s in fine["plan"]["sections"]] == ["Arriving", "Resting"]
    assert fine["fits"]["shortest"] < fine["plan"]["total"] < fine["fits"]["longest"]
    faster = client.post("/api/check", json={"text": SMALL_PRACTICE, "id": "small.txt", "rate": 200}).json()
    assert faster["plan"]["total"] < fine["plan"]["total"]


def test_the_check_reviews_when_the_page_asks(client: httpx.Client) -> None:
    text = SMALL_PRACTICE.replace("Rest here.", "Close your eyes.")
    plain = client.post("/api/check", json={"text": text, "id": "small.txt"}).json()
    assert {d["family"] for d in plain["diagnostics"]} == {"check"}
    reviewed = client.post("/api/check", json={"text": text, "id": "small.txt", "review": True}).json()
    found = {d["rule"]: d for d in reviewed["diagnostics"] if d["family"] == "review"}
    assert set(found) == {"eyes-closed", "order"}
    assert found["order"]["fix"] == {"line": 14, "col": 1, "end_line": 14, "end_col": 6,
                                     "text": "If it feels right, close"}
    refused = client.post("/api/check", json={"text": text, "id": "small.txt", "review": "yes"})
    assert refused.status_code == 400


def test_a_length_the_script_cannot_reach_is_a_finding_at_its_line(client: httpx.Client) -> None:
    text = SMALL_PRACTICE.replace("rate: 150\n", "rate: 150\nlength: 50m\n")
    answer = client.post("/api/check", json={"text": text, "id": "small.txt"}).json()
    assert [(d["line"], d["rule"]) for d in answer["diagnostics"]] == [(6, "length"), (15, "short-soak")]
    assert "cannot be fitted" in answer["diagnostics"][0]["message"] and answer["plan"] is not None


def test_saving_over_a_file_changed_on_disk_is_a_conflict(client: httpx.Client, studio: RunningStudio) -> None:
    opened = client.get("/api/practice", params={"id": "small.txt"}).json()
    assert opened["editable"] and opened["text"] == SMALL_PRACTICE
    (studio.folder / "small.txt").write_text(SMALL_PRACTICE + "Changed elsewhere.\n")
    mine = SMALL_PRACTICE + "Mine.\n"
    refused = client.post("/api/save", json={"id": "small.txt", "text": mine, "base": opened["version"]})
    assert refused.status_code == 409
    assert refused.json()["conflict"]["text"] == SMALL_PRACTICE + "Changed elsewhere.\n"
    assert (studio.folder / "small.txt").read_text() == SMALL_PRACTICE + "Changed elsewhere.\n"
    kept = client.post("/api/save", json={"id": "small.txt", "text": mine,
                                          "base": refused.json()["conflict"]["version"]})
    assert kept.status_code == 200 and (studio.folder / "small.txt").read_text() == mine
    assert client.get("/api/version", params={"id": "small.txt"}).json()["version"] == kept.json()["version"]
    assert not [p for p in studio.folder.iterdir() if p.name.startswith(".")]  # no temporary file left
    (studio.folder / "small.txt").write_text(SMALL_PRACTICE)


def test_built_ins_are_listed_read_only_and_copied_to_edit(client: httpx.Client, studio: RunningStudio) -> None:
    library = client.get("/api/library").json()
    by_id = {p["id"]: p for p in library["practices"]}
    assert by_id["small.txt"] | {"builtin": False, "title": "Small Practice", "errors": 0} == by_id["small.txt"]
    assert by_id["builtin/benefactor.txt"]["builtin"] and "love" in library["tags"]
    assert by_id["builtin/benefactor.txt"]["seconds"] > 600
    builtin = client.get("/api/practice", params={"id": "builtin/benefactor.txt"}).json()
    assert not builtin["editable"]
    refused = client.post("/api/save", json={"id": "builtin/benefactor.txt", "text": "x", "base": builtin["version"]})
    assert refused.status_code == 422 and "make a copy" in refused.text
    copy = client.post("/api/new", json={"name": "my benefactor", "from": "builtin/benefactor.txt"}).json()
    assert copy["editable"] and copy["text"] == builtin["text"]
    assert (studio.folder / "my benefactor.txt").read_text() == builtin["text"]
    again = client.post("/api/new", json={"name": "my benefactor"})
    assert again.status_code == 422 and "exists already" in again.text
    fresh = client.post("/api/new", json={"name": "evening-calm"}).json()
    assert "title: Evening Calm" in fresh["text"]


def test_clients_from_a_csv_file_are_checked_against_the_practice(client: httpx.Client) -> None:
    good = client.post("/api/clients-csv", json={"text": SMALL_PRACTICE, "id": "small.txt", "name": "c.csv",
                                                  "csv": "client,who\nAnna,her sister\nBen,\n"})
    assert good.json()["rows"] == [{"client": "Anna", "who": "her sister"}, {"client": "Ben"}]
    bad = client.post("/api/clients-csv", json={"text": SMALL_PRACTICE, "id": "small.txt", "name": "c.csv",
                                                 "csv": "client,whom\nAnna,x\n"})
    assert bad.status_code == 422
    assert bad.json()["error"].startswith("c.csv:1:2: error: column 'whom' is not a variable of the practice")


def test_exports_for_clients_speak_only_the_lines_their_values_change(client: httpx.Client,
                                                                      studio: RunningStudio) -> None:
    text = SMALL_PRACTICE.replace("Think of {who}.", "Think of {who}, {client}.")
    rows = [{"client": "Anna", "who": "your sister"}, {"client": "Ben", "who": "your teacher"},
            {"client": "Cleo", "who": "your teacher"}]
    job = _wait(client, client.post("/api/export-clients", json={"text": text, "id": "small.txt", "rows": rows, "rate": 170,
                                                                 "bells": False}).json())
    lines = 4  # per client; only "Think of ..." differs between them (by its client for Ben and Cleo)
    assert (job["synthesized"], job["cached"]) == (lines + 2, 2 * lines - 2)
    names = [f["name"] for f in job["files"]]
    assert names == ["Small Practice (Anna).mp3", "Small Practice (Ben).mp3", "Small Practice (Cleo).mp3",
                     "Stillpoint.m3u8", "tracks.zip"]
    bundle = zipfile.ZipFile(io.BytesIO(client.get(job["files"][-1]["url"]).content))
    assert bundle.namelist() == names[:3]
    for name, row in zip(names[:3], rows, strict=True):
        tags = ID3(io.BytesIO(bundle.read(name)))
        assert str(tags["TIT2"]) == f"Small Practice ({row['client']})"
        assert f"Think of {row['who']}, {row['client']}." in tags.getall("USLT")[0].text
        assert [str(chapter.sub_frames["TIT2"]) for chapter in tags.getall("CHAP")] == ["Arriving", "Resting"]
    playlist = client.get(job["files"][3]["url"]).text
    assert playlist.splitlines()[-1] == "Small Practice (Cleo).mp3"


def test_one_export_with_the_values_of_the_form(client: httpx.Client) -> None:
    job = _wait(client, client.post("/api/export", json={"text": SMALL_PRACTICE, "id": "small.txt",
                                                         "values": {"who": "my brother"}}).json())
    assert [f["name"] for f in job["files"]] == ["Small Practice.mp3"] and job["done"] == job["total"] == 4
    download = client.get(job["files"][0]["url"])
    assert download.headers["content-disposition"].startswith("attachment")
    assert "Think of my brother." in ID3(io.BytesIO(download.content)).getall("USLT")[0].text
    unknown = client.post("/api/export", json={"text": SMALL_PRACTICE, "id": "small.txt", "values": {"whom": "x"}})
    assert unknown.status_code == 422 and "--set" not in unknown.text  # the page's field is named, not the flag
    assert unknown.json()["error"].startswith("error: Variable whom: small.txt has no variable {whom}")
    marked = client.post("/api/export", json={"text": SMALL_PRACTICE, "id": "small.txt", "values": {"who": "[bell]"}})
    assert marked.status_code == 422 and "the value of 'who' holds '[', which a script reads as markup" in marked.text


@pytest.mark.espeak
def test_with_the_real_voice_a_section_heard_is_the_wav_preview_writes(tmp_path: Path) -> None:
    running = start_studio(tmp_path, engine=None)
    try:
        exchange(running)
        with running.client() as http:
            _answer, served = _heard(http, section="Arriving")
        assert served == _preview(running, tmp_path / "part.wav", "--section", "Arriving", *CLI_CHOICES, engine=None)
        assert len(served) > 100_000
    finally:
        running.stop()


def test_an_export_with_a_sleep_ending_ends_with_it_and_a_part_heard_has_none(client: httpx.Client) -> None:
    checked = client.post("/api/check", json={"text": SMALL_PRACTICE, "id": "small.txt", "sleep": 10}).json()
    assert checked["plan"]["events"][-1] | {"kind": "sleep", "duration": 600.0} == checked["plan"]["events"][-1]
    job = _wait(client, client.post("/api/export", json={"text": SMALL_PRACTICE, "id": "small.txt", "sleep": 1,
                                                         "values": {}}).json())
    tags = ID3(io.BytesIO(client.get(job["files"][0]["url"]).content))
    assert [str(chapter.sub_frames["TIT2"]) for chapter in tags.getall("CHAP")] == ["Arriving", "Resting", "Sleep"]
    answer, _served = _heard(client, section="Resting", sleep=10)
    assert "sleep" not in [event["kind"] for event in answer["events"]] and answer["total"] < 60
    refused = client.post("/api/check", json={"text": SMALL_PRACTICE, "id": "small.txt", "sleep": 0})
    assert refused.status_code == 400 and "'sleep' must be a number from 1 to 1440" in refused.text
    past = client.post("/api/export", json={"text": SMALL_PRACTICE, "id": "small.txt", "sleep": 1440, "values": {}})
    while past.json()["state"] == "running":
        time.sleep(0.1)
        past = client.get(f"/api/jobs/{past.json()['id']}")
    assert past.json()["state"] == "failed"
    assert "its sleep ending would pass 24 hours" in past.json()["error"]["message"]


def test_the_breath_cue_chosen_is_heard_and_a_swell_without_a_bed_is_named_as_the_page_names_it(
        client: httpx.Client) -> None:
    text = "# Breathing {breath: 4-6}\nFollow the sound. [breathe 2]\nWell done.\n"
    heard = {}
    for cue in ("none", "tone"):
        answer = client.post("/api/hear", json={"text": text, "id": "b.txt", "section": "Breathing", "breath_cue": cue})
        assert answer.status_code == 200, answer.text
        (breathing,) = [event for event in answer.json()["events"] if event["kind"] == "breathe"]
        with wave.open(io.BytesIO(client.get(answer.json()["audio"]).content)) as audio:
            samples = np.frombuffer(audio.readframes(audio.getnframes()), dtype="<i2")
        heard[cue] = samples[round(breathing["start"] * SAMPLE_RATE):round(breathing["end"] * SAMPLE_RATE)]
    assert not heard["none"].any() and np.count_nonzero(heard["tone"]) > 0.9 * len(heard["tone"])
    swell = client.post("/api/hear", json={"text": text, "id": "b.txt", "section": "Breathing", "breath_cue": "swell"})
    assert swell.status_code == 422 and "--breath-cue" not in swell.text
    assert swell.json()["error"].startswith("error: Breath cue: a swell needs an ambience")
