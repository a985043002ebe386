"""The operations dashboard (``/console/dashboard``) and the same figures as JSON (``GET /v1/metrics``).

Both read :func:`network.metrics.compute`; the page draws them as inline SVG charts, each with its data
table, filtered by period and region through a plain GET form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from markupsafe import Markup

from channels.api.auth import StaffDep
from channels.api.deps import DbDep, SessionDep, SettingsDep
from channels.api.problems import PROBLEM_RESPONSES
from channels.console import charts
from channels.console.auth import SessionDep as ConsoleSessionDep
from channels.console.web import ConsoleRoute, render
from network import metrics
from network.ids import utcnow
from network.metrics_shapes import Amount, Metrics, MetricsQuery
from network.money import Money

page_router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
api_router = APIRouter(prefix="/v1", tags=["metrics"], responses=PROBLEM_RESPONSES)

From = Annotated[date | None, Query(alias="from", description="First day (UTC), default 90 days ago")]
To = Annotated[date | None, Query(alias="to", description="Last day (UTC), default today")]
Region = Annotated[str | None, Query(max_length=120, description="A region named in profiles")]
PRESETS = (("Last 30 days", 30), ("Last 90 days", 90), ("Last 12 months", 365))


@api_router.get("/metrics", response_model=Metrics, summary="Referral economy metrics (agents and admins)")
def metrics_json(
    staff: StaffDep,
    session: SessionDep,
    settings: SettingsDep,
    start: From = None,
    end: To = None,
    region: Region = None,
) -> Metrics:
    """Funnel, closed business and incentives by period, engagement, rates, top industries and supply
    chains for ``from``..``to`` (dates, inclusive) and an optional region."""
    query = MetricsQuery.around(
        start, end, region, settings.tenant, (settings.arpu_minor, settings.arpu_currency)
    )
    return metrics.compute(session, query)


@dataclass(frozen=True)
class MoneyChart:
    currency: str
    chart: Markup
    rows: list[tuple[str, str, int]]  # period, formatted amount, count


def _money_charts(
    chart_id: str, title: str, amounts: list[Amount], periods: list[str], default: str
) -> list[MoneyChart]:
    currencies = sorted({a.currency for a in amounts}) or [default]
    out = []
    for currency in currencies:
        by_period = {a.period: a for a in amounts if a.currency == currency}
        values = [by_period[p].amount_minor if p in by_period else 0 for p in periods]

        def fmt(minor: int, currency: str = currency) -> str:
            return Money(minor, currency).format()

        chart = charts.columns(f"{chart_id}-{currency}", f"{title} ({currency})", periods, values, fmt=fmt)
        rows = [(p, fmt(by_period[p].amount_minor), by_period[p].count) for p in periods if p in by_period]
        out.append(MoneyChart(currency, chart, rows))
    return out


def _totals(m: Metrics, default_currency: str) -> list[tuple[str, str]]:
    sums: dict[str, int] = {}
    for amount in m.closed_business:
        sums[amount.currency] = sums.get(amount.currency, 0) + amount.amount_minor
    sums = sums or {default_currency: 0}
    return [(currency, Money(total, currency).format()) for currency, total in sorted(sums.items())]


def _short(title: str, limit: int = 22) -> str:
    return title if len(title) <= limit else title[: limit - 1] + "…"


def _figures(m: Metrics, currency: str) -> dict[str, Any]:
    chains = [f"{_short(c.from_title)} → {_short(c.to_title)}" for c in m.supply_chains]
    return {
        "funnel_chart": charts.hbars(
            "funnel", "Referral funnel", [s.stage.capitalize() for s in m.funnel], [s.count for s in m.funnel]
        ),
        "business": _money_charts("business", "Closed business", m.closed_business, m.periods, currency),
        "earned": _money_charts("earned", "Incentives earned", m.incentives_earned, m.periods, currency),
        "paid": _money_charts("paid", "Incentives paid", m.incentives_paid, m.periods, currency),
        "engagement_chart": charts.hbars(
            "engagement",
            "Subscribers by engagement",
            [f"Active (last {m.engagement.active_days} days)", "Dormant", "New in period"],
            [m.engagement.active, m.engagement.dormant, m.engagement.new_in_period],
        ),
        "industry_chart": charts.hbars(
            "industries",
            "Top industries by deals closed",
            [i.naics_title or i.naics_code for i in m.top_industries],
            [i.deals for i in m.top_industries],
        ),
        **_outcome_figures(m),
        "chain_chart": charts.hbars(
            "chains",
            "Top supply chains (deals and accepted introductions)",
            chains,
            [c.deals + c.introductions for c in m.supply_chains],
        ),
    }


def _outcome_figures(m: Metrics) -> dict[str, Any]:
    """The operator's outcomes: NPS trend, churn by engagement, retention curves, traffic lights."""
    churn_labels, churn_values = [], []
    for month in m.churn.months:
        for group, rate in (("engaged", month.engaged_rate), ("not engaged", month.not_engaged_rate)):
            churn_labels.append(f"{month.month} {group}")
            churn_values.append(round((rate or 0) * 1000))  # tenths of a percent, drawn as bars
    lights = m.traffic_lights.counts
    return {
        "nps_chart": charts.signed_bars(
            "nps", "NPS by month", [g.key for g in m.nps.by_period], [g.nps for g in m.nps.by_period]
        ),
        "churn_chart": charts.hbars(
            "churn", "Monthly churn by engagement", churn_labels, churn_values, fmt=lambda v: f"{v / 10:.1f}%"
        ),
        "retention_chart": charts.steps(
            "retention",
            "Retention by month joined (Kaplan–Meier)",
            [(c.cohort, [(p.day, p.survival) for p in c.points]) for c in m.retention.cohorts],
        ),
        "lights_chart": charts.hbars(
            "lights",
            "Subscribers by traffic light",
            ["Green", "Amber", "Red", "Grey"],
            [lights.green, lights.amber, lights.red, lights.grey],
            classes=["bar-2", "bar-3", "bar-4", "bar-grey"],
        ),
        "gatherings_chart": _gatherings_chart(m),
    }


def _gatherings_chart(m: Metrics) -> Any:
    """Events, one-to-ones and the digest as one ladder of counts (each row's meaning in the table)."""
    g = m.gatherings
    rows = [
        ("Event guests who said yes", g.attendance.said_yes),
        ("Came (checked in)", g.attendance.attended),
        ("One-to-ones suggested", g.one_to_ones.suggested),
        ("One-to-ones accepted", g.one_to_ones.accepted),
        ("Digests sent", g.digest.sent),
        ("Digests opened", g.digest.opened),
        ("Digests acted on", g.digest.acted),
    ]
    labels, values = [label for label, _ in rows], [value for _, value in rows]
    return charts.hbars("gatherings", "Events, one-to-ones and the digest", labels, values)


@page_router.get("/dashboard")
def dashboard(
    request: Request,
    session: ConsoleSessionDep,
    db: DbDep,
    settings: SettingsDep,
    start: From = None,
    end: To = None,
    region: Region = None,
) -> Response:
    query = MetricsQuery.around(
        start, end, region, settings.tenant, (settings.arpu_minor, settings.arpu_currency)
    )
    with db.read() as db_session:
        figures = metrics.compute(db_session, query)
        regions = metrics.regions(db_session, settings.tenant)
    today = utcnow().date()
    presets = [
        (label, (today - timedelta(days=days - 1)).isoformat(), today.isoformat()) for label, days in PRESETS
    ]
    return render(
        request,
        "dashboard.html",
        m=figures,
        regions=regions,
        presets=presets,
        money=lambda minor, currency: Money(minor, currency).format(),
        totals=_totals(figures, settings.default_currency),
        **_figures(figures, settings.default_currency),
    )
