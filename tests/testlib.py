"""testlib.py - the runner scaffolding of the Python test scripts under
tests/sim and tests/cli (each puts this directory on sys.path first).

  - Sim: one simulator subprocess on a loopback port 0; it reports its port
    through --port-file, logs its requests to DIR/requests.log and its
    output to DIR/out.txt; stop() is bounded (SIGTERM, then SIGKILL), and
    a `with Sim(...) as sim:` block ends with it;
  - temp_dir: a temporary directory removed at the end of the run;
  - run_cli: run a command (the cpuser CLI) with a minimal environment and
    check that no secret shows on its command line or in its output;
  - main: run the tests under a watchdog, stop every simulator, remove the
    temporary directories and print the closing line "N passed, N failed"
    (CI parses it); the exit status is non-zero when anything failed or
    nothing ran.

Python 3 standard library only.
"""

import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

START_TIMEOUT = 15    # seconds for a simulator to write its port file
CLI_TIMEOUT = 30      # seconds for one CLI run (they take milliseconds)

SIMS = []             # every simulator started, stopped by stop_all()
TEMP_DIRS = []        # removed by cleanup()
_LOCK = threading.Lock()


def temp_dir(prefix):
    """A new temporary directory, removed by cleanup()."""
    path = tempfile.mkdtemp(prefix=prefix)
    with _LOCK:
        TEMP_DIRS.append(path)
    return path


def read_lines(path):
    """The non-empty lines of a text file; [] when it does not exist."""
    try:
        with open(path, encoding="utf-8") as handle:
            return [line for line in handle.read().splitlines() if line]
    except FileNotFoundError:
        return []


class Sim:
    """One simulator subprocess: `script` with --port 0 --port-file DIR/port
    --log DIR/requests.log and `args` (after --host HOST when host is given),
    stdout and stderr into DIR/out.txt. DIR is parent/name, by default
    parent/simN; it must not exist yet."""

    count = 0

    def __init__(self, script, parent, *args, name=None, host=None, timeout=START_TIMEOUT):
        with _LOCK:
            Sim.count += 1
            number = Sim.count
        self.dir = os.path.join(parent, name or "sim%d" % number)
        os.makedirs(self.dir)
        self.port_file = os.path.join(self.dir, "port")
        self.log_path = os.path.join(self.dir, "requests.log")
        self.out_path = os.path.join(self.dir, "out.txt")
        cmd = [sys.executable, script]
        if host is not None:
            cmd += ["--host", host]
        cmd += ["--port", "0", "--port-file", self.port_file, "--log", self.log_path] + list(args)
        with open(self.out_path, "wb") as out:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        with _LOCK:
            SIMS.append(self)
        self.port = self._wait_port(timeout)

    def _wait_port(self, limit):
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("simulator exited (%s): %s" % (self.proc.returncode, self.output()))
            try:
                with open(self.port_file, encoding="ascii") as handle:
                    text = handle.read().strip()
                if text:
                    return int(text)
            except FileNotFoundError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("simulator did not report a port in %.0f s: %s" % (limit, self.output()))

    def output(self):
        """What it printed (stdout and stderr)."""
        try:
            with open(self.out_path, encoding="utf-8", errors="replace") as handle:
                return handle.read()
        except OSError:
            return ""

    def log_lines(self):
        """Its request log: one "METHOD TARGET STATUS" a line."""
        return read_lines(self.log_path)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self, sig=signal.SIGTERM):
        """Stop it (bounded waits); returns the exit status."""
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(sig)
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        return self.proc.returncode


def stop_all():
    with _LOCK:
        sims = list(SIMS)
    for sim in sims:
        try:
            sim.stop()
        except Exception:  # noqa: BLE001 - keep stopping the others
            try:
                sim.proc.kill()
            except OSError:
                pass


def cleanup():
    """Stop every simulator and remove the temporary directories."""
    stop_all()
    with _LOCK:
        dirs = list(TEMP_DIRS)
        del TEMP_DIRS[:]
    for path in dirs:
        shutil.rmtree(path, ignore_errors=True)


def run_cli(cmd, secrets=(), stdin=None, env=None, timeout=CLI_TIMEOUT, seen=None):
    """Run cmd with PATH and LANG=C.UTF-8 (plus env) and `stdin` (bytes or str;
    None: /dev/null) as its input; returns (exit code, stdout, stderr).
    Asserts that no secret is on its command line or in its output; the
    output is appended to the list `seen` when given."""
    joined = " ".join(cmd)
    for s in secrets:
        assert s not in joined, "a secret on the command line"
    full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    full_env.update(env or {})
    data = stdin.encode() if isinstance(stdin, str) else stdin
    p = subprocess.run(cmd, input=data, stdin=subprocess.DEVNULL if data is None else None,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=full_env, timeout=timeout)
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    if seen is not None:
        seen.extend((out, err))
    for s in secrets:
        assert s not in out and s not in err, "a secret in the CLI's output"
    return p.returncode, out, err


def cli_missing(name, cli):
    """True (after cleaning up and printing the closing line of a failed run)
    when the CLI binary is not there: the scripts need `make build/cpuser`."""
    if os.access(cli, os.X_OK):
        return False
    cleanup()
    print("%s: %s is missing; run make build/cpuser first" % (name, cli))
    print("0 passed, 1 failed", flush=True)
    return True


def main(name, cases=None, limit_s=None, cleanup_first=None):
    """Run the TestCase classes `cases` in order (None: every test of the
    __main__ module), with a watchdog of limit_s seconds (None: none) that
    ends the run as "0 passed, 1 failed". cleanup_first() (optional) runs
    before cleanup(), also at exit. Prints "N passed, N failed" last;
    returns the exit status."""
    def finish():
        if cleanup_first is not None:
            cleanup_first()
        cleanup()

    def watchdog():
        sys.stderr.write("\n%s: the run exceeded %d s; stopping everything\n" % (name, limit_s))
        finish()
        print("0 passed, 1 failed", flush=True)
        os._exit(1)

    atexit.register(finish)   # Ctrl-C or a crash: still stop and clean up
    timer = None
    if limit_s is not None:
        timer = threading.Timer(limit_s, watchdog)
        timer.daemon = True
        timer.start()
    started = time.monotonic()
    try:
        loader = unittest.defaultTestLoader
        if cases is None:
            suite = loader.loadTestsFromModule(sys.modules["__main__"])
        else:
            suite = unittest.TestSuite(loader.loadTestsFromTestCase(c) for c in cases)
        result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    finally:
        if timer is not None:
            timer.cancel()
        finish()
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = max(0, result.testsRun - failed - skipped)
    if skipped:
        print("(%d skipped)" % skipped)
    print("%.1f s" % (time.monotonic() - started))
    print("%d passed, %d failed" % (passed, failed), flush=True)
    return 0 if failed == 0 and result.testsRun > 0 else 1
