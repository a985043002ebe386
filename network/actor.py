"""Who is acting: every transaction carries one, and the audit trail records it."""

from __future__ import annotations

from dataclasses import dataclass

from network.models.base import Role


@dataclass(frozen=True, slots=True)
class Actor:
    kind: Role
    id: str
    case_id: str | None = None

    @classmethod
    def subscriber(cls, subscriber_id: str) -> Actor:
        return cls(Role.SUBSCRIBER, subscriber_id)

    @classmethod
    def agent(cls, agent_id: str, case_id: str) -> Actor:
        return cls(Role.AGENT, agent_id, case_id)

    @classmethod
    def admin(cls, admin_id: str = "admin") -> Actor:
        return cls(Role.ADMIN, admin_id)

    @classmethod
    def system(cls, component: str = "layer8") -> Actor:
        return cls(Role.SYSTEM, component)

    @property
    def label(self) -> str:
        return f"{self.kind.value}:{self.id}"


SYSTEM = Actor.system()
