package io.impflow.demo;

import java.nio.file.Path;
import java.util.List;

/**
 * What a finished demo run hands back.
 *
 * @param summary the figures
 * @param reportDirectory where the report was written
 * @param reportFiles the files of the report
 * @param drift the figures of the lifecycle steps, or null without {@code --drift}
 */
public record DemoResult(DemoSummary summary, Path reportDirectory, List<Path> reportFiles, DriftSummary drift) {}
