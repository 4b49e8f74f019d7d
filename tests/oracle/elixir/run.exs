# Runs every scenario module defined in the other .exs files of this folder with the
# Erlang side's runner (oracle.erl, compiled onto the code path by otp_runner.py).
Logger.configure(level: :none)

here = Path.dirname(__ENV__.file)

mods =
  for file <- Path.wildcard(Path.join(here, "*.exs")), Path.basename(file) != "run.exs",
      {mod, _} <- Code.require_file(file),
      function_exported?(mod, :scenarios, 0),
      do: mod

:oracle.run_modules(Enum.sort(mods))
