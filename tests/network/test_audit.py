from sqlalchemy import text

from network import audit
from network.db import Database
from tests.network.helpers import make_subscribers


def test_every_change_is_chained_and_verifies(db: Database) -> None:
    make_subscribers(db, "Acme Plumbing", "Jane's Cafe")
    with db.read() as session:
        result = audit.verify(session)
    assert result.ok
    assert result.checked >= 6  # subscribers, profiles, consent records


def test_editing_one_row_breaks_the_chain_at_that_row(db: Database) -> None:
    make_subscribers(db, "Acme Plumbing", "Jane's Cafe")
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET actor_id = 'mallory' WHERE seq = 3"))
    with db.read() as session:
        result = audit.verify(session)
    assert not result.ok
    assert result.bad_seq == 3


def test_deleting_a_row_is_detected(db: Database) -> None:
    make_subscribers(db, "Acme Plumbing")
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE seq = 2"))
    with db.read() as session:
        result = audit.verify(session)
    assert not result.ok and result.bad_seq == 2
