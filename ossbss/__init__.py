"""OSS/BSS integration: the port and its adapters (embedded ledger, TM Forum Open APIs), the TM Forum stub,
reward rules and fraud checks, incentives, the transactional outbox, its relay, and reconciliation."""
