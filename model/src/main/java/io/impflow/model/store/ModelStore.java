package io.impflow.model.store;

import io.impflow.model.artifact.ArtifactException;
import io.impflow.model.artifact.Checksums;
import io.impflow.model.artifact.LoadedArtifact;
import io.impflow.model.artifact.Manifest;
import io.impflow.model.artifact.ModelArtifact;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * A versioned store of model artifacts under a root URI, read and written through Flink's {@link FileSystem}:
 *
 * <pre>
 *   ROOT/latest                        one line: the version id that serves (switched by write-then-rename)
 *   ROOT/versions/VERSION/             one artifact directory per version, never overwritten
 *        manifest.json params.bin checksums.sha256   the artifact, as the trainer wrote it
 *        published-at                  epoch milliseconds of publication (orders versions for retention)
 * </pre>
 *
 * A version's id is the artifact's own version id, a SHA-256 prefix of its content (manifest without the creation
 * time, and parameters), so publishing the same model twice finds it present and changes nothing. A version is copied
 * into a hidden temporary directory and renamed into place, so readers never see a half-written version.
 */
public final class ModelStore {
    /** The directory of versions under the root. */
    public static final String VERSIONS = "versions";
    /** The pointer file under the root. */
    public static final String LATEST = "latest";
    /** The publication-time file inside each version directory. */
    public static final String PUBLISHED_AT = "published-at";

    private static final Pattern VERSION = Pattern.compile("[0-9A-Za-z][0-9A-Za-z._-]{0,63}");
    private static final long MAX_POINTER_BYTES = 256;

    private final URI root;
    private final Path rootPath;
    private final FileSystem fs;
    private final Clock clock;

    private ModelStore(URI root, FileSystem fs, Clock clock) {
        this.root = root;
        this.rootPath = new Path(root);
        this.fs = fs;
        this.clock = clock;
    }

    /**
     * The store at {@code root}: a URI ({@code file:///models}, {@code s3://bucket/models}) or a local path.
     *
     * @throws IOException if no Flink file system serves the URI's scheme (add the plugin) or it is unreachable
     */
    public static ModelStore open(String root) throws IOException {
        return open(ModelLocationPolicy.toUri(root), Clock.systemUTC());
    }

    /** The store at {@code root}, taking publication times from {@code clock}. */
    public static ModelStore open(URI root, Clock clock) throws IOException {
        URI normalized = root.normalize();
        return new ModelStore(normalized, FileSystem.get(normalized), clock);
    }

    /** The root URI. */
    public URI root() {
        return root;
    }

    /**
     * What a publication stored.
     *
     * @param version the version id
     * @param uri the version's directory: what a {@code ModelUpdate} announces
     * @param manifestSha256 SHA-256 of the stored {@code manifest.json}
     * @param featureNames the model's feature names
     * @param added false when the version was already in the store (nothing was written)
     */
    public record Publication(String version, URI uri, String manifestSha256, List<String> featureNames,
                              boolean added) {}

    /**
     * Verifies the local artifact (checksums, bounds, Lipschitz guarantee) and copies it into the store as a new
     * version; an existing version is left as it is. Does not move {@code latest}.
     *
     * @throws ArtifactException if the artifact is refused
     * @throws IOException if the store cannot be written
     */
    public Publication publish(java.nio.file.Path artifactDir) throws ArtifactException, IOException {
        LoadedArtifact loaded = ModelArtifact.read(artifactDir);
        Manifest manifest = loaded.manifest();
        String version = checkVersion(manifest.version());
        Path target = versionPath(version);
        if (fs.exists(target)) {
            return new Publication(version, uri(version), storedManifestSha256(version), manifest.featureNames(),
                    false);
        }
        Path versions = new Path(rootPath, VERSIONS);
        fs.mkdirs(versions);
        Path temp = new Path(versions, "." + version + ".tmp-" + UUID.randomUUID());
        try {
            fs.mkdirs(temp);
            for (ArtifactFiles file : ArtifactFiles.ALL) {
                StoreIo.upload(artifactDir.resolve(file.fileName), fs, new Path(temp, file.fileName), file.maxBytes);
            }
            StoreIo.writeText(fs, new Path(temp, PUBLISHED_AT), Long.toString(clock.millis()));
            if (!fs.rename(temp, target)) {
                if (fs.exists(target)) {
                    // published concurrently by someone else: theirs stays
                    fs.delete(temp, true);
                    return new Publication(version, uri(version), storedManifestSha256(version),
                            manifest.featureNames(), false);
                }
                throw new IOException("cannot rename " + temp + " to " + target);
            }
        } catch (IOException e) {
            deleteQuietly(temp);
            throw e;
        }
        return new Publication(version, uri(version), Checksums.sha256(artifactDir.resolve(ModelArtifact.MANIFEST)),
                manifest.featureNames(), true);
    }

    /** The version {@code latest} points at, if any. */
    public Optional<String> latest() throws IOException {
        Path pointer = new Path(rootPath, LATEST);
        if (!fs.exists(pointer)) {
            return Optional.empty();
        }
        String text = StoreIo.readText(fs, pointer, MAX_POINTER_BYTES).trim();
        if (!VERSION.matcher(text).matches()) {
            throw new IOException(pointer + " holds '" + text + "', not a version id; point it at a stored version"
                    + " again (impflow retrain publishes and points)");
        }
        return Optional.of(text);
    }

    /**
     * Points {@code latest} at a stored version: the new pointer is written to a temporary file and renamed over the
     * old one, so a reader sees the old or the new version, never a partial or missing file. (On file systems whose
     * rename does not replace an existing file, such as HDFS, the old pointer is deleted first, leaving a moment
     * without one.)
     *
     * @throws IOException if the version is not in the store or the pointer cannot be written
     */
    public void setLatest(String version) throws IOException {
        checkVersion(version);
        if (!fs.exists(versionPath(version))) {
            throw new IOException("version " + version + " is not in the store " + root + "; publish it first");
        }
        Path pointer = new Path(rootPath, LATEST);
        Path temp = new Path(rootPath, "." + LATEST + ".tmp-" + UUID.randomUUID());
        StoreIo.writeText(fs, temp, version + "\n");
        if (replaceAtomically(temp, pointer)) {
            return;
        }
        fs.delete(pointer, false);
        if (!fs.rename(temp, pointer)) {
            deleteQuietly(temp);
            throw new IOException("cannot rename " + temp + " to " + pointer);
        }
    }

    /**
     * Renames {@code source} over {@code target} in one step where the file system can: on local disks with
     * rename(2) ({@code ATOMIC_MOVE}; Flink's local rename deletes the target first), elsewhere with the file
     * system's rename, which replaces the target or fails.
     */
    private boolean replaceAtomically(Path source, Path target) throws IOException {
        if (!fs.isDistributedFS() && "file".equals(fs.getUri().getScheme())) {
            java.nio.file.Files.move(java.nio.file.Path.of(source.toUri()), java.nio.file.Path.of(target.toUri()),
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return true;
        }
        return fs.rename(source, target);
    }

    /**
     * A stored version.
     *
     * @param version its id
     * @param uri its directory
     * @param publishedAtMillis when it was published (epoch ms)
     */
    public record StoredVersion(String version, URI uri, long publishedAtMillis) {}

    /** Every stored version, newest first (ties by id, descending); temporary directories are not versions. */
    public List<StoredVersion> versions() throws IOException {
        Path versions = new Path(rootPath, VERSIONS);
        if (!fs.exists(versions)) {
            return List.of();
        }
        List<StoredVersion> out = new ArrayList<>();
        FileStatus[] entries = fs.listStatus(versions);
        for (FileStatus entry : entries == null ? new FileStatus[0] : entries) {
            String name = entry.getPath().getName();
            if (!entry.isDir() || !VERSION.matcher(name).matches()) {
                continue;
            }
            out.add(new StoredVersion(name, uri(name), publishedAt(entry)));
        }
        out.sort(Comparator.comparingLong(StoredVersion::publishedAtMillis).thenComparing(StoredVersion::version)
                .reversed());
        return out;
    }

    /**
     * Deletes all but the {@code keep} newest versions; the version {@code latest} points at is always kept.
     *
     * @return the deleted version ids
     */
    public List<String> retain(int keep) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("--keep must be >= 1, got " + keep);
        }
        String latest = latest().orElse(null);
        List<String> deleted = new ArrayList<>();
        List<StoredVersion> versions = versions();
        for (int i = keep; i < versions.size(); i++) {
            String version = versions.get(i).version();
            if (!version.equals(latest)) {
                fs.delete(versionPath(version), true);
                deleted.add(version);
            }
        }
        return deleted;
    }

    /** The directory URI of a version. */
    public URI uri(String version) {
        return versionPath(version).toUri();
    }

    /** SHA-256 of a stored version's {@code manifest.json}, as a {@code ModelUpdate} announces it. */
    public String storedManifestSha256(String version) throws IOException {
        Path manifest = new Path(versionPath(version), ModelArtifact.MANIFEST);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (var in = fs.open(manifest)) {
            StoreIo.copy(in, bytes, ArtifactFiles.MANIFEST.maxBytes, manifest.toString());
        }
        return Checksums.sha256(bytes.toByteArray());
    }

    private Path versionPath(String version) {
        return new Path(new Path(rootPath, VERSIONS), checkVersion(version));
    }

    private long publishedAt(FileStatus entry) {
        try {
            return Long.parseLong(StoreIo.readText(fs, new Path(entry.getPath(), PUBLISHED_AT), 32).trim());
        } catch (IOException | NumberFormatException e) {
            return entry.getModificationTime();
        }
    }

    private static String checkVersion(String version) {
        if (version == null || !VERSION.matcher(version).matches()) {
            throw new IllegalArgumentException("'" + version + "' is not a model version id (letters, digits, '.',"
                    + " '_' or '-', at most 64, not starting with a dot)");
        }
        return version;
    }

    private void deleteQuietly(Path path) {
        try {
            fs.delete(path, true);
        } catch (IOException | RuntimeException ignored) {
            // best effort: temporary names are hidden and unique, and never taken for versions
        }
    }
}
