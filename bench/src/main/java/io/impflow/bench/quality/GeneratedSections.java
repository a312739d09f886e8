package io.impflow.bench.quality;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Replaces marked regions of a markdown document, leaving the hand-written text around them alone. A region is
 * {@code <!-- BEGIN GENERATED: name -->} … {@code <!-- END GENERATED: name -->}; a missing region is appended at the
 * end of the document.
 */
public final class GeneratedSections {

  private GeneratedSections() {}

  /** The opening marker of region {@code name}. */
  public static String begin(String name) {
    return "<!-- BEGIN GENERATED: " + name + " (bench/run-benchmarks.sh rewrites this region) -->";
  }

  /** The closing marker of region {@code name}. */
  public static String end(String name) {
    return "<!-- END GENERATED: " + name + " -->";
  }

  /** {@code document} with region {@code name} holding {@code content}. */
  public static String replace(String document, String name, String content) {
    String begin = begin(name);
    String end = end(name);
    String body = begin + "\n" + content.strip() + "\n" + end;
    int from = document.indexOf(begin);
    int to = document.indexOf(end);
    if (from < 0 || to < from) {
      String separator = document.isEmpty() || document.endsWith("\n\n") ? "" : document.endsWith("\n") ? "\n" : "\n\n";
      return document + separator + body + "\n";
    }
    return document.substring(0, from) + body + document.substring(to + end.length());
  }

  /**
   * Rewrites one region from the command line, for benchmarks that print markdown: {@code DOC NAME FILE} puts the
   * content of FILE into region NAME of DOC.
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 3) {
      System.err.println("usage: GeneratedSections DOC.md REGION CONTENT_FILE");
      System.exit(2);
    }
    replaceInFile(Path.of(args[0]), args[1], Files.readString(Path.of(args[2]), StandardCharsets.UTF_8));
  }

  /** Rewrites region {@code name} of the file at {@code path} (created when absent), atomically. */
  public static void replaceInFile(Path path, String name, String content) throws IOException {
    String document = Files.exists(path) ? Files.readString(path, StandardCharsets.UTF_8) : "";
    Path parent = path.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path temp = Files.createTempFile(parent, path.getFileName().toString(), ".tmp");
    Files.writeString(temp, replace(document, name, content), StandardCharsets.UTF_8);
    Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
