package io.impflow.testkit.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Reading a child process's log file for failure messages and restart decisions. */
public final class ProcessLog {

    private ProcessLog() {
    }

    /**
     * Returns the last lines of a log, or a note saying why it cannot be read.
     *
     * @param file  the log file
     * @param lines how many lines at most
     * @return the lines joined with newlines
     */
    public static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(the log " + file + " cannot be read: " + e.getMessage() + ")";
        }
    }

    /**
     * Says whether a line of the log contains {@code text}; a log that cannot be read contains nothing.
     *
     * @param file the log file
     * @param text the text to look for, within one line
     * @return whether it occurs
     */
    public static boolean contains(Path file, String text) {
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
            return lines.anyMatch(line -> line.contains(text));
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
    }
}
