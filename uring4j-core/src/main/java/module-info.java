/**
 * uring4j: Linux io_uring in pure Java. No runtime dependencies; needs native access
 * ({@code --enable-native-access=org.uring4j}).
 */
module org.uring4j {
    exports org.uring4j;
    exports org.uring4j.ring;
    exports org.uring4j.runtime;
    exports org.uring4j.fs;
    exports org.uring4j.nio;
    exports org.uring4j.process;
    exports org.uring4j.net;
}
