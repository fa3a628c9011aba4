package io.hexo.build;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lets the native compiler treat the translated program's linear-memory addresses as the C program's
 * pointers they are: 64-bit, no wrap-around. A rewrite of the LLVM IR of app_native.c (clang-16, after
 * inlining and SROA, before the loop passes).
 *
 * <p>wasm2c computes each address in 32 bits ({@code i32 a = p + (i << 3)}) and accesses
 * {@code __hexo_linmem + (u64)a + offset}. Because that {@code i32} add may wrap, clang can neither fold
 * it into the access, nor widen and strength-reduce loop induction variables, nor vectorise: CG's mat-vec
 * ran 9.5 instructions per nonzero against 4.5 native. Here the {@code i32} arithmetic whose only uses are
 * addresses ({@code add}, {@code sub}, {@code shl}/{@code mul} by a constant, and the {@code phi}s of
 * induction variables made of them) is marked {@code nsw}, and the final {@code zext} to 64 bits becomes
 * {@code sext}; the optimiser then does the rest (InstCombine, IndVars, LSR, the loop vectoriser).
 *
 * <p>Why it computes the same addresses: the module's linear memory is at most 2 GiB (checked by the
 * caller), so a valid pointer is below 2^31, and in a C program pointer arithmetic stays inside its
 * object: every intermediate's signed value equals its mathematical value, nothing wraps, and for a
 * valid address {@code sext == zext}. Where a program computes a wild address the result may now differ
 * from wasm's by a multiple of 2^32: the access lands below linear memory or further above it. The
 * program sees linear memory at {@code HEXO_LINMEM_VIEW}, a view of its own (hexo_abi.h
 * HEXO_LINMEM_VIEW) with {@link #GUARD} bytes of unmapped address space on both sides, and a root is only
 * rewritten when the sum of its sign-extended terms (each 32-bit leaf at most 2^31 in size, times its
 * constant scale, plus the offsets) stays within that guard: such an access still faults and is reported
 * as hexo's out-of-bounds trap.
 *
 * <p>The rewrite is textual, on clang-16's IR; every reference to linear memory's base must be of
 * the form {@link #ACCESS}, or the build stops with a sentence (GeneratedPatch's rule).
 */
final class AddressArithmetic {
    /** Unmapped address space below and above the program's view of linear memory: hexo_abi.h HEXO_LINMEM_GUARD. */
    static final long GUARD = 1L << 40;
    /** The largest linear memory (wasm-ld --max-memory) for which the rewrite is sound. */
    static final long MAX_MEMORY = 1L << 31;

    /** Linear memory's view as clang writes FixedLinearMemory's constant base. */
    static final String BASE = "inttoptr (i64 " + io.hexo.vmm.abi.Abi.LINMEM_VIEW + " to ptr)";
    private static final String NAME = "%[-\\w.$]+";
    private static final Pattern DEF = Pattern.compile("^  (" + NAME + ") = (.*)$");
    private static final Pattern USE = Pattern.compile(NAME);
    /** wasm2c's load/store helpers after inlining: linear memory's base plus a 64-bit index. */
    private static final Pattern ACCESS = Pattern.compile("getelementptr inbounds i8, ptr " + Pattern.quote(BASE) + ", i64 (" + NAME + ")");
    /** wasm2c's constant offset, added in 64 bits. */
    private static final Pattern OFFSET = Pattern.compile("^add (nuw )?(nsw )?i64 (" + NAME + "), (-?\\d+)$");
    private static final Pattern ZEXT = Pattern.compile("^zext i32 (" + NAME + ") to i64$");
    private static final Pattern ARITH = Pattern.compile("^(add|sub|shl|mul)( nuw)?( nsw)? i32 (" + NAME + "|-?\\d+), (" + NAME + "|-?\\d+)$");
    private static final Pattern PHI = Pattern.compile("^phi i32 (.*)$");
    /** The i32 operations whose result's known trailing zeros follow from their operands' (disjointOrsAsAdds). */
    private static final Pattern BITS = Pattern.compile("^(add|sub|shl|mul|or|and)( nuw)?( nsw)? i32 (" + NAME + "|-?\\d+), (" + NAME + "|-?\\d+)$");
    private static final Pattern PHI_IN = Pattern.compile("\\[ (" + NAME + "|-?\\d+), %[-\\w.$]+ \\]");
    private static final Pattern INT = Pattern.compile("-?\\d+");
    private static final long I32_SPAN = 1L << 31;
    /** The most terms an access's address is split into (AddressArithmetic.Function#splitAccesses). */
    private static final int MAX_TERMS = 4;

    /** What a rewrite did, for the build's tests and the bench notes. */
    record Result(String ir, int addresses, int rewritten, int marked) {}

    private AddressArithmetic() {}

    static Result rewrite(String ir) throws BuildException {
        String[] lines = ir.split("\n", -1);
        int unknown = 0, addresses = 0, rewritten = 0, marked = 0;
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].startsWith("define ")) continue;
            int end = i;
            while (end < lines.length && !lines[end].equals("}")) end++;
            if (end == lines.length) throw new BuildException("the native compiler's IR of the translated program ends inside a function: "
                    + "is clang other than Debian 12's clang-16? Reinstall it with tools/install.sh");
            Function f = new Function(lines, i + 1, end);
            unknown += f.unknownReferences();
            Function.Counts c = f.rewrite();
            addresses += c.addresses();
            rewritten += c.rewritten();
            marked += c.marked();
            i = end;
        }
        if (unknown > 0) {
            throw new BuildException("AddressArithmetic: " + unknown + " references to " + BASE + " in the native compiler's IR have a form hexo "
                    + "does not know (is clang other than Debian 12's clang-16?): reinstall it with tools/install.sh");
        }
        if (addresses == 0 && ir.contains(BASE)) {
            throw new BuildException("AddressArithmetic: no access to linear memory of the form " + ACCESS.pattern() + " in the native compiler's IR "
                    + "(is clang other than Debian 12's clang-16, or wabt other than 1.0.32?): reinstall them with tools/install.sh");
        }
        return new Result(String.join("\n", lines), addresses, rewritten, marked);
    }

    /** One function's body, lines [from, to) of the module, rewritten in place. */
    private static final class Function {
        record Counts(int addresses, int rewritten, int marked) {}

        private final String[] lines;
        private final int from, to;
        private final Map<String, Integer> defs = new HashMap<>();
        private final Map<String, List<Integer>> users = new HashMap<>();

        Function(String[] lines, int from, int to) {
            this.lines = lines;
            this.from = from;
            this.to = to;
            for (int k = from; k < to; k++) {
                Matcher d = DEF.matcher(lines[k]);
                String rhs = lines[k];
                if (d.matches()) {
                    defs.put(d.group(1), k);
                    rhs = d.group(2);
                }
                Set<String> seen = new HashSet<>();
                Matcher u = USE.matcher(rhs);
                while (u.find()) if (seen.add(u.group())) users.computeIfAbsent(u.group(), x -> new ArrayList<>()).add(k);
            }
        }

        int unknownReferences() {
            int n = 0;
            for (int k = from; k < to; k++) {
                String l = lines[k];
                int all = GeneratedPatch.count(l, BASE);
                if (all == 0) continue;
                int known = 0;
                Matcher m = ACCESS.matcher(l);
                while (m.find()) known++;
                n += all - known;
            }
            return n;
        }

        private String rhs(String name) {
            Integer k = defs.get(name);
            if (k == null) return "";
            Matcher d = DEF.matcher(lines[k]);
            return d.matches() ? d.group(2) : "";
        }

        private String defined(int line) {
            Matcher d = DEF.matcher(lines[line]);
            return d.matches() ? d.group(1) : null;
        }

        Counts rewrite() {
            disjointOrsAsAdds();
            // 64-bit addresses: the index of each access, and what feeds it through constant offsets.
            Set<String> index = new HashSet<>();
            Map<String, String> offsetOf = new HashMap<>(); // offset add -> the value it adds to
            for (int k = from; k < to; k++) {
                Matcher m = ACCESS.matcher(lines[k]);
                while (m.find()) index.add(m.group(1));
            }
            int addresses = index.size();
            Deque<String> work = new ArrayDeque<>(index);
            while (!work.isEmpty()) {
                String n = work.pop();
                Matcher o = OFFSET.matcher(rhs(n));
                if (o.matches() && !offsetOf.containsKey(n)) {
                    offsetOf.put(n, o.group(3));
                    if (index.add(o.group(3))) work.push(o.group(3));
                }
            }
            // Roots: zext i32 -> i64 whose value is only ever an address (through offsets into accesses).
            Map<String, String> roots = new HashMap<>(); // zext -> its i32 operand
            for (String n : index) {
                Matcher z = ZEXT.matcher(rhs(n));
                if (z.matches() && onlyAddresses(n, offsetOf)) roots.put(n, z.group(1));
            }
            Set<String> nsw;
            while (true) {
                nsw = addressOnly(roots);
                Set<String> far = new HashSet<>();
                for (Map.Entry<String, String> r : roots.entrySet()) {
                    long[] span = span(r.getValue(), nsw, 0);
                    long lo = span[0], hi = span[1];
                    for (Map.Entry<String, String> o : offsetOf.entrySet()) {
                        if (!o.getValue().equals(r.getKey())) continue;
                        long c = Long.parseLong(OFFSET.matcher(rhs(o.getKey())).replaceFirst("$4"));
                        lo = Math.min(lo, lo + c);
                        hi = Math.max(hi, hi + c);
                    }
                    if (lo < -GUARD || hi > MAX_MEMORY + GUARD) far.add(r.getKey());
                }
                if (far.isEmpty()) break;
                roots.keySet().removeAll(far);
            }
            for (String z : roots.keySet()) replaceIn(defs.get(z), "= zext i32 ", "= sext i32 ");
            for (Map.Entry<String, String> o : offsetOf.entrySet()) {
                // nuw held for the zero-extended index; a sign-extended one is negative where wasm's address was wild
                if (roots.containsKey(o.getValue())) replaceIn(defs.get(o.getKey()), "= add nuw nsw i64 ", "= add nsw i64 ");
            }
            int marked = 0;
            for (String n : nsw) {
                int k = defs.get(n);
                Matcher a = ARITH.matcher(rhs(n));
                if (a.matches() && a.group(3) == null) {
                    String op = a.group(1) + (a.group(2) == null ? "" : a.group(2));
                    replaceIn(k, "= " + op + " i32 ", "= " + op + " nsw i32 ");
                    marked++;
                }
            }
            splitAccesses(roots, offsetOf, nsw);
            return new Counts(addresses, roots.size(), marked);
        }

        /**
         * Each access through a rewritten root as a chain of GEPs, one per term of its address, the terms defined
         * first (function arguments, values from outside the loop) first, the constant offset last: LICM then
         * hoists the loop-invariant part (linear memory's base plus an array's address: the view's base is a
         * 64-bit constant in a register), and each access is one addressing mode, as in native code. Left as
         * it is when it has more than {@link #MAX_TERMS} terms.
         */
        private void splitAccesses(Map<String, String> roots, Map<String, String> offsetOf, Set<String> nsw) {
            for (int k = from; k < to; k++) {
                Matcher m = ACCESS.matcher(lines[k]);
                if (!m.find() || m.start() == 0 || !lines[k].startsWith("  %")) continue;
                String n = m.group(1);
                long[] constant = {0};
                while (offsetOf.containsKey(n)) {
                    constant[0] += Long.parseLong(OFFSET.matcher(rhs(n)).replaceFirst("$4"));
                    n = offsetOf.get(n);
                }
                if (!roots.containsKey(n)) continue;
                Map<String, Long> terms = new HashMap<>();
                if (!decompose(roots.get(n), 1, nsw, terms, constant, 0) || terms.size() > MAX_TERMS) continue;
                List<String> order = new ArrayList<>(terms.keySet());
                order.removeIf(t -> terms.get(t) == 0);
                order.sort(java.util.Comparator.comparingInt((String t) -> defs.getOrDefault(t, -1)).thenComparing(t -> t));
                StringBuilder pre = new StringBuilder();
                String prev = BASE;
                for (int i = 0; i < order.size(); i++) {
                    String id = "%hexo.a" + k + "." + i, term = id + ".x";
                    pre.append("  ").append(term).append(" = sext i32 ").append(order.get(i)).append(" to i64\n");
                    long scale = terms.get(order.get(i));
                    if (scale != 1) {
                        pre.append("  ").append(id).append(".s = mul nsw i64 ").append(term).append(", ").append(scale).append("\n");
                        term = id + ".s";
                    }
                    pre.append("  ").append(id).append(" = getelementptr inbounds i8, ptr ").append(prev).append(", i64 ").append(term).append("\n");
                    prev = id;
                }
                lines[k] = pre + lines[k].substring(0, m.start()) + "getelementptr inbounds i8, ptr " + prev + ", i64 " + constant[0]
                        + lines[k].substring(m.end());
            }
        }

        /** n times scale as a sum of leaves times constants plus a constant; false if a scale grows implausibly. */
        private boolean decompose(String n, long scale, Set<String> nsw, Map<String, Long> terms, long[] constant, int depth) {
            if (Math.abs(scale) > 1L << 32 || depth > 64) return false;
            if (INT.matcher(n).matches()) {
                constant[0] += Long.parseLong(n) * scale;
                return true;
            }
            Matcher a = ARITH.matcher(rhs(n));
            if (!nsw.contains(n) || !a.matches()) {
                terms.merge(n, scale, Long::sum);
                return true;
            }
            String x = a.group(4), y = a.group(5);
            return switch (a.group(1)) {
                case "add" -> decompose(x, scale, nsw, terms, constant, depth + 1) && decompose(y, scale, nsw, terms, constant, depth + 1);
                case "sub" -> decompose(x, scale, nsw, terms, constant, depth + 1) && decompose(y, -scale, nsw, terms, constant, depth + 1);
                case "shl" -> decompose(x, scale << Long.parseLong(y), nsw, terms, constant, depth + 1);
                default -> decompose(x, scale * Long.parseLong(y), nsw, terms, constant, depth + 1);
            };
        }

        /**
         * {@code or x, C} where the low bits of x that C sets are known to be zero is {@code add x, C}; clang
         * writes such adds as {@code or} (a field of an aligned struct: {@code p | 8}), which would otherwise
         * end the address arithmetic AddressArithmetic can see (FT's butterflies). Known trailing zeros of
         * i32 values, to a fixed point over the function (a phi starts optimistic at 32 and only goes down):
         * constants, add/sub/or (the fewer), and (the more), shl/mul by a constant (added), phis (the fewest).
         */
        private void disjointOrsAsAdds() {
            Map<String, Integer> zeros = new HashMap<>();
            List<String> values = new ArrayList<>();
            for (Map.Entry<String, Integer> d : defs.entrySet()) {
                String r = rhs(d.getKey());
                if (BITS.matcher(r).matches() || PHI.matcher(r).matches()) {
                    zeros.put(d.getKey(), 32);
                    values.add(d.getKey());
                }
            }
            boolean changed = true;
            while (changed) {
                changed = false;
                for (String v : values) {
                    String r = rhs(v);
                    int z;
                    Matcher b = BITS.matcher(r);
                    if (b.matches()) {
                        int x = zerosOf(b.group(4), zeros), y = zerosOf(b.group(5), zeros);
                        z = switch (b.group(1)) {
                            case "and" -> Math.max(x, y);
                            case "shl" -> INT.matcher(b.group(5)).matches() ? Math.min(32, x + (int) Long.parseLong(b.group(5))) : 0;
                            case "mul" -> Math.min(32, x + y);
                            default -> Math.min(x, y);
                        };
                    } else {
                        z = 32;
                        Matcher in = PHI_IN.matcher(r);
                        while (in.find()) z = Math.min(z, zerosOf(in.group(1), zeros));
                    }
                    if (z < zeros.get(v)) {
                        zeros.put(v, z);
                        changed = true;
                    }
                }
            }
            for (String v : values) {
                Matcher b = BITS.matcher(rhs(v));
                if (!b.matches() || !b.group(1).equals("or") || !INT.matcher(b.group(5)).matches()) continue;
                long c = Long.parseLong(b.group(5));
                int z = zerosOf(b.group(4), zeros);
                if (c > 0 && z < 32 && c < 1L << z) replaceIn(defs.get(v), "= or i32 ", "= add i32 ");
            }
        }

        private static int zerosOf(String operand, Map<String, Integer> zeros) {
            if (INT.matcher(operand).matches()) {
                int v = (int) Long.parseLong(operand);
                return v == 0 ? 32 : Integer.numberOfTrailingZeros(v);
            }
            return zeros.getOrDefault(operand, 0);
        }

        /** Every use of n is an access's index or a constant offset added to it whose uses are too. */
        private boolean onlyAddresses(String n, Map<String, String> offsetOf) {
            for (int k : users.getOrDefault(n, List.of())) {
                String u = defined(k);
                if (u != null && offsetOf.containsKey(u)) {
                    if (!onlyAddresses(u, offsetOf)) return false;
                    continue;
                }
                if (!isAccessOnly(lines[k], n)) return false;
            }
            return true;
        }

        /** The line computes an access address from n and uses n nowhere else (a load or store takes the address, not n). */
        private static boolean isAccessOnly(String line, String n) {
            Matcher m = ACCESS.matcher(line);
            if (!m.find() || !m.group(1).equals(n)) return false;
            String rest = line.substring(0, m.start()) + line.substring(m.end());
            Matcher u = USE.matcher(rest);
            while (u.find()) if (u.group().equals(n)) return false;
            return true;
        }

        /**
         * The i32 values that feed the roots and nothing else (the greatest such set): add, sub, shl and mul by
         * a constant, and phis of them (a loop's pointer induction variable).
         */
        private Set<String> addressOnly(Map<String, String> roots) {
            Set<String> set = new HashSet<>();
            Deque<String> work = new ArrayDeque<>(roots.values());
            while (!work.isEmpty()) {
                String n = work.pop();
                if (set.contains(n) || !defs.containsKey(n)) continue;
                String r = rhs(n);
                Matcher a = ARITH.matcher(r);
                Matcher p = PHI.matcher(r);
                if (a.matches()) {
                    if ((a.group(1).equals("shl") || a.group(1).equals("mul")) && !INT.matcher(a.group(5)).matches()) continue;
                    if (a.group(1).equals("shl") && Long.parseLong(a.group(5)) > 30) continue;
                    if (!a.group(1).matches("add|sub") && demandedBitsConstant(a.group(4), scaleBits(a), 0, new HashSet<>())) continue;
                    set.add(n);
                    work.push(a.group(4));
                    work.push(a.group(5));
                } else if (p.matches()) {
                    set.add(n);
                    Matcher in = PHI_IN.matcher(p.group(1));
                    while (in.find()) work.push(in.group(1));
                }
            }
            boolean changed = true;
            while (changed) {
                changed = false;
                for (String n : new ArrayList<>(set)) {
                    for (int k : users.getOrDefault(n, List.of())) {
                        String u = defined(k);
                        if (u != null && (set.contains(u) || roots.containsKey(u))) continue;
                        set.remove(n);
                        changed = true;
                        break;
                    }
                }
            }
            return set;
        }

        /** log2 of a shl's or mul's constant scale, rounded up. */
        private static int scaleBits(Matcher a) {
            long c = Math.abs(Long.parseLong(a.group(5)));
            return a.group(1).equals("shl") ? (int) c : 64 - Long.numberOfLeadingZeros(Math.max(1, c - 1));
        }

        /**
         * Whether x (scaled by 2^bits in wasm's 32-bit arithmetic) may carry a constant that only its low bits
         * make right. InstCombine's demanded-bits simplification rewrites, under a shift or a multiplication
         * whose high bits are lost, {@code (n - 2) * m << 3} as {@code (n + 0x1FFFFFFE) * m << 3}: the same
         * i32, but x no longer has its mathematical value (NPB MG's comm3), so scaling sext(x) instead of
         * sign-extending the scaled i32 would land 2^34 away. Such a constant is at least 2^(32-bits) minus
         * the original; a C program's own constants under a scale are far smaller. Then x * 2^bits stays a
         * leaf, computed in 32 bits and sign-extended, which is right whatever x holds.
         */
        private boolean demandedBitsConstant(String x, int bits, int depth, Set<String> seen) {
            if (INT.matcher(x).matches()) return Math.abs(Long.parseLong(x)) >= 1L << Math.max(8, 30 - bits);
            if (depth > 16 || !seen.add(x) || !defs.containsKey(x)) return false;
            String r = rhs(x);
            Matcher b = BITS.matcher(r);
            if (b.matches()) {
                return demandedBitsConstant(b.group(4), bits, depth + 1, seen) || demandedBitsConstant(b.group(5), bits, depth + 1, seen);
            }
            Matcher p = PHI.matcher(r);
            if (p.matches()) {
                Matcher in = PHI_IN.matcher(p.group(1));
                while (in.find()) if (demandedBitsConstant(in.group(1), bits, depth + 1, seen)) return true;
            }
            return false;
        }

        /**
         * The range of n's mathematical value once its address-only arithmetic no longer wraps: a leaf (a load,
         * an argument, a phi, anything else) is any i32.
         */
        private long[] span(String n, Set<String> nsw, int depth) {
            if (INT.matcher(n).matches()) {
                long v = Long.parseLong(n);
                return new long[] {v, v};
            }
            Matcher a = ARITH.matcher(rhs(n));
            if (!nsw.contains(n) || !a.matches() || depth > 64) return new long[] {-I32_SPAN, I32_SPAN - 1};
            long[] x = span(a.group(4), nsw, depth + 1), y = span(a.group(5), nsw, depth + 1);
            switch (a.group(1)) {
                case "add": return new long[] {sat(x[0] + y[0]), sat(x[1] + y[1])};
                case "sub": return new long[] {sat(x[0] - y[1]), sat(x[1] - y[0])};
                default: {
                    long c = a.group(1).equals("shl") ? 1L << Long.parseLong(a.group(5)) : Long.parseLong(a.group(5));
                    long p = mulSat(x[0], c), q = mulSat(x[1], c);
                    return new long[] {Math.min(p, q), Math.max(p, q)};
                }
            }
        }

        private static long mulSat(long v, long c) {
            long hi = Math.multiplyHigh(v, c), lo = v * c;
            return (hi == 0 && lo >= 0) || (hi == -1 && lo < 0) ? sat(lo) : (hi < 0 ? -(1L << 60) : 1L << 60);
        }

        /** Spans far beyond any guard are just "too far": keep them from overflowing. */
        private static long sat(long v) {
            return Math.max(-(1L << 60), Math.min(1L << 60, v));
        }

        private void replaceIn(int line, String from, String to) {
            lines[line] = lines[line].replaceFirst(Pattern.quote(from), Matcher.quoteReplacement(to));
        }
    }
}
