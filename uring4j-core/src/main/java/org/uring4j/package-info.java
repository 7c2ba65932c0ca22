/**
 * uring4j: Linux io_uring for Java on the Foreign Function &amp; Memory API.
 *
 * <p>This package holds the vocabulary every layer shares: {@link org.uring4j.UringException}
 * (the errno-carrying failure), {@link org.uring4j.Errno} and
 * {@link org.uring4j.UringUnavailableException}. The raw ring lives in {@link org.uring4j.ring}.
 */
package org.uring4j;
