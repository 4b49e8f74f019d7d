"""Observer, sequence trace and chaos in a real browser on the beamlab kernel: each renders,
keeps updating, and answers clicks. Saves observer.png, sequence.png, chaos.png (into docs/ too
with BEAMLAB_UPDATE_SCREENSHOTS=1)."""
from __future__ import annotations

import pytest

from lab import assert_observer_table_fits, notebook, open_notebook, save_screenshot

SETUP = """\
class Worker(GenServer):
    def init(self, arg):
        return Ok({"jobs": arg})

def pinger(target, n=0):
    while True:
        send(target, (self(), "ping", n))
        receive(("pong", ANY), timeout=1)
        sleep(0.3)
        n += 1

def ponger():
    while True:
        frm, _, n = receive()
        send(frm, ("pong", n))

pong = spawn(ponger); register("pong", pong)
ping = spawn(pinger, pong); register("ping", ping)
sup = Supervisor.start_link([{"id": f"worker_{i}", "start": (Worker.start_link, i)} for i in range(1, 5)],
                            name="chaos_demo", max_restarts=100, max_seconds=5)"""


def save(page, selector, name):
    save_screenshot(page.locator(selector).first, name)


@pytest.fixture
def opened(lab, page, request):
    if not getattr(lab, "beamlab_kernel", False):
        pytest.skip("the beamlab kernelspec could not be installed (python -m beamlab install)")
    cells = [SETUP, "observer()", 'sequence_trace("ping", "pong")', "chaos(sup, rate=4, seed=1)"]
    name = f"{request.node.name}.ipynb"          # a notebook (and kernel) of its own per test
    lab.write_notebook(name, notebook(cells, kernel="beamlab", display_name="BEAM Lab (Python)"))
    open_notebook(page, lab, name)
    return page


def test_the_observer_sorts_on_a_header_click_and_inspects_a_row(opened):
    page = opened
    table = '[data-testid="beamlab-process-table"]'
    page.wait_for_selector(f"{table} tr.bl-row", timeout=90_000)
    page.click(f'{table} th[data-column="message_queue_len"]')
    page.wait_for_selector(f'{table} th[data-column="message_queue_len"]:has-text("▼")', timeout=15_000)
    page.fill('.beamlab-observer input[type="search"]', "pong")
    page.wait_for_selector(".beamlab-observer >> text=1 process matching 'pong'", timeout=15_000)
    page.click(f"{table} tr.bl-row")
    page.wait_for_selector('.beamlab-observer .bl-insp-title >> text=pong', timeout=15_000)
    page.wait_for_selector('.beamlab-observer [data-testid="beamlab-inspector"] >> text=mailbox', timeout=15_000)
    page.wait_for_selector(".bqplot .tick text", timeout=30_000)       # the load charts drew axes
    assert page.js_errors == [] and page.console_errors == []

    # at 1366 px with the file browser open every column fits: nothing cut off, status shown
    assert page.locator("#filebrowser").is_visible()
    assert_observer_table_fits(page, table)
    # the charts' y axes count from 0 in whole, human units (no "670m", no "-70m")
    page.wait_for_timeout(2500)
    axes = page.locator(".beamlab-observer-charts .bqplot g.axis, .bqplot g.axis").evaluate_all(
        "gs => gs.map(g => [g.getAttribute('class'), g.getAttribute('transform'), Array.from(g.querySelectorAll('.tick text')).map(t => t.textContent)])")
    # the y axes sit at the top left (the "seconds ago" x axes are translated to the bottom)
    numbers = [t for _cls, where, texts in axes if where == "translate(0, 0)" for t in texts if t.strip()]
    assert numbers and all(not t.startswith(("-", "−")) and not t.endswith("m") for t in numbers), numbers
    assert "0" in numbers
    save(page, ".jp-OutputArea-output:has(.beamlab-observer)", "observer.png")


def test_the_sequence_diagram_grows_while_ping_and_pong_talk(opened):
    page = opened
    seq = '[data-testid="beamlab-sequence"]'
    page.wait_for_selector(f"{seq} g.bl-seq-send", timeout=90_000)
    page.locator(seq).scroll_into_view_if_needed()    # it refreshes only while a view shows it
    first = page.locator(f"{seq} g.bl-seq-send").count()
    page.wait_for_function(f"() => document.querySelectorAll('{seq} g.bl-seq-send').length > {first + 2}",
                           timeout=30_000)
    assert "'ping'" in page.text_content(seq)
    assert page.js_errors == []
    save(page, ".beamlab-sequence", "sequence.png")


def test_chaos_started_from_its_button_kills_and_the_tree_shows_restarts(opened):
    page = opened
    page.wait_for_selector(".beamlab-tree g.node[data-name='worker_1']", timeout=90_000)
    page.click("button:has-text('Start chaos')")
    page.wait_for_selector("text=/running · seed 1 · [1-9]\\d* kills?/", timeout=30_000)
    page.wait_for_selector(".beamlab-tree g.node:not([data-restarts='0'])[data-name^='worker_']", timeout=30_000)
    page.click("button:has-text('Stop chaos')")
    page.wait_for_selector("text=/stopped · seed 1/", timeout=30_000)
    assert page.js_errors == []
    save(page, ".jp-OutputArea-output:has(.beamlab-tree):has(.widget-toggle-button)", "chaos.png")
