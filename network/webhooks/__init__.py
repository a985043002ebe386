"""Outbound webhooks: endpoints an operator registers, events fanned out to them through the
transactional outbox, and the delivery log. Signing and HTTP live at the edge (:mod:`channels.webhooks`)."""
