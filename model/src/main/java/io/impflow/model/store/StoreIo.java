package io.impflow.model.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/** Bounded copies between Flink file systems and the local disk, shared by the store and the artifact fetcher. */
final class StoreIo {
    private static final int BUFFER = 1 << 16;

    private StoreIo() {
    }

    /** Copies {@code in} to {@code out}, failing once more than {@code maxBytes} arrive ({@code what} names it). */
    static long copy(InputStream in, OutputStream out, long maxBytes, String what) throws IOException {
        byte[] buffer = new byte[BUFFER];
        long total = 0;
        int read;
        while ((read = in.read(buffer)) > 0) {
            total += read;
            if (total > maxBytes) {
                throw new IOException(what + " is larger than " + maxBytes + " bytes, the most a model artifact file"
                        + " may have; it is not copied");
            }
            out.write(buffer, 0, read);
        }
        return total;
    }

    /** Copies a file of {@code fs} to a local file, refusing one whose status says it is too large. */
    static void download(FileSystem fs, Path source, java.nio.file.Path target, long maxBytes) throws IOException {
        FileStatus status = fs.getFileStatus(source);
        if (status.isDir() || status.getLen() > maxBytes) {
            throw new IOException(source + " is " + (status.isDir() ? "a directory" : status.getLen() + " bytes")
                    + "; a model artifact file is a file of at most " + maxBytes + " bytes");
        }
        try (FSDataInputStream in = fs.open(source);
             OutputStream out = java.nio.file.Files.newOutputStream(target)) {
            copy(in, out, maxBytes, source.toString());
        }
    }

    /** Copies a local file to a new file of {@code fs} (never overwriting one). */
    static void upload(java.nio.file.Path source, FileSystem fs, Path target, long maxBytes) throws IOException {
        try (InputStream in = java.nio.file.Files.newInputStream(source);
             FSDataOutputStream out = fs.create(target, FileSystem.WriteMode.NO_OVERWRITE)) {
            copy(in, out, maxBytes, source.toString());
        }
    }

    /** Writes a small UTF-8 text as a new file of {@code fs}. */
    static void writeText(FileSystem fs, Path target, String text) throws IOException {
        try (FSDataOutputStream out = fs.create(target, FileSystem.WriteMode.NO_OVERWRITE)) {
            out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** Reads a small UTF-8 text file of {@code fs}, at most {@code maxBytes}. */
    static String readText(FileSystem fs, Path source, long maxBytes) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (FSDataInputStream in = fs.open(source)) {
            copy(in, out, maxBytes, source.toString());
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
