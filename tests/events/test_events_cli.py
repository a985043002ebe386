"""``layer8 events`` through the real root command: create, invite (dry run, then for real), RSVPs with a
waiting list, check-in by the door code, close, and the calendar file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.settings import get_settings
from cli import root as cli
from network.db import Database
from network.errors import Layer8Error
from network.migrate import upgrade
from network.models import EventInvitation
from network.services import events, introductions
from tests.retrieval.builders import add_business


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    monkeypatch.setenv("LAYER8_HOME", str(tmp_path))
    monkeypatch.setenv("LAYER8_EMBEDDER", "fake")
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.delenv("LAYER8_DATABASE_URL", raising=False)
    monkeypatch.delenv("LAYER8_CHROMA_URL", raising=False)
    get_settings.cache_clear()
    db = Database(get_settings().database)
    upgrade(db)
    yield db
    db.dispose()
    get_settings.cache_clear()


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(cli.app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def refused(*args: str) -> str:
    result = CliRunner().invoke(cli.app, list(args))
    assert isinstance(result.exception, Layer8Error), result.output
    return result.exception.message


def network(db: Database) -> dict[str, str]:
    return {
        "bakery": add_business(
            db, "Crumb Bakery", region="Leeds", offers="sourdough bread", needs="wholesale flour and eggs"
        ),
        "mill": add_business(
            db, "Miller", region="Leeds", offers="wholesale flour and eggs", needs="sourdough bread"
        ),
        "printer": add_business(db, "Leeds Print", region="Leeds", offers="printed menus", needs="bread"),
        "york": add_business(db, "York Flour", region="York", offers="wholesale flour", needs="bread"),
    }


def test_create_invite_answer_check_in_and_close(home: Database, tmp_path: Path) -> None:
    ids = network(home)
    run("index", "rebuild")
    created = json.loads(
        run(
            "events", "create", "--title", "Leeds breakfast", "--starts", "2031-01-14T08:00",
            "--time-zone", "Europe/London", "--place", "Corn Exchange", "--capacity", "1",
            "--region", "Leeds", "--json",
        )
    )  # fmt: skip
    event_id, code = created["id"], created["checkin_code"]
    assert created["when"] == "Tue 14 Jan 2031, 08:00 (Europe/London)"

    dry = json.loads(run("events", "invite", event_id, "--dry-run", "--json"))
    invited = {i["subscriber_id"]: i for i in dry["invitations"]}
    assert ids["york"] not in invited  # outside the audience
    assert invited[ids["bakery"]]["reasons"][0].startswith("meets Miller")
    assert home_count(home) == 0

    real = json.loads(run("events", "invite", event_id, "--json"))
    assert {i["subscriber_id"] for i in real["invitations"]} == set(invited)
    assert all(i["new"] and i["sent_via"] is None for i in real["invitations"])  # no linked chat here
    assert home_count(home) == len(invited)

    with home.transaction() as session:
        events.rsvp(session, event_id, ids["bakery"], going=True)
        events.rsvp(session, event_id, ids["mill"], going=True)  # full: waiting list
    assert "not this event's" in refused(
        "events", "checkin", event_id, "--subscriber", ids["bakery"], "--code", "W0"
    )
    checked = json.loads(
        run("events", "checkin", event_id, "--subscriber", ids["bakery"], "--code", code, "--json")
    )
    assert checked["state"] == "attended" and checked["by"] == "code"

    shown = json.loads(run("events", "show", event_id, "--json"))
    assert shown["answers"]["attended"] == 1 and shown["answers"]["waitlisted"] == 1
    assert "Leeds breakfast" in run("events", "list")
    closed = json.loads(run("events", "close", event_id, "--json"))
    assert closed["attended"] == 1 and closed["one_to_ones"] == 0  # nobody else came

    out = tmp_path / "breakfast.ics"
    run("events", "calendar", event_id, "--out", str(out))
    assert b"SUMMARY:Leeds breakfast" in out.read_bytes()


def test_an_event_needs_a_place_or_a_link(home: Database) -> None:
    args = ("events", "create", "--title", "x", "--starts", "2031-01-14T08:00+00:00", "--capacity", "3")
    assert "either a place or an online link" in refused(*args)


def home_count(db: Database) -> int:
    with db.read() as session:
        return session.query(EventInvitation).count()


def test_digest_run_dry_run_and_opt_out(home: Database) -> None:
    ids = network(home)
    with home.transaction() as session:
        introductions.suggest(session, ids["bakery"], ids["mill"], score=0.9, parts={}, reasons=["Flour."])
    dry = json.loads(run("digest", "run", "--dry-run", "--json"))
    decisions = {d["business_name"]: d for d in dry["digests"]}
    assert decisions["Crumb Bakery"]["reason"] == "unreachable"  # new match, but no chat to push to
    assert decisions["Crumb Bakery"]["items"] == [{"kind": "match", "text": "New match: Miller — Flour."}]
    assert decisions["Miller"]["reason"] == "nothing_new" and dry["due"] == 0
    prefs = json.loads(
        run("digest", "prefs", ids["bakery"], "--opt-out", "--time-zone", "Europe/London", "--json")
    )
    assert prefs["opted_out"] is True and prefs["time_zone"] == "Europe/London"
    again = json.loads(run("digest", "run", "--dry-run", "--json"))
    assert {d["business_name"]: d["reason"] for d in again["digests"]}["Crumb Bakery"] == "opted_out"
