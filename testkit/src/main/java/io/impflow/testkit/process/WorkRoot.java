package io.impflow.testkit.process;

import java.nio.file.Path;

/** The directory under which a harness creates its per-instance directory: the module's {@code target/}. */
public final class WorkRoot {

    private WorkRoot() {
    }

    /**
     * Returns the directory named by the system property {@code overrideProperty}, else {@code target/} of the
     * module under test (Surefire and failsafe set {@code basedir}; elsewhere the working directory stands in).
     *
     * @param overrideProperty the system property that moves the work root
     * @return the work root, not necessarily existing yet
     */
    public static Path resolve(String overrideProperty) {
        String configured = System.getProperty(overrideProperty);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "target");
    }
}
