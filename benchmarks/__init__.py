"""beamlab's benchmarks, with peers measured side by side in the same run.

Run `make bench` or `python -m benchmarks [names...] [--quick] [--million]` from
the repository root. Every benchmark runs its workload in beamlab and, where it
makes sense, in Erlang/OTP (`erl`, if installed), in a minimal greenlet
scheduler and in asyncio — each run in a fresh OS process, three runs, medians —
and prints a table with the figure, the peers' figures, the ratio to Erlang, the
target from the project's issues and PASS/MISS. JSON lands in
benchmarks/results/ (gitignored).

Modules: catalog (what runs, sizes, targets), harness (runs and medians),
report (tables, JSON), worker (one run of one subject), beamlab_workloads and
otp_workloads (beamlab), greenlet_peer, asyncio_peer, erlang_peer + erlang/
(the peers), common (RSS, percentiles, the BENCH line format).

Definitions shared by all subjects:
- spawn: time to spawn N processes that each wait in receive, until a process
  spawned after them has run (so all N reached receive), divided by N.
- memory: (RSS after − RSS before) / N for Python subjects, after gc.collect();
  erlang:memory(processes) delta / N for Erlang.
- ring: N processes in a ring (the timing process is one of them), a token
  passed round R times after one warm-up round; time / (N × R).
- pingpong: round trips to an echo process.
"""
