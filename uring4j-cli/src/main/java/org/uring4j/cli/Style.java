package org.uring4j.cli;

import java.io.Console;
import java.util.function.Function;

import picocli.CommandLine;

/**
 * Colours for a person at a terminal, and none otherwise: not when stdout is piped or redirected,
 * not for {@code TERM=dumb} or an unset TERM, and not when {@code NO_COLOR} is set.
 */
final class Style {
    /** No escape codes at all. */
    static final Style PLAIN = new Style(false);
    /** ANSI colours. */
    static final Style COLOR = new Style(true);

    private static final String RESET = "\u001b[0m";

    private final boolean color;

    private Style(boolean color) {
        this.color = color;
    }

    /** The style for this process's stdout. */
    static Style detect() {
        return detect(System.console(), System::getenv);
    }

    static Style detect(Console console, Function<String, String> env) {
        // Since JDK 22 System.console() is non-null even when redirected; isTerminal() tells.
        boolean terminal = console != null && console.isTerminal();
        String term = env.apply("TERM");
        boolean wanted = term != null && !term.isEmpty() && !term.equals("dumb") && env.apply("NO_COLOR") == null;
        return terminal && wanted ? COLOR : PLAIN;
    }

    boolean isColor() {
        return color;
    }

    /** The matching setting for picocli's usage help. */
    CommandLine.Help.Ansi ansi() {
        return color ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF;
    }

    String good(String s) {
        return paint("\u001b[32m", s);
    }

    String bad(String s) {
        return paint("\u001b[31m", s);
    }

    String warn(String s) {
        return paint("\u001b[33m", s);
    }

    String bold(String s) {
        return paint("\u001b[1m", s);
    }

    String dim(String s) {
        return paint("\u001b[2m", s);
    }

    private String paint(String code, String s) {
        return color ? code + s + RESET : s;
    }
}
