from network import audit
from network.actor import Actor
from network.db import Database
from network.models import Subscriber


def test_migrated_database_records_and_audits(db: Database) -> None:
    with db.transaction(Actor.admin()) as session:
        session.add(Subscriber(business_name="Acme Plumbing"))
    with db.read() as session:
        result = audit.verify(session)
    assert result.ok and result.checked == 1
