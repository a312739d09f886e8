package io.impflow.testkit.process;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;

/**
 * The classpath of a child JVM: the jars listed at build time (by {@code maven-dependency-plugin:build-classpath})
 * in a resource of the testkit, never the test JVM's classpath, plus the testkit's own classes for its main class.
 */
public final class ChildClasspath {

    private static final String REBUILD = "./mvnw -B -pl testkit -am install -DskipTests";

    private ChildClasspath() {
    }

    /**
     * Reads the classpath listed in a resource next to {@code anchor} and appends the location of {@code mainClass}.
     *
     * @param anchor    the class whose package holds the resource
     * @param resource  the resource's name, relative to {@code anchor}
     * @param what      what runs on this classpath, for messages (e.g. "Broker", "Flink cluster")
     * @param mainClass the testkit class the child JVM starts with
     * @param failure   makes the exception thrown when the resource or an entry is missing
     * @return the classpath, entries separated by {@link File#pathSeparator}
     */
    public static String fromResource(Class<?> anchor, String resource, String what, Class<?> mainClass,
            ProcessFailure failure) {
        String resourcePath = anchor.getPackageName().replace('.', '/') + "/" + resource;
        String listed;
        try (InputStream in = anchor.getResourceAsStream(resource)) {
            if (in == null) {
                throw failure.create("Resource " + resourcePath + " is missing from the testkit; it is written when"
                        + " the testkit is built: " + REBUILD, null);
            }
            listed = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw failure.create("Could not read resource " + resourcePath + ": " + e.getMessage(), e);
        }
        List<String> entries = new ArrayList<>();
        for (String entry : listed.split(File.pathSeparator)) {
            if (!entry.isBlank() && !Files.exists(Path.of(entry))) {
                throw failure.create(what + " classpath entry " + entry + " (listed in resource " + resourcePath
                        + ") does not exist; rebuild the testkit so Maven downloads it: " + REBUILD, null);
            }
            entries.add(entry);
        }
        entries.add(codeLocation(mainClass, what, failure).toString());
        return String.join(File.pathSeparator, entries);
    }

    private static Path codeLocation(Class<?> mainClass, String what, ProcessFailure failure) {
        CodeSource source = mainClass.getProtectionDomain().getCodeSource();
        String problem = "Cannot locate the testkit classes (jar or directory) to put " + mainClass.getName()
                + " on the " + what + " classpath";
        if (source == null || source.getLocation() == null) {
            throw failure.create(problem + ": the class loader reports no code source", null);
        }
        try {
            return Path.of(source.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw failure.create(problem + ": " + source.getLocation() + " is not a local path", e);
        }
    }
}
