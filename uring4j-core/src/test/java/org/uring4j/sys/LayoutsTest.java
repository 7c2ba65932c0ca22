package org.uring4j.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.StructLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The hot-path {@code OFF_*} and {@code *_SIZE} constants of {@link Layouts} equal what the layouts
 * themselves say (the C cross-check then ties the layouts to the headers), and the layouts have
 * the sizes of the x86-64 ABI.
 */
class LayoutsTest {

    /** {@code OFF_SQE_X} is member {@code x} of io_uring_sqe, except where the member is a union's other name. */
    private static final Map<String, String> SQE_ALIASES = Map.of("OP_FLAGS", "rw_flags");

    @Test
    void everyOffsetConstantEqualsItsLayoutOffset() throws IllegalAccessException {
        List<String> checked = new ArrayList<>();
        for (Field f : Layouts.class.getDeclaredFields()) {
            if (!isConstant(f) || !f.getName().startsWith("OFF_")) {
                continue;
            }
            long value = f.getLong(null);
            String rest = f.getName().substring(4);
            long expected;
            if (rest.startsWith("SQE_")) {
                String key = rest.substring(4);
                expected = Layouts.offsetOf(Layouts.IO_URING_SQE,
                        SQE_ALIASES.getOrDefault(key, key.toLowerCase(Locale.ROOT)));
            } else if (rest.startsWith("CQE_")) {
                expected = Layouts.offsetOf(Layouts.IO_URING_CQE, rest.substring(4).toLowerCase(Locale.ROOT));
            } else if (rest.equals("BUF_RING_TAIL")) {
                // io_uring_buf_ring's tail overlays bufs[0].resv.
                expected = Layouts.offsetOf(Layouts.IO_URING_BUF, "resv");
            } else {
                throw new AssertionError("Layouts." + f.getName() + " is not mapped to a layout member in this test");
            }
            assertEquals(expected, value, "Layouts." + f.getName());
            checked.add(f.getName());
        }
        assertTrue(checked.size() >= 17, "too few OFF_* constants found: " + checked);
    }

    @Test
    void entrySizesEqualTheirLayouts() {
        assertEquals(Layouts.IO_URING_SQE.byteSize(), Layouts.SQE_SIZE);
        assertEquals(Layouts.IO_URING_CQE.byteSize(), Layouts.CQE_SIZE);
        assertEquals(64, Layouts.SQE_SIZE);
        assertEquals(16, Layouts.CQE_SIZE);
    }

    @Test
    void everySizeConstantIsChecked() throws IllegalAccessException {
        for (Field f : Layouts.class.getDeclaredFields()) {
            if (isConstant(f) && f.getName().endsWith("_SIZE")) {
                assertTrue(List.of("SQE_SIZE", "CQE_SIZE").contains(f.getName()),
                        "Layouts." + f.getName() + " is new: compare it with its layout in this test");
            }
        }
    }

    @Test
    void layoutsHaveTheAbiSizes() {
        Map<StructLayout, Long> sizes = Map.ofEntries(
                Map.entry(Layouts.IO_URING_SQE, 64L),
                Map.entry(Layouts.IO_URING_CQE, 16L),
                Map.entry(Layouts.IO_SQRING_OFFSETS, 40L),
                Map.entry(Layouts.IO_CQRING_OFFSETS, 40L),
                Map.entry(Layouts.IO_URING_PARAMS, 120L),
                Map.entry(Layouts.OPEN_HOW, 24L),
                Map.entry(Layouts.KERNEL_TIMESPEC, 16L),
                Map.entry(Layouts.STATX, 256L),
                Map.entry(Layouts.IO_URING_GETEVENTS_ARG, 24L),
                Map.entry(Layouts.IO_URING_BUF, 16L),
                Map.entry(Layouts.IO_URING_BUF_REG, 40L),
                Map.entry(Layouts.IO_URING_SYNC_CANCEL_REG, 64L),
                Map.entry(Layouts.IO_URING_PROBE_OP, 8L),
                Map.entry(Layouts.IO_URING_PROBE, 16L),
                Map.entry(Layouts.IO_URING_RESTRICTION, 16L),
                Map.entry(Layouts.IOVEC, 16L),
                Map.entry(Layouts.EPOLL_EVENT, 12L),
                Map.entry(Layouts.SIGINFO, 128L));
        sizes.forEach((layout, size) -> assertEquals(size, layout.byteSize(), layout.name().orElse("?")));
        assertEquals(40, Layouts.offsetOf(Layouts.IO_URING_PARAMS, "sq_off"));
        assertEquals(80, Layouts.offsetOf(Layouts.IO_URING_PARAMS, "cq_off"));
        assertEquals(14, Layouts.OFF_BUF_RING_TAIL);
    }

    @Test
    void everyStructLayoutIsNamedForTheCrossCheck() throws IllegalAccessException {
        for (Field f : Layouts.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == StructLayout.class) {
                StructLayout layout = (StructLayout) f.get(null);
                assertNotNull(layout.name().orElse(null), "Layouts." + f.getName() + " needs its C name");
            }
        }
    }

    private static boolean isConstant(Field f) {
        int m = f.getModifiers();
        return Modifier.isPublic(m) && Modifier.isStatic(m) && Modifier.isFinal(m) && f.getType() == long.class;
    }
}
