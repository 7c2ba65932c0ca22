package org.uring4j.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.ring.Uapi;

/**
 * Cross-checks the Java side of the ABI against the C headers installed on this machine: every
 * {@code public static final} int/long of {@link Uapi} (its field names are the C names) and the
 * size, member offsets and member sizes of every {@link StructLayout} in {@link Layouts}.
 *
 * <p>A C program printing one {@code index value} line per check is compiled with gcc. The system
 * headers are older than the ABI the library targets (linux-libc-dev / liburing-dev of Linux 6.1
 * versus 6.18), so names they lack are expected: the lines gcc rejects as undeclared or as a
 * missing member are dropped and the program is recompiled, and the names dropped are reported,
 * not failed. Every value the headers do have must match, except the named, documented
 * differences in {@link #HEADER_VERSION_DIFFERENCES} and {@link #LIBC_DIFFERENCES}.
 */
class UapiCrossCheckTest {
    private static final Path IO_URING_H = Path.of("/usr/include/linux/io_uring.h");

    private static final String HEADERS = """
            #define _GNU_SOURCE
            #include <stddef.h>
            #include <stdio.h>
            #include <fcntl.h>
            #include <poll.h>
            #include <signal.h>
            #include <sys/stat.h>
            #include <sys/socket.h>
            #include <sys/uio.h>
            #include <sys/wait.h>
            #include <sys/epoll.h>
            #include <sys/eventfd.h>
            #include <sys/mman.h>
            #include <sys/xattr.h>
            #include <netinet/in.h>
            #include <linux/falloc.h>
            #include <linux/futex.h>
            #include <linux/openat2.h>
            #include <linux/stat.h>
            #include <linux/version.h>
            #if __has_include(<linux/io_uring.h>)
            #include <linux/io_uring.h>
            #endif
            #define P(i, v) printf("%d %lld\\n", (i), (long long) (v))
            """;

    /** Java constants that are no C name of their own, with the C expression that defines them. */
    private static final Map<String, String> C_EXPRESSIONS = Map.of(
            // The kernel's _NSIG is 64 signals; glibc's _NSIG (65) also counts signal 0.
            "NSIG_BYTES", "((_NSIG - 1) / 8)");

    /**
     * Values that changed between the Linux 6.1 headers installed here and the 6.18 ABI the library
     * implements: label -> the value the 6.1 header has. A difference is accepted only if the header
     * has exactly this old value; newer headers simply match the Java side.
     */
    private static final Map<String, Long> HEADER_VERSION_DIFFERENCES = Map.of(
            // 6.1 ends at IORING_OP_SENDMSG_ZC (48); 6.7..6.16 added ops 49..62.
            "IORING_OP_LAST", 49L,
            // 6.1 ends at IORING_REGISTER_FILE_ALLOC_RANGE (25); 6.8..6.18 added opcodes 26..35.
            "IORING_REGISTER_LAST", 26L,
            // 6.1 has __u64 pad[4] at 32; 6.6 split it into __u8 opcode @32, __u8 pad[7] @33, __u64 pad2[3] @40.
            "offsetof(struct io_uring_sync_cancel_reg, pad)", 32L,
            "sizeof(((struct io_uring_sync_cancel_reg *) 0)->pad)", 32L);

    /**
     * Names that glibc defines differently from the kernel's uapi headers; the kernel's value is
     * what io_uring sees. Label -> glibc's value.
     */
    private static final Map<String, Long> LIBC_DIFFERENCES = Map.of(
            // glibc defines O_LARGEFILE as 0 on 64-bit (large files are implied); the kernel's
            // asm-generic/fcntl.h value 0100000 is what it ORs into io_uring's open flags.
            "O_LARGEFILE", 0L);

    /** gcc's words for "the headers do not declare this": the only errors that drop a line. */
    private static final Pattern MISSING = Pattern.compile(
            "undeclared|has no member named|incomplete type|undefined type|unknown type name");
    private static final Pattern ERROR_LINE = Pattern.compile("^[^:\\s]*cross\\.c:(\\d+):\\d+: (?:fatal )?error: (.*)$");

    private static String gcc;

    @TempDir
    Path dir;

    /** One value the Java side claims: {@code label} in messages, {@code cExpr} for gcc. */
    private record Check(String label, String cExpr, long javaValue, boolean int32) {
    }

    private record Outcome(int checked, int matched, List<String> accepted, List<String> lacking,
                           List<String> mismatches, String headerVersion) {
    }

    @BeforeAll
    static void findGcc() {
        for (String candidate : new String[] {"/usr/bin/gcc", "/usr/local/bin/gcc", "/usr/bin/cc"}) {
            if (Files.isExecutable(Path.of(candidate))) {
                gcc = candidate;
                return;
            }
        }
    }

    @Test
    void ioUringConstantsAndStructsMatchTheSystemHeader() throws Exception {
        assumeTrue(gcc != null, "no C compiler (gcc) on this machine: nothing to cross-check against");
        assumeTrue(Files.exists(IO_URING_H), IO_URING_H + " is missing (install linux-libc-dev or liburing-dev)");
        Outcome o = crossCheck("io_uring", UapiCrossCheckTest::isIoUringName, UapiCrossCheckTest::isIoUringStruct);
        assertNoMismatches(o);
        for (String core : List.of("IORING_OP_NOP", "IORING_OP_SENDMSG_ZC", "IORING_SETUP_SQPOLL",
                "sizeof(struct io_uring_sqe)", "offsetof(struct io_uring_sqe, user_data)",
                "sizeof(struct io_uring_cqe)", "offsetof(struct io_uring_params, sq_off.array)",
                "offsetof(struct io_uring_params, cq_off.cqes)")) {
            assertFalse(o.lacking().contains(core), "every io_uring.h since 6.1 declares " + core
                    + ": dropping it means the generated C program is wrong");
        }
    }

    @Test
    void posixConstantsAndStructsMatchTheSystemHeaders() throws Exception {
        assumeTrue(gcc != null, "no C compiler (gcc) on this machine: nothing to cross-check against");
        Outcome o = crossCheck("posix", n -> !isIoUringName(n), s -> !isIoUringStruct(s));
        assertNoMismatches(o);
        for (String core : List.of("O_CREAT", "AT_FDCWD", "STATX_BASIC_STATS", "POLLIN", "AF_INET", "EPOLL_CTL_ADD",
                "sizeof(struct statx)", "offsetof(struct statx, stx_mtime.tv_nsec)", "sizeof(struct open_how)",
                "sizeof(siginfo_t)", "offsetof(siginfo_t, si_status)", "sizeof(struct epoll_event)",
                "offsetof(struct msghdr, msg_flags)")) {
            assertFalse(o.lacking().contains(core), "the system headers declare " + core
                    + ": dropping it means the generated C program is wrong");
        }
    }

    private static void assertNoMismatches(Outcome o) {
        assertTrue(o.checked() > 0, "nothing was checked");
        assertTrue(o.mismatches().isEmpty(), o.mismatches().size() + " values differ from the system headers:\n  "
                + String.join("\n  ", o.mismatches()));
        assertEquals(o.checked(), o.matched() + o.accepted().size());
    }

    static boolean isIoUringName(String name) {
        return name.startsWith("IORING_") || name.startsWith("IOSQE_") || name.startsWith("IO_URING_")
                || name.startsWith("IOU_") || name.startsWith("IO_WQ_") || name.startsWith("SOCKET_URING_")
                || name.equals("SPLICE_F_FD_IN_FIXED");
    }

    static boolean isIoUringStruct(String layoutName) {
        return layoutName.startsWith("io_uring_") || layoutName.startsWith("io_sqring_")
                || layoutName.startsWith("io_cqring_");
    }

    // ------------------------------------------------------------------ what the Java side claims

    private static List<Check> constants(Predicate<String> names) throws IllegalAccessException {
        List<Check> out = new ArrayList<>();
        for (Field f : Uapi.class.getDeclaredFields()) {
            int m = f.getModifiers();
            if (!Modifier.isPublic(m) || !Modifier.isStatic(m) || !Modifier.isFinal(m) || !names.test(f.getName())) {
                continue;
            }
            String cExpr = C_EXPRESSIONS.getOrDefault(f.getName(), f.getName());
            if (f.getType() == int.class) {
                out.add(new Check(f.getName(), cExpr, f.getInt(null), true));
            } else if (f.getType() == long.class) {
                out.add(new Check(f.getName(), cExpr, f.getLong(null), false));
            }
        }
        return out;
    }

    private static List<Check> structs(Predicate<String> layoutNames) throws IllegalAccessException {
        List<Check> out = new ArrayList<>();
        for (Field f : Layouts.class.getDeclaredFields()) {
            int m = f.getModifiers();
            if (!Modifier.isPublic(m) || !Modifier.isStatic(m) || f.getType() != StructLayout.class) {
                continue;
            }
            StructLayout layout = (StructLayout) f.get(null);
            String name = layout.name().orElseThrow(() -> new AssertionError("Layouts." + f.getName() + " has no name"));
            if (!layoutNames.test(name)) {
                continue;
            }
            // A *_t name is a typedef (siginfo_t); everything else is a struct tag.
            String type = name.endsWith("_t") ? name : "struct " + name;
            String size = "sizeof(" + type + ")";
            out.add(new Check(size, size, layout.byteSize(), false));
            members(out, type, layout, layout, new ArrayList<>(), "");
        }
        return out;
    }

    /** offsetof and sizeof of every named member, descending into nested structs (params.sq_off.head). */
    private static void members(List<Check> out, String type, StructLayout top, GroupLayout group,
                                List<PathElement> path, String prefix) {
        for (MemoryLayout member : group.memberLayouts()) {
            if (member instanceof PaddingLayout || member.name().isEmpty()) {
                continue;
            }
            String cPath = prefix + member.name().get();
            List<PathElement> p = new ArrayList<>(path);
            p.add(PathElement.groupElement(member.name().get()));
            String off = "offsetof(" + type + ", " + cPath + ")";
            out.add(new Check(off, off, top.byteOffset(p.toArray(PathElement[]::new)), false));
            String size = "sizeof(((" + type + " *) 0)->" + cPath + ")";
            out.add(new Check(size, size, member.byteSize(), false));
            if (member instanceof GroupLayout nested) {
                members(out, type, top, nested, p, cPath + ".");
            }
        }
    }

    // ------------------------------------------------------------------ what the C headers say

    private Outcome crossCheck(String what, Predicate<String> constantNames, Predicate<String> structNames)
            throws Exception {
        List<Check> checks = new ArrayList<>(constants(constantNames));
        checks.addAll(structs(structNames));
        assertFalse(checks.isEmpty(), "no " + what + " constants or layouts found by reflection");

        Map<Integer, Check> live = new LinkedHashMap<>();
        for (int i = 0; i < checks.size(); i++) {
            live.put(i, checks.get(i));
        }
        TreeSet<String> lacking = new TreeSet<>();
        Path source = dir.resolve("cross.c");
        Path binary = dir.resolve("cross-" + what);
        for (int round = 0; ; round++) {
            assertTrue(round < 10, "gcc kept rejecting the generated program after " + round + " rounds");
            Map<Integer, Integer> indexByLine = writeProgram(source, live);
            ProcessResult r = run(List.of(gcc, "-std=gnu11", "-w", "-fmax-errors=0", "-fno-diagnostics-show-caret",
                    "-o", binary.toString(), source.toString()));
            if (r.exit() == 0) {
                break;
            }
            TreeSet<Integer> drop = new TreeSet<>();
            List<String> unexpected = new ArrayList<>();
            for (String line : r.output().split("\n")) {
                Matcher m = ERROR_LINE.matcher(line);
                if (!m.matches()) {
                    continue;
                }
                Integer index = indexByLine.get(Integer.parseInt(m.group(1)));
                if (index != null && MISSING.matcher(m.group(2)).find()) {
                    drop.add(index);
                } else {
                    unexpected.add(line);
                }
            }
            if (!unexpected.isEmpty() || drop.isEmpty()) {
                fail("gcc failed on the generated program for a reason other than a missing name:\n"
                        + String.join("\n", unexpected.isEmpty() ? List.of(r.output()) : unexpected)
                        + "\n--- program:\n" + Files.readString(source));
            }
            for (int index : drop) {
                lacking.add(live.remove(index).label());
            }
        }

        ProcessResult r = run(List.of(binary.toString()));
        assertEquals(0, r.exit(), "the cross-check program failed:\n" + r.output());
        Map<Integer, Long> values = new HashMap<>();
        String headerVersion = "unknown";
        for (String line : r.output().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.trim().split(" ");
            int index = Integer.parseInt(parts[0]);
            long value = Long.parseLong(parts[1]);
            if (index < 0) {
                headerVersion = (value >> 16) + "." + ((value >> 8) & 0xff);
            } else {
                values.put(index, value);
            }
        }

        int matched = 0;
        List<String> accepted = new ArrayList<>();
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<Integer, Check> e : live.entrySet()) {
            Check c = e.getValue();
            Long cValue = values.get(e.getKey());
            assertTrue(cValue != null, "no value printed for " + c.label());
            if (same(c, cValue)) {
                matched++;
            } else if (Long.valueOf(cValue).equals(HEADER_VERSION_DIFFERENCES.get(c.label()))) {
                accepted.add(c.label() + " (headers " + headerVersion + ": " + cValue + ", 6.18: " + c.javaValue() + ")");
            } else if (Long.valueOf(cValue).equals(LIBC_DIFFERENCES.get(c.label()))) {
                accepted.add(c.label() + " (glibc: " + cValue + ", kernel: " + c.javaValue() + ")");
            } else {
                mismatches.add(c.label() + ": C says " + cValue + " (0x" + Long.toHexString(cValue) + "), Java says "
                        + c.javaValue() + " (0x" + Long.toHexString(c.javaValue()) + ")");
            }
        }
        Outcome o = new Outcome(live.size(), matched, accepted, List.copyOf(lacking), mismatches, headerVersion);
        System.out.printf("UapiCrossCheck[%s] against Linux %s headers: %d of %d Java values checked, %d matched, "
                        + "%d known differences accepted %s, %d mismatched; %d absent from these headers: %s%n",
                what, headerVersion, o.checked(), checks.size(), matched, accepted.size(), accepted,
                mismatches.size(), lacking.size(), lacking);
        return o;
    }

    /** Whether the C value equals the Java one; an int must also fit 32 bits (signed or unsigned) in C. */
    private static boolean same(Check c, long cValue) {
        if (c.int32()) {
            return cValue >= Integer.MIN_VALUE && cValue <= 0xffff_ffffL && (int) cValue == (int) c.javaValue();
        }
        return cValue == c.javaValue();
    }

    /** Writes one P(index, expr) line per live check; returns source line -> check index. */
    private static Map<Integer, Integer> writeProgram(Path source, Map<Integer, Check> live) throws IOException {
        StringBuilder sb = new StringBuilder(HEADERS);
        sb.append("int main(void) {\n");
        sb.append("#ifdef LINUX_VERSION_CODE\nP(-1, LINUX_VERSION_CODE);\n#endif\n");
        int line = (int) sb.chars().filter(ch -> ch == '\n').count();
        Map<Integer, Integer> indexByLine = new HashMap<>();
        for (Map.Entry<Integer, Check> e : live.entrySet()) {
            line++;
            sb.append("P(").append(e.getKey()).append(", ").append(e.getValue().cExpr()).append(");\n");
            indexByLine.put(line, e.getKey());
        }
        sb.append("return 0;\n}\n");
        Files.writeString(source, sb.toString(), StandardCharsets.UTF_8);
        return indexByLine;
    }

    private record ProcessResult(int exit, String output) {
    }

    private ProcessResult run(List<String> command) throws IOException, InterruptedException {
        Path log = Files.createTempFile(dir, "out", ".txt");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail(command.getFirst() + " did not finish in 120 s");
        }
        return new ProcessResult(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
