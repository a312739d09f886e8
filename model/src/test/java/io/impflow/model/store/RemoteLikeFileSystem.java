package io.impflow.model.store;

import java.io.IOException;
import java.net.URI;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemFactory;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.local.LocalFileSystem;

/**
 * A test file system under the scheme {@code remotefs://} that keeps its files on the local disk but behaves like a
 * distributed one the way the store cares about: it is not {@code file:}, so artifacts are copied before loading,
 * and, like HDFS, its rename does not replace an existing file. Registered for tests through
 * {@code META-INF/services}, the way Flink finds the s3 and hdfs file systems.
 */
public final class RemoteLikeFileSystem extends LocalFileSystem {
    /** The scheme. */
    public static final String SCHEME = "remotefs";

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public boolean isDistributedFS() {
        return true;
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        return !exists(dst) && super.rename(src, dst);
    }

    /** The factory Flink's FileSystem loads through the service loader. */
    public static final class Factory implements FileSystemFactory {
        @Override
        public String getScheme() {
            return SCHEME;
        }

        @Override
        public FileSystem create(URI fsUri) {
            return new RemoteLikeFileSystem();
        }
    }
}
