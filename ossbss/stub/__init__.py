"""The TM Forum stub server (``layer8 tmf-stub``) and its in-process, fault-injecting transports."""

from ossbss.stub.app import create_app
from ossbss.stub.faults import Fault, FaultKind, FaultSchedule
from ossbss.stub.inprocess import FaultyTransport, InProcessTransport
from ossbss.stub.store import StubStore

__all__ = [
    "Fault",
    "FaultKind",
    "FaultSchedule",
    "FaultyTransport",
    "InProcessTransport",
    "StubStore",
    "create_app",
]
