"""Live widgets nobody looks at cost nothing: with no browser attached, an observer and a
tree send no messages; once a view says it is on screen they update, a few times a second."""
from __future__ import annotations

import collections
import math
import time


def comm_msgs(kernel, since: int) -> list:
    msgs = [m for c in kernel.cells.values() for m in c.messages] + kernel.other
    return [m for m in msgs if m["msg_type"] == "comm_msg" and m["header"]["date"].timestamp() > since]


def test_widgets_with_no_view_send_nothing_and_a_view_wakes_them(kernel):
    kernel.ok("""\
class W(GenServer):
    def init(self, arg):
        return Ok(arg)
def churn():
    while True:
        sleep(0.05)
        spawn(lambda: None)
sup = Supervisor.start_link([{"id": "w", "start": (W.start_link, 0)}])
spawn(churn)""")
    kernel.ok("tree = supervision_tree(sup); obs = observer(); display(tree, obs)")
    kernel.drain(lambda: False, timeout=2.0)            # the display's own messages
    start = time.time()
    kernel.drain(lambda: False, timeout=3.0)
    quiet = comm_msgs(kernel, start)
    assert quiet == [], [m["content"]["data"] for m in quiet]   # nobody watches: no updates at all

    # a view of the observer's table says it is on screen: the observer updates again
    comm = kernel.ok("obs.table.comm.comm_id").result.strip("'")
    start = time.time()
    kernel.kc.session.send(kernel.kc.shell_channel.socket, "comm_msg", {
        "comm_id": comm, "data": {"method": "custom", "content": {"type": "view", "id": "v1", "visible": True}}})
    kernel.drain(lambda: False, timeout=3.0)
    elapsed = time.time() - start
    updates = comm_msgs(kernel, start)
    assert updates, "a watched observer must update"
    # One refresh at once, then one a second: the table's page and each chart's new
    # points, not a flood. Counted in refreshes (the table's pages), not messages: the
    # 1 Hz schedule may tick floor(elapsed) + 1 times in the window besides the first.
    per_comm = collections.Counter(m["content"]["comm_id"] for m in updates)
    refreshes = per_comm[comm]
    assert 1 <= refreshes <= math.floor(elapsed) + 2, (refreshes, elapsed)
    assert max(per_comm.values()) <= refreshes, per_comm      # no widget updates twice a refresh
