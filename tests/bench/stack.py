#!/usr/bin/env python3
"""Worst-case stack of each public call, through the call graph.

Input: the .ci files GCC writes with -fcallgraph-info=su (one per src/*.c,
compiled for the target), the sources (to resolve calls through function
pointers that stay inside the library), the public headers (which functions
are public) and the target's libc/libgcc archives (frames of the few libc
routines src/ calls, read from their disassembly).

A function's worst case is its own frame plus the largest worst case of its
callees. Calls through a function pointer are followed when the pointer can
only hold library functions: the pointer is a struct member (`x->f(...)`),
and every assignment `.f = g` / `->f = g` in src/ names a function g of
src/, or a parameter of the enclosing function, whose arguments at every call
site are followed the same way. A member never assigned in src/ (transport,
platform), or assigned from a parameter of a public function (the caller's
callback or sink), is an external callee: it is not included, and is listed
for each public function that can reach it ("+ callee").

Recursion is detected (strongly connected components of the graph) and
reported; a path never enters a function twice.

usage: stack.py --ci DIR --src DIR --include DIR [--libc A] [--libgcc A]
                [--objdump PROG] [--json OUT]
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys

INDIRECT = "__indirect_call"

# Recursion the sources bound (a path may hold the function this many times):
#  - cpuser_fields_decode / cpuser_fields_encode recurse into a nested object
#    field (CPUSER_FIELD_OBJECT); the users tables nest one level (options,
#    bankDetails), so 2;
#  - table_bits (ampeco_users.c) walks the same tables: 2;
#  - walk (api_error.c) goes one level down ("error": {...}) with top false,
#    which does not recurse again: 2;
#  - cpuser_client_call reaches itself once through an auth provider
#    (provider_token > cpuser_oauth2_fetch > cpuser_client_call_at), which
#    clears the provider for the inner call: 2.
# Any other recursion is reported and counted once.
RECURSION_BOUND = {"cpuser_fields_decode": 2, "cpuser_fields_encode": 2, "table_bits": 2, "walk": 2,
                   "cpuser_client_call": 2}


# ---- the .ci files -----------------------------------------------------------

NODE_RE = re.compile(r'^node: \{ title: "([^"]+)" label: "((?:[^"\\]|\\.)*)"(.*)\}\s*$')
EDGE_RE = re.compile(r'^edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"(?: label: "([^"]*)")? \}\s*$')


def short_name(title):
    """'file.c:name.isra.0' -> 'name'; 'name' -> 'name'."""
    name = title.rsplit(":", 1)[-1]
    return name.split(".", 1)[0]


def read_ci(paths):
    nodes = {}   # title -> {name, file, line, frame, kind}
    externals = set()
    edges = []   # (src title, dst title, call location)
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = NODE_RE.match(line)
                if m:
                    title, label, rest = m.groups()
                    parts = label.split("\\n")
                    if "ellipse" in rest or len(parts) < 3:
                        externals.add(title)
                        continue
                    loc = parts[1].rsplit(":", 2)
                    fm = re.match(r"(\d+) bytes \(([^)]*)\)", parts[2])
                    if not fm:
                        raise SystemExit("stack.py: no frame size in %s: %s" % (path, label))
                    nodes[title] = {"name": short_name(title), "file": loc[0], "line": int(loc[1]),
                                    "frame": int(fm.group(1)), "kind": fm.group(2)}
                    continue
                m = EDGE_RE.match(line)
                if m:
                    edges.append(m.groups())
    return nodes, externals, edges


# ---- sources: function pointers -----------------------------------------------

def split_args(text):
    """Top-level comma split of the text inside a call's parentheses."""
    out, depth, cur = [], 0, []
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        out.append("".join(cur).strip())
    return out


def paren_text(src, open_pos):
    """Text between src[open_pos] == '(' and its matching ')'."""
    depth = 0
    for i in range(open_pos, len(src)):
        if src[i] == "(":
            depth += 1
        elif src[i] == ")":
            depth -= 1
            if depth == 0:
                return src[open_pos + 1:i]
    return src[open_pos + 1:]


def param_name(decl):
    m = re.search(r"\(\s*\*\s*(\w+)\s*\)", decl)   # function pointer parameter
    if m:
        return m.group(1)
    m = re.search(r"(\w+)\s*(\[[^\]]*\])?\s*$", decl)
    return m.group(1) if m else None


class Sources:
    def __init__(self, src_dir, nodes):
        self.text = {}
        for path in sorted(glob.glob(os.path.join(src_dir, "*.[ch]"))):
            with open(path, encoding="utf-8") as f:
                # comments blanked (positions and lines kept)
                self.text[os.path.abspath(path)] = strip_comments(f.read())
        self.nodes = nodes
        # function definitions per file, by line, for "which function is this line in"
        self.defs = {}
        for title, n in nodes.items():
            self.defs.setdefault(os.path.abspath(n["file"]), []).append((n["line"], title))
        for v in self.defs.values():
            v.sort()

    def line_of(self, path, pos):
        return self.text[path].count("\n", 0, pos) + 1

    def enclosing(self, path, line):
        best = None
        for dline, title in self.defs.get(path, []):
            if dline <= line:
                best = title
        return best

    def resolve_name(self, path, name):
        """A function named `name` as seen from file `path`: its static one
        first, else a global one."""
        for title, n in self.nodes.items():
            if n["name"] == name and os.path.abspath(n["file"]) == path and ":" in title:
                return title
        if name in self.nodes:
            return name
        for title, n in self.nodes.items():   # e.g. name.isra.0 / name.constprop.0
            if ":" not in title and short_name(title) == name:
                return title
        return None

    def params(self, title):
        n = self.nodes[title]
        path = os.path.abspath(n["file"])
        if path not in self.text:
            return []
        src = self.text[path]
        lines = src.split("\n")
        start = sum(len(l) + 1 for l in lines[:n["line"] - 1])
        m = re.compile(r"\b%s\s*\(" % re.escape(n["name"])).search(src, start)
        if not m:
            return []
        return [param_name(p) for p in split_args(paren_text(src, m.end() - 1))]

    def call_args(self, callee_name):
        """(file, line, [args]) of every direct call of callee_name in src/."""
        out = []
        pat = re.compile(r"(?<![\w.>])%s\s*\(" % re.escape(callee_name))
        for path, src in self.text.items():
            for m in pat.finditer(src):
                line = self.line_of(path, m.start())
                # skip the definition and prototypes: a call sits inside a function body
                before = src[max(0, m.start() - 40):m.start()]
                if re.search(r"(cpuser_err|void|int|bool|size_t|static|const \w+ \*)\s*$", before):
                    continue
                out.append((path, line, split_args(paren_text(src, m.end() - 1))))
        return out


STRUCT_RE = re.compile(r"typedef\s+struct\s*\w*\s*\{")
FUNC_DEF_RE = re.compile(r"^[A-Za-z_][\w \t\*]*?\b(\w+)\s*\(([^;{}]*)\)\s*\{", re.M)
KEYWORDS = {"const", "struct", "static", "volatile", "unsigned", "signed", "return", "sizeof"}


def strip_comments(text):
    return re.sub(r"/\*.*?\*/|//[^\n]*", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)


def decl_type(decl, name):
    """The base type name in a declaration of `name` ('const cpuser_sink *sink' -> 'cpuser_sink')."""
    head = re.sub(r"\b%s\s*(\[[^\]]*\])?\s*$" % re.escape(name), "", decl.strip())
    words = [w for w in re.findall(r"\w+", head) if w not in KEYWORDS]
    return words[-1] if words else None


class Resolver:
    """Candidates of a call through a struct member, see the module doc.
    Members are told apart by the struct type of the expression before them
    (declared types of parameters and locals, members of typedef'd structs)
    and by the number of arguments."""

    def __init__(self, sources, public, header_texts):
        self.s = sources
        self.public = public
        self.members = {}   # struct -> {member: type or 'fn'}
        self.public_param_types = set()
        for text in list(sources.text.values()) + header_texts:
            self._structs(strip_comments(text))
        for text in header_texts:
            t = strip_comments(text)
            for m in re.finditer(r"\b(cpuser_\w+)\s*\(([^;{}]*)\)\s*;", t):
                if m.group(1) in public:
                    for p in split_args(m.group(2)):
                        n = param_name(p)
                        if n:
                            ty = decl_type(p, n)
                            if ty:
                                self.public_param_types.add(ty)
        self.funcs = {}     # path -> [(start, end, name, params text)]
        for path, text in sources.text.items():
            clean = strip_comments(text)
            defs = [(m.start(), m.group(1), m.group(2)) for m in FUNC_DEF_RE.finditer(clean)
                    if m.group(1) not in ("if", "while", "for", "switch")]
            self.funcs[path] = [(st, defs[i + 1][0] if i + 1 < len(defs) else len(clean), n, ps)
                                for i, (st, n, ps) in enumerate(defs)]

    def _structs(self, text):
        for m in STRUCT_RE.finditer(text):
            body = paren_text(text.replace("{", "(").replace("}", ")"), m.end() - 1)
            after = text[m.end() + len(body):m.end() + len(body) + 80]
            nm = re.match(r"\s*\}\s*(\w+)\s*;", after)
            if not nm:
                continue
            table = self.members.setdefault(nm.group(1), {})
            depth, cur = 0, []
            for ch in body:
                if ch in "({[":
                    depth += 1
                elif ch in ")}]":
                    depth -= 1
                if ch == ";" and depth == 0:
                    self._member("".join(cur), table)
                    cur = []
                else:
                    cur.append(ch)

    @staticmethod
    def _member(decl, table):
        decl = decl.strip()
        fm = re.search(r"\(\s*\*\s*(\w+)\s*\)\s*\(", decl)
        if fm:
            table[fm.group(1)] = "fn"
            return
        parts = decl.split(",")
        base = decl_type(parts[0], (re.findall(r"\w+", parts[0]) or [""])[-1])
        for part in parts:
            names = re.findall(r"(\w+)\s*(?:\[[^\]]*\])?\s*$", part.strip())
            if names and base:
                table[names[0]] = base

    def func_at(self, path, pos):
        for st, en, name, params in self.funcs.get(path, []):
            if st <= pos < en:
                return st, en, name, params
        return None

    def var_type(self, path, pos, var):
        f = self.func_at(path, pos)
        if f is None:
            return None
        st, en, name, params = f
        for p in split_args(params):
            if param_name(p) == var:
                return decl_type(p, var)
        text = strip_comments(self.s.text[path])[st:pos]
        for m in re.finditer(r"([\w \t\*]+?)\b%s\s*(?:[;=,\[)])" % re.escape(var), text):
            ty = decl_type(m.group(1) + var, var)
            if ty and ty not in ("return", "if") and (ty in self.members or ty.endswith("_t")
                                                      or ty in ("int", "char", "bool")):
                return ty
        return None

    def expr_type(self, path, pos, parts):
        """Struct type that the last member of parts[...] belongs to."""
        ty = self.var_type(path, pos, parts[0])
        for member in parts[1:-1]:
            if ty is None:
                return None
            ty = self.members.get(ty, {}).get(member)
        return ty

    def pos_of(self, path, line, col=1):
        lines = self.s.text[path].split("\n")
        return sum(len(l) + 1 for l in lines[:line - 1]) + col - 1

    def call_site(self, path, line, col):
        """(member, struct type, arity, expr, root var) of the call at path:line:col."""
        src = self.s.text[path]
        pos = self.pos_of(path, line, col)
        m = re.compile(r"(\w+(?:\s*(?:->|\.)\s*\w+)*)\s*\(").match(src, pos)
        if not m:
            return None, None, None, src.split("\n")[line - 1].strip(), None
        expr = re.sub(r"\s+", "", m.group(1))
        parts = re.split(r"->|\.", expr)
        arity = len(split_args(paren_text(src, m.end() - 1)))
        return parts[-1], self.expr_type(path, pos, parts), arity, expr, parts[0]

    def from_value(self, path, line, value, seen):
        """Functions (and external markers) a value written at path:line may be."""
        value = value.strip()
        value = re.sub(r"^\(\s*[\w\s\*]+\)\s*", "", value)   # a cast
        value = value.lstrip("&")
        if value in ("NULL", "0", ""):
            return set(), set()
        if not re.match(r"^\w+$", value):
            return set(), {"(unresolved value %s)" % value}
        fn = self.s.resolve_name(path, value)
        if fn is not None:
            return {fn}, set()
        # a parameter of the enclosing function: follow its call sites
        f = self.func_at(path, self.pos_of(path, line))
        if f is None:
            return set(), {"(unresolved %s)" % value}
        name = f[2]
        params = [param_name(p) for p in split_args(f[3])]
        if value not in params:
            return set(), {"(unresolved %s)" % value}
        idx = params.index(value)
        if (name, idx) in seen:
            return set(), set()
        seen.add((name, idx))
        internal, external = set(), set()
        if name in self.public:
            external.add("%s's argument %s (the caller's function)" % (name, value))
        for cpath, cline, args in self.s.call_args(name):
            if idx < len(args):
                i, e = self.from_value(cpath, cline, args[idx], seen)
                internal |= i
                external |= e
        return internal, external

    def member(self, field, struct, arity):
        """found, internal, external for a call through struct.field with arity args."""
        internal, external = set(), set()
        pat = re.compile(r"(\w+(?:\s*(?:->|\.)\s*\w+)*)\s*(?:->|\.)\s*%s\s*=(?!=)\s*([^;,}]+)"
                         % re.escape(field))
        found = False
        for path, src in self.s.text.items():
            for m in pat.finditer(src):
                lhs = re.split(r"->|\.", re.sub(r"\s+", "", m.group(1)))
                lhs_type = self.expr_type(path, m.start(), lhs + [field])
                if struct is not None and lhs_type is not None and lhs_type != struct:
                    continue
                found = True
                i, e = self.from_value(path, self.s.line_of(path, m.start()), m.group(2), set())
                internal |= {t for t in i if len(self.s.params(t)) == arity}
                external |= e
        if struct is not None and struct in self.public_param_types:
            external.add("%s.%s (a caller's %s)" % (struct, field, struct))
            found = True
        return found, internal, external


# ---- libc / libgcc frames from the disassembly ---------------------------------

def libc_frames(archives, objdump, wanted):
    """name -> (frame, [callees]) for the wanted routines, from objdump -d."""
    funcs = {}
    for archive in archives:
        if not archive or not os.path.exists(archive):
            continue
        out = subprocess.run([objdump, "-d", archive], capture_output=True, text=True).stdout
        cur = None
        for line in out.split("\n"):
            m = re.match(r"^[0-9a-f]+ <([\w.$]+)>:$", line)
            if m:
                cur = m.group(1)
                if cur in funcs:      # first definition wins (archive order)
                    cur = None
                else:
                    funcs[cur] = [0, set()]
                continue
            if cur is None or "\t" not in line:
                continue
            ins = line.split("\t")
            if len(ins) < 3:
                continue
            op = ins[2].strip()
            args = ins[3].strip() if len(ins) > 3 else ""
            if op in ("push", "push.w", "stmdb", "stmdb.w", "vpush"):
                if op.startswith("stmdb") and not args.startswith("sp!"):
                    continue
                regs = re.search(r"\{([^}]*)\}", args)
                if regs:
                    count = 0
                    for r in regs.group(1).split(","):
                        r = r.strip()
                        if "-" in r:
                            a, b = r.split("-")
                            count += int(re.sub(r"\D", "", b)) - int(re.sub(r"\D", "", a)) + 1
                        else:
                            count += 1
                    funcs[cur][0] += count * (8 if op == "vpush" and "d" in regs.group(1) else 4)
            elif re.match(r"^sub(\.w|w)?$", op) and re.match(r"^sp,\s*(sp,\s*)?#", args):
                funcs[cur][0] += int(re.search(r"#(\d+)", args).group(1))
            elif op in ("bl", "b.w", "b") and "<" in line:
                t = re.search(r"<([\w.$]+)(\+0x[0-9a-f]+)?>", line)
                if t and not t.group(2) and t.group(1) != cur:
                    funcs[cur][1].add(t.group(1))
    result = {}

    def worst(name, stack):
        if name not in funcs or name in stack:
            return 0, [name]
        best, path = 0, []
        for c in sorted(funcs[name][1]):
            w, p = worst(c, stack | {name})
            if w > best:
                best, path = w, p
        return funcs[name][0] + best, [name] + path

    for name in wanted:
        key = name.replace("__builtin_", "")
        if key in funcs:
            result[name] = worst(key, frozenset())
    return result


# ---- the graph ---------------------------------------------------------------------

def public_functions(include_dir):
    names = set()
    for path in glob.glob(os.path.join(include_dir, "cpuser", "*.h")):
        with open(path, encoding="utf-8") as f:
            text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
        for m in re.finditer(r"^[\w][\w \*]*?\b(cpuser_\w+)\s*\((?!\s*\*)", text, flags=re.M):
            if not text[:m.start()].rstrip().endswith("typedef"):
                names.add(m.group(1))
    return names


def sccs(graph):
    """Tarjan's strongly connected components (iterative)."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph.get(root, ())))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in graph:
                    continue
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(graph.get(w, ()))))
                    advanced = True
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1 or v in graph.get(v, ()):
                    out.append(sorted(comp))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ci", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--include", required=True)
    ap.add_argument("--libc", action="append", default=[])
    ap.add_argument("--objdump", default="arm-none-eabi-objdump")
    ap.add_argument("--json")
    a = ap.parse_args()

    ci_files = sorted(glob.glob(os.path.join(a.ci, "*.ci")))
    if not ci_files:
        raise SystemExit("stack.py: no .ci files in %s" % a.ci)
    nodes, externals, edges = read_ci(ci_files)
    public = public_functions(a.include)
    sources = Sources(a.src, nodes)
    headers = []
    for path in sorted(glob.glob(os.path.join(a.include, "cpuser", "*.h")) +
                       glob.glob(os.path.join(a.src, "*.h"))):
        with open(path, encoding="utf-8") as f:
            headers.append(f.read())
    resolver = Resolver(sources, public, headers)

    graph = {t: set() for t in nodes}
    ext_calls = {t: {} for t in nodes}     # external callee -> root var (or None)
    guarded = {t: {} for t in nodes}       # internal callee -> root var of the pointer
    call_args_at = {}                      # (src, dst) -> [args] per call site
    indirect_sites = []
    member_cache = {}
    unknown_leaves = set()
    for src, dst, loc in edges:
        if src not in nodes:
            continue
        src_params = sources.params(src)
        if dst == INDIRECT:
            path, line, col = loc.rsplit(":", 2)
            path = os.path.abspath(path)
            field, struct, arity, expr, root = resolver.call_site(path, int(line), int(col))
            # the pointer lives in what a parameter points to: dead when that parameter is NULL
            guard = root if root in src_params and "->" in expr else None
            if field is None:
                ext_calls[src]["(call at %s:%s)" % (os.path.basename(path), line)] = None
                continue
            key = (field, struct, arity)
            if key not in member_cache:
                member_cache[key] = resolver.member(field, struct, arity)
            found, internal, external = member_cache[key]
            if not found:
                external = {expr.split("->", 1)[-1].replace("->", ".")}
            for t in internal:
                graph[src].add(t)
                if guard is not None and guarded[src].get(t, guard) == guard:
                    guarded[src][t] = guard
                else:
                    guarded[src][t] = None
            for e in external:
                ext_calls[src][e] = guard if ext_calls[src].get(e, guard) == guard else None
            indirect_sites.append({"at": "%s:%s" % (os.path.relpath(path), line), "call": expr,
                                   "in": nodes[src]["name"], "type": struct,
                                   "followed": sorted(nodes[t]["name"] for t in internal),
                                   "not_included": sorted(external)})
            continue
        target = dst if dst in nodes else sources.resolve_name("", short_name(dst))
        if target is None or target not in nodes:
            graph[src].add(dst)
            unknown_leaves.add(dst)
            continue
        graph[src].add(target)
        guarded[src][target] = None
        # the arguments of this call, for NULL parameters down the path
        path, line, col = loc.rsplit(":", 2) if loc else ("", "0", "0")
        if path and os.path.abspath(path) in sources.text:
            path = os.path.abspath(path)
            text = sources.text[path]
            pos = resolver.pos_of(path, int(line), int(col))
            m = re.compile(r"\w+\s*\(").search(text, pos)
            if m and short_name(target) in text[pos:m.end()]:
                args = split_args(paren_text(text, m.end() - 1))
                call_args_at.setdefault((src, target), []).append(args)

    libc = libc_frames(a.libc, a.objdump, sorted(unknown_leaves))
    missing_leaves = sorted(l for l in unknown_leaves if l not in libc)

    recursion = [[nodes[t]["name"] if t in nodes else t for t in comp] for comp in sccs(graph)]
    recursive = {n for comp in recursion for n in comp}
    dynamic = sorted(n["name"] for n in nodes.values() if n["kind"] != "static")

    def reassigned(t, var):
        """var is assigned inside function t (then a NULL check on entry proves nothing)."""
        n = nodes[t]
        if os.path.abspath(n["file"]) not in sources.text:
            return True
        f = resolver.func_at(os.path.abspath(n["file"]),
                             resolver.pos_of(os.path.abspath(n["file"]), n["line"] + 1))
        if f is None:
            return True
        body = sources.text[os.path.abspath(n["file"])][f[0]:f[1]]
        return re.search(r"(?<![\w>.])%s\s*=(?!=)" % re.escape(var), body) is not None

    def null_params(src, dst, nulls):
        """Parameters of dst that are NULL at every call from src, given src's NULL ones."""
        sites = call_args_at.get((src, dst))
        if not sites:
            return frozenset()
        src_params = sources.params(src)
        null_names = {src_params[i] for i in nulls if i < len(src_params)}
        out = None
        for args in sites:
            here = set()
            for i, arg in enumerate(args):
                arg = arg.strip()
                if arg in ("NULL", "0", "(void *)0") or arg in null_names:
                    here.add(i)
            out = here if out is None else out & here
        return frozenset(out or ())

    memo = {}
    excluded = set()   # functions treated as never called (the variant below)

    def worst(t, depth_on_path, nulls):
        """(bytes, path, external callees reachable) from t, whose parameters
        numbered in nulls are NULL."""
        if t not in nodes:
            if t in libc:
                frame, lpath = libc[t]
                return frame, ["%s [libc]" % p for p in lpath], set()
            return 0, ["%s [unknown frame]" % short_name(t)], {"%s (frame unknown)" % short_name(t)}
        name = nodes[t]["name"]
        if name in excluded:
            return 0, [], set()
        bound = RECURSION_BOUND.get(name, 1)
        if depth_on_path.get(t, 0) >= bound:
            return 0, [], set()
        key = (t, nulls)
        if key in memo and not (recursive & {name}) and not depth_on_path:
            return memo[key]
        params = sources.params(t)
        null_names = {params[i] for i in nulls if i < len(params)}
        for v in list(null_names):
            if reassigned(t, v):
                null_names.discard(v)
        inner = dict(depth_on_path)
        inner[t] = inner.get(t, 0) + 1
        best, best_path = 0, []
        ext = {e for e, g in ext_calls[t].items() if g is None or g not in null_names}
        for c in sorted(graph[t], key=str):
            g = guarded[t].get(c)
            if g is not None and g in null_names:
                continue           # through a pointer in a NULL parameter: never called
            w, pth, e = worst(c, inner, null_params(t, c, nulls) if c in nodes else frozenset())
            ext |= e
            if w > best or not best_path:
                best, best_path = w, pth
        res = (nodes[t]["frame"] + best, [name] + best_path, ext)
        if not depth_on_path:
            memo[key] = res
        return res

    rows = []
    for t in sorted(nodes, key=lambda x: nodes[x]["name"]):
        if ":" in t or nodes[t]["name"] not in public:
            continue
        w, path, ext = worst(t, {}, frozenset())
        rows.append({"function": nodes[t]["name"], "bytes": w, "path": path,
                     "frame": nodes[t]["frame"], "not_included": sorted(ext)})
    rows.sort(key=lambda r: (-r["bytes"], r["function"]))
    # The same without an auth provider (a static token: cpuser_client_config
    # .auth NULL), the case of a board that does not use OAuth2: the nested
    # token request (provider_token > ... > cpuser_client_call) is not taken.
    excluded.add("provider_token")
    memo.clear()
    for r in rows:
        titles = [t for t in nodes if nodes[t]["name"] == r["function"] and ":" not in t]
        r["bytes_static_token"] = worst(titles[0], {}, frozenset())[0] if titles else r["bytes"]
    excluded.clear()
    memo.clear()

    declared = sorted(public - {r["function"] for r in rows})
    print("Worst-case stack per public call, Cortex-M4 -Os (GCC -fcallgraph-info=su, through the call graph)")
    print("%-42s %6s %6s  %s" % ("function", "bytes", "static", "deepest path (own frame in bytes)"))
    for r in rows:
        frames = []
        for name in r["path"]:
            titles = [t for t in nodes if nodes[t]["name"] == name]
            if titles:
                frames.append("%s(%d)" % (name, nodes[titles[0]]["frame"]))
            elif name.endswith("[libc]"):
                base = name.split(" ")[0]
                frames.append("%s(libc)" % base)
            else:
                frames.append(name)
        print("%-42s %6d %6d  %s" % (r["function"], r["bytes"], r["bytes_static_token"],
                                      " > ".join(frames)))
        r["path_frames"] = frames
    print()
    worst_row = rows[0] if rows else None
    if worst_row:
        print("deepest public call: %s, %d bytes" % (worst_row["function"], worst_row["bytes"]))
        st = max(rows, key=lambda r: r["bytes_static_token"])
        print("deepest public call with a static token (no auth provider; column \"static\"): "
              "%s, %d bytes" % (st["function"], st["bytes_static_token"]))
    ext_all = sorted({e for r in rows for e in r["not_included"]})
    print("not included (calls through pointers that leave the library, \"+ callee\"):")
    for e in ext_all:
        users = [r["function"] for r in rows if e in r["not_included"]]
        print("  + %-45s reached from %d public call(s)" % (e, len(users)))
    print("calls through pointers followed inside the library:")
    for s in indirect_sites:
        if s["followed"]:
            print("  %-32s %-28s -> %s" % (s["at"], s["call"], ", ".join(s["followed"])))
    print("libc/libgcc frames (newlib-nano disassembly): " +
          ", ".join("%s %d" % (k.replace("__builtin_", ""), v[0]) for k, v in sorted(libc.items())))
    if missing_leaves:
        print("frames unknown (counted as 0): " + ", ".join(missing_leaves))
    print("recursion: " + ("none" if not recursion else "; ".join(" <-> ".join(c) for c in recursion)))
    if dynamic:
        print("dynamic (not static) frames: " + ", ".join(dynamic))
    if declared:
        print("declared in include/ but not defined in src/ (inline or port functions): " +
              ", ".join(declared))

    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump({"target": "cortex-m4 thumb -Os", "public_calls": rows,
                       "max_bytes": worst_row["bytes"] if worst_row else 0,
                       "max_function": worst_row["function"] if worst_row else None,
                       "not_included": ext_all, "indirect_calls": indirect_sites,
                       "libc_frames": {k: v[0] for k, v in libc.items()},
                       "unknown_frames": missing_leaves, "recursion": recursion,
                       "dynamic_frames": dynamic, "not_in_src": declared}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
