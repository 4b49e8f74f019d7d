"""receive: the twins of erlang/sc_receive.erl."""
from __future__ import annotations

from beamlab.runtime import ANY, receive, self, send, send_after, spawn
from oracle_trace import emit, flush, role

from . import scenario


@scenario
def selective_receive_leaves_the_rest_in_order():
    for m in ("a", "b", "c"):
        send(self(), m)
    emit(receive("b"))
    emit(flush())


@scenario
def receive_after_zero_on_an_empty_mailbox():
    emit(receive(timeout=0, default="timeout"))


@scenario
def receive_after_zero_takes_a_waiting_message():
    send(self(), "x")
    emit(receive(timeout=0, default="timeout"))


@scenario
def order_from_one_sender_is_kept():
    parent = self()

    def sender():
        for i in range(1, 6):
            send(parent, ("n", i))
    role(spawn(sender), "sender")
    emit([receive(("n", ANY)) for _ in range(5)])


@scenario
def receive_times_out_before_a_late_message():
    send_after(0.3, self(), "late")
    emit("got" if receive("late", timeout=0.02, default=None) else "timeout")
    emit("got" if receive("late", timeout=5.0, default=None) else "timeout")


@scenario
def a_pattern_skips_what_does_not_match():
    for m in (("a", 1), ("b", 2), ("a", 3)):
        send(self(), m)
    b = receive(("b", ANY))[1]
    a = receive(("a", ANY))[1]
    emit((b, a, flush()))
