"""The cluster view in a real browser (JupyterLab, Chromium at 1366×768): a learner clicks the
connection between two nodes and sees it cut — the remote process's link fires with
noconnection, the monitor's DOWN arrives, pings in flight are lost — then clicks it again
and sees the nodes reconnect and the pings arrive. Saves cluster.png (docs/cluster.png with
BEAMLAB_UPDATE_SCREENSHOTS=1)."""
from __future__ import annotations

import pytest

from lab import notebook, open_notebook, save_screenshot

CELLS = [
    """\
start_node("b")

def anchor_fn():                         # on main: b's worker is linked to it; it traps exits
    process_flag("trap_exit", True)
    while True:
        print("anchor got", receive())

def linked_worker():                     # on b: linked to the anchor on main
    link(anchor)
    receive()

def echo():                              # on b: answers pings
    while True:
        frm, n = receive()
        send(frm, ("pong", n))

def watcher(target):                     # on main: monitors b's worker
    monitor(target)
    while True:
        print("watcher got", receive())

def pinger(to):                          # on main: a ping every 0.3 s
    n = 0
    while True:
        n += 1
        send(to, (self(), n))
        sleep(0.3)

anchor = spawn(anchor_fn)
remote = spawn("b@lab", linked_worker)
spawn(watcher, remote)
spawn(pinger, spawn("b@lab", echo))
set_latency(0.05)
print("remote worker", remote)""",
    'from beamlab.widgets import cluster_view\ncluster_view(title="main and b")',
]

CONN = '.beamlab-cluster [data-testid="beamlab-connection"][data-a="main@lab"][data-b="b@lab"]'
LANES = '.beamlab-cluster [data-testid="beamlab-cluster-lanes"]'


LAST_ARRIVAL = f"""() => Math.max(0, ...[...document.querySelectorAll('{LANES} g[data-kind="msg"][data-lost="false"]')]
    .map((g) => Number(g.getAttribute('data-seq'))))"""


def last_arrival(page) -> int:
    """The newest message drawn as arrived (its seq: the diagram keeps only the newest events)."""
    return page.evaluate(LAST_ARRIVAL)


def test_cutting_and_healing_a_connection_from_the_cluster_view(lab, page):
    if not getattr(lab, "beamlab_kernel", False):
        pytest.skip("the beamlab kernelspec could not be installed (python -m beamlab install)")
    lab.write_notebook("cluster.ipynb", notebook(CELLS, kernel="beamlab", display_name="BEAM Lab (Python)"))
    open_notebook(page, lab, "cluster.ipynb")

    page.wait_for_selector(CONN + '[data-state="up"]', timeout=90_000)
    remote = page.locator(".jp-Cell").first.locator(".jp-OutputArea").inner_text(timeout=30_000)
    remote_pid = remote.split("remote worker", 1)[1].strip().split()[0]
    b_box = '.beamlab-cluster [data-testid="beamlab-node"][data-node="b@lab"]'
    page.wait_for_selector(f"{b_box} >> text={remote_pid}", timeout=30_000)
    # a widget no view shows sends nothing: bring the lanes on screen, as a reader scrolls
    page.locator(LANES).scroll_into_view_if_needed()
    page.wait_for_function(f"() => document.querySelectorAll('{LANES} g[data-kind=\"msg\"]').length >= 2",
                           timeout=30_000)

    # readable at 1366×768: every text 12–14 px, the widget no wider than the notebook
    sizes = page.evaluate("""() => [...document.querySelectorAll('.beamlab-cluster svg text')]
        .map((t) => parseFloat(getComputedStyle(t).fontSize))""")
    assert sizes and min(sizes) >= 12 and max(sizes) <= 14, sorted(set(sizes))
    box = page.locator(".beamlab-cluster").bounding_box()
    assert box["x"] + box["width"] <= 1366, box

    page.click(CONN)
    page.wait_for_selector(CONN + '[data-state="cut"]', timeout=30_000)
    page.wait_for_selector('[data-testid="beamlab-notice"] >> text=noconnection', timeout=30_000)
    # the remote process's link fired, and the monitor got its DOWN: in the lanes...
    page.wait_for_selector(f"{LANES} >> text={remote_pid} exited: noconnection", timeout=30_000)
    page.wait_for_selector(f"{LANES} >> text=gets DOWN for {remote_pid}: noconnection", timeout=30_000)
    # ...on b's box (the worker is gone)...
    page.wait_for_function(f"""() => !document.querySelector('{b_box}').textContent.includes('{remote_pid}')""",
                           timeout=30_000)
    # ...and in what the processes on main printed
    out = page.locator(".jp-Cell").first.locator(".jp-OutputArea")
    page.wait_for_function("""(pid) => {
        const t = document.querySelector('.jp-Cell .jp-OutputArea').innerText;
        return t.includes(`watcher got ('DOWN'`) && t.includes(`'process', ${pid}, 'noconnection')`)
            && t.includes(`anchor got ('EXIT', ${pid}, 'noconnection')`);
    }""", arg=remote_pid, timeout=30_000)
    # pings sent while it is cut are lost, and drawn so; nothing arrives
    page.wait_for_selector(f'{LANES} g[data-kind="msg"][data-lost="true"]', timeout=30_000)
    page.wait_for_timeout(1000)
    during = last_arrival(page)
    page.wait_for_timeout(1500)
    assert last_arrival(page) == during, "nothing crosses a cut connection"
    save_screenshot(page.locator(".beamlab-cluster"), "cluster.png")

    page.click(CONN)
    page.wait_for_selector(CONN + '[data-state="up"]', timeout=30_000)
    page.wait_for_selector('[data-testid="beamlab-notice"] >> text=reconnected', timeout=30_000)
    page.wait_for_function(f"(n) => ({LAST_ARRIVAL})() > n", arg=during, timeout=30_000)   # pings arrive again
    assert "main@lab — b@lab connected" in page.inner_text(LANES)
    assert "noconnection" in out.inner_text()
    assert page.js_errors == []
