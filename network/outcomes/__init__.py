"""The operator's outcomes, computed for the metrics: NPS, churn by engagement, retention curves, the
churn-risk list and the traffic lights (:mod:`network.outcomes.compute` puts them together)."""
