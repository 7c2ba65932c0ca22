package org.uring4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

import picocli.CommandLine.IVersionProvider;

/** What {@code uring4j --version} prints: the uring4j version, the JDK and the kernel. */
final class VersionInfo implements IVersionProvider {
    private static final String RESOURCE = "uring4j.properties";

    @Override
    public String[] getVersion() {
        return new String[] {
            "uring4j " + version(),
            "JDK " + Runtime.version() + " (" + System.getProperty("java.vendor") + ", " + System.getProperty("java.home") + ")",
            "kernel " + System.getProperty("os.name") + " " + HostFacts.kernelRelease() + " " + System.getProperty("os.arch"),
        };
    }

    /** The project version, filled into a resource by the Maven build. */
    static String version() {
        try (InputStream in = VersionInfo.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + RESOURCE, e);
        }
    }
}
