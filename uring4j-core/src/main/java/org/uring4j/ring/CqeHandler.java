package org.uring4j.ring;

/**
 * Receives completions from {@link Ring#forEachCqe(CqeHandler)} without any object per entry.
 */
@FunctionalInterface
public interface CqeHandler {
    /** One completion: {@code user_data}, {@code res} and {@code flags} of the CQE. */
    void accept(long userData, int res, int flags);
}
