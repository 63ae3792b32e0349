#!/usr/bin/env python3
"""make bench, the measuring part: RAM and instructions, then the summary.

Expects what tests/bench/bench.mk built under build/bench/: stack.json (from
stack.py), sizes_m4.o (and sizes_tls_m4.o when mbedTLS's headers were
there), minbuf, insn_cpuser and insn_curl. Prints the tables and writes
everything to build/bench.json. Figures are printed, never judged.
"""
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join("build", "bench")
OPS = ("read", "list", "create")
N = {"read": 200, "list": 10, "create": 200}
FIXTURE = {op: os.path.join(HERE, "fixtures", op + ".http") for op in OPS}
# the POSIX port's functions src/ reaches through its tables (port/posix)
PORT_FUNCS = ("tcp_send", "tcp_recv", "tcp_connect", "tcp_close", "platform_now_ms",
              "platform_sleep_ms", "platform_random")


def sizes(obj, nm):
    out = {}
    if not os.path.exists(obj):
        return out
    text = subprocess.run([nm, "-S", obj], capture_output=True, text=True, check=True).stdout
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[3].startswith("bench_sizeof_"):
            out[parts[3][len("bench_sizeof_"):]] = int(parts[1], 16)
    return out


def callgrind_total(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
    raise SystemExit("bench: no total in %s" % path)


def inclusive(path):
    """function name -> inclusive Ir (largest entry of that name)."""
    text = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", path],
                          capture_output=True, text=True).stdout
    out = {}
    for line in text.splitlines():
        m = re.match(r"^\s*([\d,]+)\s+\([^)]*\)\s+(\S+?):(\S+)", line)
        if m:
            name = m.group(3).split(".")[0]
            out[name] = max(out.get(name, 0), int(m.group(1).replace(",", "")))
    return out


def exclusive_top(path, count):
    text = subprocess.run(["callgrind_annotate", "--threshold=100", path],
                          capture_output=True, text=True).stdout
    rows = []
    for line in text.splitlines():
        m = re.match(r"^\s*([\d,]+)\s+\([^)]*\)\s+(\S+?):(\S+)", line)
        if m and "PROGRAM" not in line:
            rows.append((int(m.group(1).replace(",", "")), m.group(3),
                         os.path.basename(m.group(2))))
    return rows[:count]


def start_replay():
    port_file = os.path.join(OUT, "replay.port")
    if os.path.exists(port_file):
        os.unlink(port_file)
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "replay.py"), "--port-file",
                             port_file], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        if os.path.exists(port_file):
            with open(port_file) as f:
                txt = f.read().strip()
            if txt:
                return proc, txt
        time.sleep(0.05)
    proc.terminate()
    raise SystemExit("bench: the replay server did not start")


def run_callgrind(prog, port, op, n):
    out = os.path.join(OUT, "callgrind.%s.%s" % (os.path.basename(prog), op))
    r = subprocess.run(["valgrind", "--tool=callgrind", "--collect-atstart=no",
                        "--callgrind-out-file=" + out, prog, port, op, str(n)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stdout + r.stderr)
        raise SystemExit("bench: %s %s failed under callgrind" % (prog, op))
    return out


def main():
    t0 = time.time()
    os.makedirs(OUT, exist_ok=True)
    result = {"generated_by": "make bench (tests/bench/bench.mk)"}

    # ---- stack (computed by stack.py, already printed) -------------------------
    stack_json = os.path.join(OUT, "stack.json")
    if os.path.exists(stack_json):
        with open(stack_json) as f:
            result["stack"] = json.load(f)

    # ---- RAM ----------------------------------------------------------------------
    nm = "arm-none-eabi-nm"
    m4 = sizes(os.path.join(OUT, "sizes_m4.o"), nm)
    m4.update(sizes(os.path.join(OUT, "sizes_tls_m4.o"), nm))
    mb = subprocess.run([os.path.join(OUT, "minbuf"), os.path.join(OUT, "sim")],
                        capture_output=True, text=True)
    if mb.returncode != 0:
        sys.stderr.write(mb.stderr)
        raise SystemExit("bench: minbuf failed")
    minbuf = {}
    for line in mb.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "minbuf":
            minbuf[parts[1]] = int(parts[2])
    fixture_len = {op: os.path.getsize(FIXTURE[op]) for op in OPS}
    result["ram"] = {"sizeof_cortex_m4": m4, "min_working_buffer": minbuf}
    print()
    print("RAM (sizes: arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os, read with arm-none-eabi-nm -S;")
    print("     working buffer: smallest that succeeds against the simulator, binary search, host)")
    print("%-62s %8s" % ("what", "bytes"))
    for name in ("cpuser_client", "cpuser_json", "cpuser_result", "cpuser_user", "cpuser_page",
                 "cpuser_user_fields", "cpuser_tls"):
        if name in m4:
            extra = ""
            if name == "cpuser_json":
                extra = " (inside cpuser_client)"
            elif name == "cpuser_result":
                extra = " (inside cpuser_client)"
            elif name == "cpuser_tls":
                extra = " (small-RAM mbedTLS config; + mbedTLS heap)"
            print("%-62s %8d" % ("sizeof(%s) on Cortex-M4%s" % (name, extra), m4[name]))
    labels = {"read": "working buffer: read (user 39, 1,083 B response)",
              "create": "working buffer: create (201, ~989 B response)",
              "list": "working buffer: list, one page of 100 users",
              "listall": "working buffer: list all (100 users, 7/page)"}
    for op in ("read", "create", "list", "listall"):
        if op in minbuf:
            print("%-62s %8d" % (labels[op], minbuf[op]))
    if "cpuser_client" in m4 and minbuf:
        total = m4["cpuser_client"] + max(minbuf.values())
        print("%-62s %8d" % ("client + largest buffer above", total))
        result["ram"]["client_plus_largest_buffer"] = total

    # ---- instructions ----------------------------------------------------------------
    replay, port = start_replay()
    insn = {}
    try:
        for op in OPS:
            insn[op] = {}
            for prog in ("insn_cpuser", "insn_curl"):
                path = run_callgrind(os.path.join(OUT, prog), port, op, N[op])
                total = callgrind_total(path)
                entry = {"n": N[op], "total_ir": total, "per_op": total / N[op],
                         "per_byte": total / N[op] / fixture_len[op],
                         "response_bytes": fixture_len[op]}
                if prog == "insn_cpuser":
                    inc = inclusive(path)
                    port_ir = sum(inc.get(f, 0) for f in PORT_FUNCS)
                    harness = inc.get("on_user", 0)
                    entry["port_per_op"] = port_ir / N[op]
                    entry["src_per_op"] = (total - port_ir - harness) / N[op]
                    entry["src_per_byte"] = entry["src_per_op"] / fixture_len[op]
                    entry["top_self"] = [{"ir_per_op": ir / N[op], "function": fn, "file": fl}
                                         for ir, fn, fl in exclusive_top(path, 8)]
                insn[op][prog] = entry
    finally:
        replay.terminate()
        replay.wait(timeout=10)
    result["instructions"] = insn
    print()
    print("Instructions per operation (valgrind --tool=callgrind, x86-64 host, gcc -O2; the N operations")
    print("of the loop only, one kept-alive connection, recorded responses from tests/bench/fixtures/")
    print("replayed byte for byte by tests/bench/replay.py; user-space instructions, the kernel not counted)")
    print("%-7s %8s %4s %13s %9s %13s %9s %7s" % ("op", "resp B", "N", "cpuser/op", "cpuser/B",
                                                  "curl+cJSON/op", "curl/B", "ratio"))
    for op in OPS:
        c, r = insn[op]["insn_cpuser"], insn[op]["insn_curl"]
        ratio = r["per_op"] / c["per_op"]
        insn[op]["ratio_curl_over_cpuser"] = ratio
        print("%-7s %8d %4d %13.0f %9.1f %13.0f %9.1f %6.2fx" % (
            op, fixture_len[op], N[op], c["per_op"], c["per_byte"], r["per_op"], r["per_byte"], ratio))
    print("(ratio: libcurl+cJSON instructions / cpuser instructions; above 1 means cpuser uses fewer)")
    print()
    print("cpuser split (callgrind inclusive costs): src/ (build, parse, decode, incl. the libc")
    print("memcpy/memmove it calls) versus the POSIX port (tcp_send/tcp_recv/platform_now_ms and the")
    print("libc socket wrappers below them)")
    print("%-7s %13s %9s %13s" % ("op", "src/ per op", "src/ /B", "port per op"))
    for op in OPS:
        c = insn[op]["insn_cpuser"]
        print("%-7s %13.0f %9.1f %13.0f" % (op, c["src_per_op"], c["src_per_byte"], c["port_per_op"]))
    print()
    for op in ("read", "list"):
        print("cpuser %s: the functions with the most own instructions (per operation)" % op)
        for row in insn[op]["insn_cpuser"]["top_self"]:
            print("  %11.0f  %s (%s)" % (row["ir_per_op"], row["function"], row["file"]))

    # ---- against the issue's targets ---------------------------------------------------
    targets = []
    if "stack" in result:
        s = result["stack"]
        targets.append(("worst-case stack of any public call <= 1024 B (Cortex-M4)",
                        "%d B (%s)" % (s["max_bytes"], s["max_function"]), s["max_bytes"] <= 1024))
    for op in ("read", "list"):
        c = insn[op]["insn_cpuser"]
        targets.append(("%s <= 25 instructions per response byte" % op,
                        "%.1f" % c["per_byte"], c["per_byte"] <= 25.0))
        targets.append(("%s >= 5x fewer instructions than libcurl+cJSON" % op,
                        "%.2fx" % insn[op]["ratio_curl_over_cpuser"],
                        insn[op]["ratio_curl_over_cpuser"] >= 5.0))
    result["targets"] = [{"target": t, "figure": f, "met": m} for t, f, m in targets]
    print()
    print("Against the issue's targets (figures, not a test)")
    for t, f, m in targets:
        print("  %-52s %-30s %s" % (t, f, "met" if m else "NOT met"))
    result["wall_seconds_measuring"] = round(time.time() - t0, 1)
    with open(os.path.join("build", "bench.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)
    print()
    print("bench: written build/bench.json (measuring took %.0f s)" % (time.time() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
