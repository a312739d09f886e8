package io.impflow.model.store;

import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which artifact locations may be loaded: those strictly under one of the configured model roots, with that root's
 * scheme and authority, after normalization. A location from a {@code ModelUpdate} is untrusted input; this refuses
 * path traversal ({@code ..}, also percent-encoded), other schemes ({@code http:}), other hosts and buckets, and,
 * for local files, symbolic links that lead out of the root.
 */
public final class ModelLocationPolicy implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Schemes that are never a model root: not file systems, or without integrity of their own. */
    public static final Set<String> NEVER_ROOTS = Set.of("http", "https", "ftp", "jar", "data", "mailto");

    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:.*");

    private final List<URI> roots;

    private ModelLocationPolicy(List<URI> roots) {
        this.roots = List.copyOf(roots);
    }

    /**
     * A policy allowing locations under {@code roots} (URIs or absolute local paths).
     *
     * @throws IllegalArgumentException naming a root that is not an absolute hierarchical URI of a file system
     */
    public static ModelLocationPolicy of(List<String> roots) {
        if (roots.isEmpty()) {
            throw new IllegalArgumentException("--model-root: at least one model root is needed");
        }
        List<URI> normalized = new ArrayList<>();
        for (String root : roots) {
            URI uri;
            try {
                uri = normalize(toUri(root));
            } catch (ModelLocationException | IllegalArgumentException e) {
                throw new IllegalArgumentException("--model-root " + root + ": " + e.getMessage(), e);
            }
            if (NEVER_ROOTS.contains(uri.getScheme())) {
                throw new IllegalArgumentException("--model-root " + root + ": scheme " + uri.getScheme() + " is not a"
                        + " file system; use file://, s3:// or hdfs:// (with the Flink plugin)");
            }
            String path = uri.getPath().endsWith("/") ? uri.getPath() : uri.getPath() + "/";
            normalized.add(withPath(uri, path));
        }
        return new ModelLocationPolicy(normalized);
    }

    /** The roots, normalized, each path ending in {@code /}. */
    public List<URI> roots() {
        return roots;
    }

    /**
     * The normalized URI of {@code location} if it is allowed.
     *
     * @throws ModelLocationException saying why not and which roots are allowed
     */
    public URI check(String location) throws ModelLocationException {
        URI uri = normalize(toUri(location));
        Set<String> schemes = new TreeSet<>();
        for (URI root : roots) {
            schemes.add(root.getScheme());
        }
        if (!schemes.contains(uri.getScheme())) {
            throw new ModelLocationException("model location " + location + " has scheme " + uri.getScheme()
                    + ", which is not allowed (allowed: " + schemes + ", the schemes of the model roots " + roots
                    + ")");
        }
        for (URI root : roots) {
            if (root.getScheme().equals(uri.getScheme()) && sameAuthority(root, uri)
                    && uri.getPath().startsWith(root.getPath()) && uri.getPath().length() > root.getPath().length()) {
                if ("file".equals(uri.getScheme())) {
                    checkNoLinkOut(location, uri, root);
                }
                return uri;
            }
        }
        throw new ModelLocationException("model location " + location + " (normalized: " + uri + ") is outside the"
                + " model roots " + roots + "; publish models under a root, or add one with --model-root");
    }

    /** A location as a URI: itself when it has a scheme, else an absolute local path as a {@code file:} URI. */
    public static URI toUri(String location) throws IllegalArgumentException {
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException("the location is empty");
        }
        if (SCHEME.matcher(location).matches()) {
            return URI.create(location);
        }
        java.nio.file.Path path = java.nio.file.Path.of(location);
        if (!path.isAbsolute()) {
            path = path.toAbsolutePath();
        }
        return path.toUri();
    }

    private static URI normalize(URI uri) throws ModelLocationException {
        if (uri.isOpaque() || uri.getScheme() == null) {
            throw new ModelLocationException("model location " + uri + " is not an absolute hierarchical URI"
                    + " (scheme://authority/path or an absolute path)");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new ModelLocationException("model location " + uri + " has a query or fragment");
        }
        String path = uri.getPath();
        if (path == null || !path.startsWith("/") || path.indexOf('\0') >= 0 || path.indexOf('\\') >= 0) {
            throw new ModelLocationException("model location " + uri + " has no absolute path");
        }
        // normalize the decoded path, so %2e%2e is a '..' like any other
        String normalizedPath;
        try {
            normalizedPath = new URI(null, null, path, null).normalize().getPath();
        } catch (URISyntaxException e) {
            throw new ModelLocationException("model location " + uri + " has an invalid path: " + e.getMessage());
        }
        if (normalizedPath.startsWith("/..") || normalizedPath.contains("/../")) {
            throw new ModelLocationException("model location " + uri + " climbs above the file system root");
        }
        if (normalizedPath.length() > 1 && normalizedPath.endsWith("/")) {
            normalizedPath = normalizedPath.substring(0, normalizedPath.length() - 1);
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        String authority = uri.getAuthority();
        try {
            return new URI(scheme, authority, normalizedPath, null, null);
        } catch (URISyntaxException e) {
            throw new ModelLocationException("model location " + uri + " is not a valid URI: " + e.getMessage());
        }
    }

    private static boolean sameAuthority(URI a, URI b) {
        String x = a.getAuthority() == null ? "" : a.getAuthority().toLowerCase(Locale.ROOT);
        String y = b.getAuthority() == null ? "" : b.getAuthority().toLowerCase(Locale.ROOT);
        return x.equals(y);
    }

    private static URI withPath(URI uri, String path) {
        try {
            return new URI(uri.getScheme(), uri.getAuthority(), path, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** A local location must stay under its root after symbolic links are resolved. */
    private static void checkNoLinkOut(String location, URI uri, URI root) throws ModelLocationException {
        java.nio.file.Path target = java.nio.file.Path.of(uri);
        java.nio.file.Path base = java.nio.file.Path.of(root);
        if (!Files.exists(target) || !Files.exists(base)) {
            return; // nothing to follow; loading will say the artifact is missing
        }
        try {
            java.nio.file.Path realTarget = target.toRealPath();
            java.nio.file.Path realBase = base.toRealPath();
            if (!realTarget.startsWith(realBase) || realTarget.equals(realBase)) {
                throw new ModelLocationException("model location " + location + " resolves through a symbolic link"
                        + " to " + realTarget + ", outside the model root " + realBase);
            }
        } catch (IOException e) {
            throw new ModelLocationException("model location " + location + " cannot be resolved: " + e.getMessage());
        }
    }
}
