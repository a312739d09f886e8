package io.impflow.model.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code checksums.sha256} file of an artifact, in {@code sha256sum} format ("hex  name" per line). */
public final class Checksums {
    /** File name inside the artifact directory. */
    public static final String FILE_NAME = "checksums.sha256";

    private Checksums() {
    }

    /** Lowercase hex SHA-256 of bytes. */
    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    /** Lowercase hex SHA-256 of a file's content. */
    public static String sha256(Path file) throws IOException {
        MessageDigest md = digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            int read;
            while ((read = in.read(buffer)) > 0) {
                md.update(buffer, 0, read);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Writes the checksum file for the named files of a directory. */
    public static void write(Path dir, List<String> fileNames) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String name : fileNames) {
            sb.append(sha256(dir.resolve(name))).append("  ").append(name).append('\n');
        }
        Files.writeString(dir.resolve(FILE_NAME), sb.toString(), StandardCharsets.UTF_8);
    }

    /**
     * Verifies every file listed in the checksum file and that the required files are listed.
     *
     * @param dir artifact directory
     * @param required file names that must be listed
     * @throws ArtifactException MISSING_FILE, MALFORMED or CHECKSUM_MISMATCH naming the file
     */
    public static void verify(Path dir, List<String> required) throws ArtifactException {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new ArtifactException(ArtifactException.Kind.MISSING_FILE, file,
                    "checksum file missing; this is not a complete model artifact (re-export it with the trainer)");
        }
        Map<String, String> expected = new LinkedHashMap<>();
        try {
            ManifestLimits.checkFileSize(file, Files.size(file), ManifestLimits.MAX_CHECKSUM_FILE_BYTES);
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isBlank()) {
                    continue;
                }
                int sep = line.indexOf("  ");
                if (sep != 64 || !line.substring(0, 64).matches("[0-9a-f]{64}")) {
                    throw new ArtifactException(ArtifactException.Kind.MALFORMED, file,
                            "line " + (i + 1) + " is not '<64 hex digits>  <file name>': " + line);
                }
                expected.put(line.substring(sep + 2), line.substring(0, 64));
            }
        } catch (IOException e) {
            throw new ArtifactException(ArtifactException.Kind.IO, file, "cannot read: " + e.getMessage(), e);
        }
        for (String name : required) {
            if (!expected.containsKey(name)) {
                throw new ArtifactException(ArtifactException.Kind.MALFORMED, file, "does not list " + name);
            }
        }
        for (Map.Entry<String, String> e : expected.entrySet()) {
            Path listed = dir.resolve(e.getKey());
            if (!listed.normalize().startsWith(dir.normalize()) || !Files.isRegularFile(listed)) {
                throw new ArtifactException(ArtifactException.Kind.MISSING_FILE, listed,
                        "listed in " + FILE_NAME + " but missing");
            }
            String actual;
            try {
                actual = sha256(listed);
            } catch (IOException ex) {
                throw new ArtifactException(ArtifactException.Kind.IO, listed, "cannot read: " + ex.getMessage(), ex);
            }
            if (!actual.equals(e.getValue())) {
                throw new ArtifactException(ArtifactException.Kind.CHECKSUM_MISMATCH, listed,
                        "SHA-256 is " + actual + " but " + FILE_NAME + " says " + e.getValue()
                                + "; the file is corrupt or was edited (restore or re-export the artifact)");
            }
        }
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256", e);
        }
    }
}
