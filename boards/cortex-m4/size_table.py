#!/usr/bin/env python3
"""size_table.py: the size table of the boards/cortex-m4 images.

    size_table.py --tool PREFIX --json OUT.json --cpu KEY=TITLE [...] DIR

For each --cpu KEY, reads DIR/KEY/{empty,read,all}.elf and their .map
(GNU ld -Map) and prints, per image:
  - each cpuser object (src/*.c, from DIR/KEY/libcpuser.a) as linked: the
    input sections the link map puts into the image, so what --gc-sections
    dropped is not counted;
  - the other contributors grouped: the application, the stubs, the
    startup, the C library, libgcc, alignment fill;
  - the image as PREFIX-size reports it, and the image minus the empty one.
text is every allocated read-only section (code, read-only data, vector
table: flash), data the initialised writable ones (flash and RAM), bss the
zeroed ones (RAM), as Berkeley `size` counts them; the sections' kinds come
from PREFIX-objdump -h. Writes everything to OUT.json.

Zero heap: fails (exit 1) when any image defines or references malloc,
free, calloc, realloc, their _r variants, _sbrk, strdup or strndup
(PREFIX-nm).
"""
import argparse
import json
import os
import re
import subprocess
import sys

IMAGES = [("read", "read one user"), ("all", "every users operation")]
HEAP = re.compile(r"^(_?(malloc|free|calloc|realloc)(_r)?|_sbrk(_r)?|strn?dup)$")
GROUPS = [
    ("app", "application (app_*.c, all_ops.c)"),
    ("stubs", "transport + platform stubs (stubs.c)"),
    ("startup", "startup, vector table / crt0"),
    ("libc", "C library (newlib-nano / picolibc)"),
    ("libgcc", "libgcc"),
    ("fill", "alignment fill"),
]


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def section_kinds(tool, elf):
    """Output section name -> 'text' | 'data' | 'bss' (allocated ones)."""
    kinds = {}
    lines = run([tool + "-objdump", "-h", elf]).splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^\s*\d+\s+(\S+)\s+[0-9a-f]+\s", line)
        if not m or i + 1 >= len(lines):
            continue
        flags = lines[i + 1]
        if "ALLOC" not in flags:
            continue
        if "READONLY" in flags or "CODE" in flags:
            kinds[m.group(1)] = "text"
        elif "CONTENTS" in flags:
            kinds[m.group(1)] = "data"
        else:
            kinds[m.group(1)] = "bss"
    return kinds


def image_size(tool, elf):
    out = run([tool + "-size", elf]).splitlines()[1].split()
    return {"text": int(out[0]), "data": int(out[1]), "bss": int(out[2])}


def contributions(mapfile, kinds):
    """(file, kind, size) of every input section placed in an allocated
    output section, from a GNU ld map."""
    out = []
    with open(mapfile, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    try:
        start = lines.index("Linker script and memory map")
    except ValueError:
        sys.exit("size_table: no memory map in " + mapfile)
    hexnum = re.compile(r"^0x[0-9a-fA-F]+$")
    cur = None
    pending = None
    for line in lines[start + 1:]:
        if not line.strip():
            continue
        if not line[0].isspace():
            name = line.split()[0]
            cur = kinds.get(name)
            pending = None
            continue
        if cur is None:
            continue
        parts = line.split()
        if line.startswith(" ") and not line.startswith("  "):
            if parts[0] == "*fill*":
                if len(parts) >= 3 and hexnum.match(parts[2]):
                    out.append(("*fill*", cur, int(parts[2], 16)))
                continue
            if parts[0].startswith("*") or parts[0].startswith("["):
                continue  # an input section pattern of the script
            if len(parts) >= 4 and hexnum.match(parts[1]) and hexnum.match(parts[2]):
                out.append((" ".join(parts[3:]), cur, int(parts[2], 16)))
                pending = None
            elif len(parts) == 1:
                pending = parts[0]
            continue
        if pending is not None and len(parts) >= 3 and hexnum.match(parts[0]) \
                and hexnum.match(parts[1]):
            out.append((" ".join(parts[2:]), cur, int(parts[1], 16)))
            pending = None
    return out


def classify(path):
    """(group, name) of a contributing file."""
    m = re.search(r"libcpuser\.a\((.+)\)$", path)
    if m:
        return "cpuser", m.group(1)
    if path == "*fill*":
        return "fill", "fill"
    m = re.search(r"(lib[^/()]*)\.a\((.+)\)$", path)
    if m:
        lib, member = m.group(1), m.group(2)
        if lib == "libgcc":
            return "libgcc", member
        return "libc", member
    base = os.path.basename(path)
    if base in ("startup.o",) or base.startswith("crt"):
        return "startup", base
    if base == "stubs.o":
        return "stubs", base
    return "app", base


def zero():
    return {"text": 0, "data": 0, "bss": 0}


def add(a, kind, n):
    a[kind] += n


def analyse(tool, elf):
    kinds = section_kinds(tool, elf)
    objects, groups, members = {}, {g: zero() for g, _ in GROUPS}, set()
    groups["cpuser"] = zero()
    for path, kind, size in contributions(elf[:-4] + ".map", kinds):
        group, name = classify(path)
        add(groups[group], kind, size)
        if group == "cpuser":
            add(objects.setdefault(name, zero()), kind, size)
        elif group == "libc":
            members.add(re.sub(r"^lib_a-|^libc_[a-z_]*-|\.o$|\.c\.o$", "", name))
    size = image_size(tool, elf)
    counted = zero()
    for g in groups.values():
        for k in counted:
            counted[k] += g[k]
    return {"size": size, "objects": objects, "groups": groups,
            "libc_members": sorted(members), "unattributed": {k: size[k] - counted[k] for k in size}}


def heap_symbols(tool, elf):
    found = []
    for line in run([tool + "-nm", elf]).splitlines():
        parts = line.split()
        if parts and HEAP.match(parts[-1]):
            found.append(parts[-1])
    return found


def fmt(t):
    return "%7d %6d %6d" % (t["text"], t["data"], t["bss"])


def table(key, title, images):
    cols = [k for k, _ in IMAGES]
    width = 40
    print()
    print(title)
    print("%-*s" % (width, "") + "".join("  %-21s" % dict(IMAGES)[c][:21] for c in cols))
    print("%-*s" % (width, "object / part") + "  " + "  ".join("%7s %6s %6s" % ("text", "data", "bss") for _ in cols))
    names = sorted({n for c in cols for n in images[c]["objects"]},
                   key=lambda n: -images["all"]["objects"].get(n, zero())["text"])
    for n in names:
        print("%-*s" % (width, "  " + n) + "  " + "  ".join(fmt(images[c]["objects"].get(n, zero())) for c in cols))
    print("%-*s" % (width, "cpuser, the library's own (src/*.o)") + "  " + "  ".join(fmt(images[c]["groups"]["cpuser"]) for c in cols))
    for g, label in GROUPS:
        print("%-*s" % (width, label) + "  " + "  ".join(fmt(images[c]["groups"][g]) for c in cols))
    print("%-*s" % (width, "image (size)") + "  " + "  ".join(fmt(images[c]["size"]) for c in cols))
    print("%-*s" % (width, "empty image (size)") + "  " + "  ".join(fmt(images["empty"]["size"]) for c in cols))
    print("%-*s" % (width, "image - empty") + "  " + "  ".join(fmt(images[c]["minus_empty"]) for c in cols))
    for c in cols:
        print("C library members in %s.elf: %s" % (c, ", ".join(images[c]["libc_members"]) or "none"))
    for c in cols + ["empty"]:
        u = images[c]["unattributed"]
        if u["text"] < 0 and u["data"] == 0 and u["bss"] == 0:
            print("note: %s.elf: the linker merged %d bytes of duplicate strings (SHF_MERGE) that the"
                  " per-object rows count before merging" % (c, -u["text"]))
        elif any(u.values()):
            print("note: %s.elf: %s not attributed to an input section" % (c, fmt(u).strip()))


STACK_ROWS = [
    ("cpuser", "cpuser core (src/*.o)"),
    ("cpuser_tls", "cpuser TLS port (port/mbedtls/tls.c)"),
    ("shim", "lwIP raw-API shim (full/lwip_raw.c)"),
    ("lwip", "lwIP 2.1 (core, IPv4, TCP, UDP, DNS, DHCP, ARP)"),
    ("mbedtls", "mbedTLS 2.28 (small-RAM config)"),
    ("app", "app + board (all_ops, app_stack, board, startup)"),
    ("libc", "newlib-nano"),
    ("libgcc", "libgcc"),
    ("fill", "alignment fill"),
]


def stack_group(path):
    if re.search(r"liblwip\.a\(", path):
        return "lwip"
    if re.search(r"libmbedtls_small\.a\(", path):
        return "mbedtls"
    base = os.path.basename(path)
    if base == "tls.o":
        return "cpuser_tls"
    if base == "lwip_raw.o":
        return "shim"
    group, _ = classify(path)
    return "app" if group in ("stubs", "startup") else group


def stack_bill(tool, elf, out_json, title):
    kinds = section_kinds(tool, elf)
    rows = {g: zero() for g, _ in STACK_ROWS}
    members = {"lwip": {}, "mbedtls": {}}
    for path, kind, size in contributions(elf[:-4] + ".map", kinds):
        g = stack_group(path)
        add(rows[g], kind, size)
        if g in members:
            m = re.search(r"\((.+)\)$", path).group(1)
            members[g][m] = members[g].get(m, 0) + (size if kind == "text" else 0)
    size = image_size(tool, elf)
    own = zero()
    for g in ("cpuser", "cpuser_tls", "shim"):
        for k in own:
            own[k] += rows[g][k]
    width = 52
    print()
    print(title)
    print("%-*s  %7s %6s %6s" % (width, "part", "text", "data", "bss"))
    for g, label in STACK_ROWS:
        print("%-*s  %s" % (width, label, fmt(rows[g])))
        if g == "shim":
            print("%-*s  %s" % (width, "= cpuser's own (core + TLS port + shim)", fmt(own)))
    print("%-*s  %s" % (width, "total: the image (size)", fmt(size)))
    for g in ("lwip", "mbedtls"):
        top = sorted(members[g].items(), key=lambda kv: -kv[1])[:6]
        print("largest %s objects (text): %s" % (g, ", ".join("%s %d" % kv for kv in top)))
    heap = heap_symbols(tool, elf)
    report = {"title": title, "rows": rows, "cpusers_own": own, "image": size,
              "members_text": members, "heap_symbols": heap}
    with open(out_json, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1, sort_keys=True)
        f.write("\n")
    print("written: " + out_json)
    if heap:
        print("zero heap: FAILED: " + ", ".join(heap))
        sys.exit(1)
    print("zero heap: no malloc/free/calloc/realloc (nor _r variants, _sbrk, strdup) in %s (%s-nm);"
          " mbedTLS allocates inside its static buffer, lwIP from its static pools" % (elf, tool))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stack")
    ap.add_argument("--tool", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--cpu", action="append", required=True)
    ap.add_argument("dir", nargs="?")
    args = ap.parse_args()
    if args.stack:
        stack_bill(args.tool, args.stack, args.json, args.cpu[0].split("=", 1)[1])
        return

    report, heap = {}, []
    for spec in args.cpu:
        key, title = spec.split("=", 1)
        images = {}
        for img in ["empty"] + [k for k, _ in IMAGES]:
            elf = os.path.join(args.dir, key, img + ".elf")
            images[img] = analyse(args.tool, elf)
            for s in heap_symbols(args.tool, elf):
                heap.append("%s: %s" % (elf, s))
        for img, _ in IMAGES:
            images[img]["minus_empty"] = {k: images[img]["size"][k] - images["empty"]["size"][k]
                                          for k in ("text", "data", "bss")}
        report[key] = {"title": title, "images": images}
        table(key, title, images)

    report["heap_symbols"] = heap
    os.makedirs(os.path.dirname(args.json) or ".", exist_ok=True)
    with open(args.json, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1, sort_keys=True)
        f.write("\n")
    print()
    print("written: " + args.json)
    if heap:
        print("zero heap: FAILED, heap symbols in the images:")
        for h in heap:
            print("  " + h)
        sys.exit(1)
    print("zero heap: no malloc/free/calloc/realloc (nor _r variants, _sbrk, strdup) in any image (%s-nm)"
          % args.tool)


if __name__ == "__main__":
    main()
