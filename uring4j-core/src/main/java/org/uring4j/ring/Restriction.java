package org.uring4j.ring;

/**
 * One rule for {@link Ring#registerRestrictions(Restriction...)} ({@code struct io_uring_restriction};
 * {@code io_uring_register_restrictions}): once a disabled ring is enabled, only what the rules allow
 * may be submitted or registered.
 *
 * @param kind  IORING_RESTRICTION_* kind
 * @param value the register opcode, SQE opcode or SQE flags the rule is about
 */
public record Restriction(int kind, int value) {

    /** Allow {@code io_uring_register} opcode {@code registerOp} (IORING_RESTRICTION_REGISTER_OP). */
    public static Restriction allowRegisterOp(int registerOp) {
        return new Restriction(Uapi.IORING_RESTRICTION_REGISTER_OP, registerOp);
    }

    /** Allow submitting {@code op} (IORING_RESTRICTION_SQE_OP). */
    public static Restriction allowOp(Opcode op) {
        return new Restriction(Uapi.IORING_RESTRICTION_SQE_OP, op.code());
    }

    /** Allow these IOSQE_* flags on submissions (IORING_RESTRICTION_SQE_FLAGS_ALLOWED). */
    public static Restriction allowSqeFlags(int flags) {
        return new Restriction(Uapi.IORING_RESTRICTION_SQE_FLAGS_ALLOWED, flags);
    }

    /** Require these IOSQE_* flags on every submission (IORING_RESTRICTION_SQE_FLAGS_REQUIRED). */
    public static Restriction requireSqeFlags(int flags) {
        return new Restriction(Uapi.IORING_RESTRICTION_SQE_FLAGS_REQUIRED, flags);
    }

    public Restriction {
        if (kind < 0 || kind > Uapi.IORING_RESTRICTION_SQE_FLAGS_REQUIRED) {
            throw new IllegalArgumentException("unknown restriction kind " + kind);
        }
        if (value < 0 || value > 0xff) {
            throw new IllegalArgumentException("restriction value must fit a byte: " + value);
        }
    }
}
