"""The console's rules over HTTP: acting on a subscriber's behalf only inside an open case of one's own with
recorded customer authentication; every act audited with the agent and the case; CSRF and sessions."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from composition.container import Layer8
from network.models import AuditEvent, Deal, Incentive, Introduction, Profile, Referral, SupportCase
from tests.console.helpers import Net, csrf, post, sign_in


def _open_case(client: TestClient, subscriber: str, auth: str = "one-time code") -> str:
    token = csrf(client, f"/console/subscribers/{subscriber}")
    response = post(
        client,
        f"/console/subscribers/{subscriber}/cases",
        {"csrf": token, "reason": "billing call", "auth": auth},
    )
    assert response.status_code == 303, response.text
    page = client.get(f"/console/subscribers/{subscriber}")
    return page.text.split('id="case-id">')[1].split("<")[0]


def _deal_form(token: str, case_id: str | None, net: Net, key: str = "key-0001-abcd") -> dict[str, str]:
    form = {
        "csrf": token,
        "source": f"referral:{net.referral}",
        "amount": "2400",
        "currency": "GBP",
        "closed_on": date.today().isoformat(),
        "description": "boiler install",
        "idempotency_key": key,
    }
    if case_id:
        form["case_id"] = case_id
    return form


def _deals(container: Layer8) -> list[tuple[str, int, str, str | None, str]]:
    with container.db.read() as session:
        rows = session.scalars(select(Deal))
        return [(d.id, d.amount_minor, d.currency, d.giver_id, d.recorded_by) for d in rows]


@pytest.fixture
def alice(client: TestClient, net: Net) -> TestClient:
    assert sign_in(client, net.alice).status_code == 303
    return client


def test_pages_need_a_session(client: TestClient, net: Net) -> None:
    page = client.get(f"/console/subscribers/{net.acme}", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/console/sign-in?next=")
    refused = post(client, f"/console/subscribers/{net.acme}/deals", {"amount": "1"})
    assert refused.status_code == 401


def test_sign_in_sets_a_strict_httponly_secure_cookie_and_refuses_other_tokens(
    client: TestClient, net: Net
) -> None:
    assert sign_in(client, net.subscriber_token).status_code == 401
    assert sign_in(client, "l8_not-a-token").status_code == 401
    response = sign_in(client, net.alice)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"].lower()
    assert (
        "httponly" in cookie
        and "samesite=strict" in cookie
        and "secure" in cookie
        and "path=/console" in cookie
    )
    assert net.alice not in response.headers["set-cookie"]
    assert "agent.alice" in client.get("/console").text


def test_sign_in_form_needs_its_own_pre_token(client: TestClient, net: Net) -> None:
    refused = client.post(
        "/console/sign-in", data={"token": net.alice, "pre": "forged"}, follow_redirects=False
    )
    assert refused.status_code == 403


def test_no_case_is_refused(alice: TestClient, container: Layer8, net: Net) -> None:
    token = csrf(alice, f"/console/subscribers/{net.acme}")
    response = post(alice, f"/console/subscribers/{net.acme}/deals", _deal_form(token, None, net))
    assert response.status_code == 403
    assert "open a case" in response.text
    assert _deals(container) == []


def test_case_without_customer_authentication_is_refused(
    alice: TestClient, container: Layer8, net: Net
) -> None:
    case_id = _open_case(alice, net.acme, auth="")
    token = csrf(alice, f"/console/subscribers/{net.acme}")
    response = post(alice, f"/console/subscribers/{net.acme}/deals", _deal_form(token, case_id, net))
    assert response.status_code == 403
    assert "authenticated" in response.text
    assert _deals(container) == []
    # once the authentication is recorded, the same act goes through
    assert (
        post(
            alice, f"/console/cases/{case_id}/authenticate", {"csrf": token, "auth": "security question"}
        ).status_code
        == 303
    )
    assert (
        post(alice, f"/console/subscribers/{net.acme}/deals", _deal_form(token, case_id, net)).status_code
        == 303
    )
    assert len(_deals(container)) == 1


def test_an_api_client_gets_a_problem(alice: TestClient, net: Net) -> None:
    token = csrf(alice, f"/console/subscribers/{net.acme}")
    response = post(
        alice,
        f"/console/subscribers/{net.acme}/deals",
        _deal_form(token, None, net),
        accept="application/json",
    )
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "forbidden"


def test_another_agents_case_a_closed_case_and_another_subscribers_case_are_refused(
    client: TestClient, container: Layer8, net: Net
) -> None:
    sign_in(client, net.bob)
    bobs_case = _open_case(client, net.acme)
    sign_in(client, net.alice)
    token = csrf(client, f"/console/subscribers/{net.acme}")
    assert (
        post(client, f"/console/subscribers/{net.acme}/deals", _deal_form(token, bobs_case, net)).status_code
        == 403
    )
    cafe_case = _open_case(client, net.cafe)
    assert (
        post(client, f"/console/subscribers/{net.acme}/deals", _deal_form(token, cafe_case, net)).status_code
        == 403
    )
    own = _open_case(client, net.acme)
    assert post(client, f"/console/cases/{own}/close", {"csrf": token}).status_code == 303
    assert (
        post(client, f"/console/subscribers/{net.acme}/deals", _deal_form(token, own, net)).status_code == 403
    )
    assert _deals(container) == []


def test_a_recorded_deal_is_audited_with_the_agent_and_case_once(
    alice: TestClient, container: Layer8, net: Net
) -> None:
    case_id = _open_case(alice, net.acme)
    token = csrf(alice, f"/console/subscribers/{net.acme}")
    form = _deal_form(token, case_id, net)
    assert post(alice, f"/console/subscribers/{net.acme}/deals", form).status_code == 303
    assert post(alice, f"/console/subscribers/{net.acme}/deals", form).status_code == 303  # a double submit
    [(deal_id, *deal)] = _deals(container)
    assert deal == [240000, "GBP", net.books, "agent:agent.alice"]
    with container.db.read() as session:
        created = session.scalars(select(AuditEvent).where(AuditEvent.target_id == deal_id)).all()
        acts = session.scalars(select(AuditEvent).where(AuditEvent.action.startswith("on_behalf.deal"))).all()
        incentive = session.scalars(select(Incentive).where(Incentive.deal_id == deal_id)).one()
        assert incentive.beneficiary_id == net.books
        assert {(e.actor_kind, e.actor_id, e.case_id) for e in created} == {("agent", "agent.alice", case_id)}
        assert [(e.action, e.actor_id, e.case_id, e.target_id) for e in acts] == [
            ("on_behalf.deal_recorded", "agent.alice", case_id, net.acme),
            ("on_behalf.deal_retried", "agent.alice", case_id, net.acme),
        ]
    page = alice.get(f"/console/subscribers/{net.acme}").text
    assert "on_behalf.deal_recorded" in page and "2,400.00 GBP" in page


def test_profile_introduction_and_referral_acts_are_audited(
    alice: TestClient, container: Layer8, net: Net
) -> None:
    case_id = _open_case(alice, net.acme)
    token = csrf(alice, f"/console/subscribers/{net.acme}")
    base = {"csrf": token, "case_id": case_id}
    page = f"/console/subscribers/{net.acme}"
    assert (
        post(alice, f"{page}/profile", {**base, "needs": "a bookkeeper", "locality": "Leeds"}).status_code
        == 303
    )
    assert (
        post(alice, f"{page}/introductions", {**base, "target_id": net.cafe, "message": "hi"}).status_code
        == 303
    )
    referral = {**base, "receiver_id": net.cafe, "prospect_name": "Mill Lane Hotel", "hotness": "5"}
    assert post(alice, f"{page}/referrals", referral).status_code == 303
    with container.db.read() as session:
        profile = session.get(Profile, net.acme)
        intro = session.scalars(select(Introduction).where(Introduction.requester_id == net.acme)).one()
        given = session.scalars(select(Referral).where(Referral.giver_id == net.acme)).one()
        acts = session.scalars(select(AuditEvent).where(AuditEvent.action.startswith("on_behalf."))).all()
        assert (
            profile is not None and profile.needs == "a bookkeeper" and profile.sources["needs"] == "declared"
        )
        assert intro.state == "requested" and given.receiver_id == net.cafe and given.hotness == 5
        assert [e.action for e in acts] == [
            "on_behalf.profile_updated",
            "on_behalf.introduction_requested",
            "on_behalf.referral_logged",
        ]
        assert {(e.actor_id, e.case_id) for e in acts} == {("agent.alice", case_id)}


def test_accepting_an_introduction_for_its_target(alice: TestClient, container: Layer8, net: Net) -> None:
    acme_case = _open_case(alice, net.acme)
    token = csrf(alice, f"/console/subscribers/{net.acme}")
    asked = {"csrf": token, "case_id": acme_case, "target_id": net.cafe}
    post(alice, f"/console/subscribers/{net.acme}/introductions", asked)
    with container.db.read() as session:
        intro_id = session.scalars(select(Introduction.id)).one()
    cafe_case = _open_case(alice, net.cafe)
    answer = {"csrf": token, "case_id": cafe_case, "introduction_id": intro_id, "accept": "true"}
    assert post(alice, f"/console/subscribers/{net.cafe}/introductions/answer", answer).status_code == 303
    with container.db.read() as session:
        assert session.scalars(select(Introduction.state)).one() == "accepted"


def test_forms_need_the_csrf_secret_and_the_same_origin(alice: TestClient, net: Net) -> None:
    case_id = _open_case(alice, net.acme)
    token = csrf(alice, f"/console/subscribers/{net.acme}")
    no_csrf = post(alice, f"/console/cases/{case_id}/close", {})
    assert no_csrf.status_code == 403
    cross = post(alice, f"/console/cases/{case_id}/close", {"csrf": token}, origin="https://evil.example")
    assert cross.status_code == 403
    assert post(alice, f"/console/cases/{case_id}/close", {"csrf": token}).status_code == 303


def test_a_revoked_token_ends_the_session(alice: TestClient, container: Layer8, net: Net) -> None:
    from network import tokens

    with container.db.transaction() as session:
        tokens.revoke(session, net.alice)
    assert alice.get("/console", follow_redirects=False).status_code == 303


def test_an_operator_may_look_but_not_act(client: TestClient, container: Layer8, net: Net) -> None:
    from tests.console.helpers import ADMIN_TOKEN

    assert sign_in(client, ADMIN_TOKEN).status_code == 303
    page = client.get(f"/console/subscribers/{net.acme}")
    assert page.status_code == 200 and "Acme Plumbing" in page.text
    token = csrf(client)
    opened = post(client, f"/console/subscribers/{net.acme}/cases", {"csrf": token, "reason": "x" * 5})
    assert opened.status_code == 403
    with container.db.read() as session:
        assert session.scalars(select(SupportCase)).all() == []


def test_search_by_name_number_industry_and_place(alice: TestClient, net: Net) -> None:
    assert "Acme Plumbing" in alice.get("/console", params={"q": "acme"}).text
    assert "Acme Plumbing" in alice.get("/console", params={"industry": "2382"}).text
    by_place = alice.get("/console", params={"place": "north yorkshire"}).text
    assert "Jane&#39;s Café" in by_place and "Acme Plumbing" not in by_place
    assert net.acme in alice.get("/console", params={"q": net.acme}).text
