package io.impflow.testkit.flink;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few calls of Flink's REST API that a test needs: upload a job jar and run it with program arguments (what
 * {@code flink run} does), watch the job's state and checkpoints, stop it with a savepoint or cancel it, and list the
 * registered TaskManagers.
 *
 * <p>Responses are read with a few patterns rather than a JSON library, so the testkit adds no JSON dependency to
 * its users; a response without the expected field fails with the whole response quoted.
 */
public final class FlinkRestClient {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);
    private static final Pattern TASK_MANAGER_ID = Pattern.compile("\\{\"id\":\"([^\"]+)\"");

    private final URI base;
    private final Supplier<String> logHint;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    FlinkRestClient(URI base, Supplier<String> logHint) {
        this.base = base;
        this.logHint = logHint;
    }

    /**
     * Returns the REST endpoint, e.g. {@code http://127.0.0.1:40123}.
     *
     * @return the base URI of the REST API
     */
    public URI address() {
        return base;
    }

    /**
     * Uploads a job jar ({@code POST /jars/upload}), as {@code flink run} does before running it.
     *
     * @param jar the job jar
     * @return the jar id under which the cluster keeps it
     * @throws FlinkClusterException if the jar cannot be read or the cluster refuses it
     */
    public String uploadJar(Path jar) {
        String boundary = "impflow-" + UUID.randomUUID();
        byte[] content;
        try {
            content = Files.readAllBytes(jar);
        } catch (IOException e) {
            throw new FlinkClusterException("Cannot read the job jar " + jar.toAbsolutePath() + ": " + e.getMessage()
                    + "; build it first (mvn package)", e);
        }
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        BodyPublisher body = BodyPublishers.ofByteArrays(List.of(head.getBytes(StandardCharsets.UTF_8), content,
                tail.getBytes(StandardCharsets.UTF_8)));
        String response = send(HttpRequest.newBuilder(base.resolve("/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary).POST(body), "uploading " + jar);
        String stored = stringField(response, "filename", "POST /jars/upload");
        return stored.substring(stored.lastIndexOf('/') + 1);
    }

    /**
     * Runs the main class of an uploaded jar with program arguments ({@code POST /jars/:jarid/run}); the main method
     * runs in the JobManager and submits its job.
     *
     * @param jarId       the id {@link #uploadJar} returned
     * @param entryClass  the class whose {@code main} builds the job
     * @param programArgs the arguments of {@code main}
     * @return the id of the submitted job
     * @throws FlinkClusterException if the main method fails or submits no job; the message quotes the cluster's
     *                               answer
     */
    public String runJar(String jarId, String entryClass, List<String> programArgs) {
        List<String> quoted = new ArrayList<>();
        for (String arg : programArgs) {
            quoted.add(jsonString(arg));
        }
        String json = "{\"entryClass\":" + jsonString(entryClass) + ",\"programArgsList\":["
                + String.join(",", quoted) + "]}";
        String response = send(HttpRequest.newBuilder(base.resolve("/jars/" + jarId + "/run"))
                .header("Content-Type", "application/json").POST(BodyPublishers.ofString(json)),
                "running " + entryClass + " from jar " + jarId);
        return stringField(response, "jobid", "POST /jars/" + jarId + "/run");
    }

    /**
     * Returns the job's state ({@code GET /jobs/:jobid}), e.g. {@code RUNNING}, {@code RESTARTING}, {@code FAILED}.
     *
     * @param jobId the job
     * @return the state's name
     */
    public String jobState(String jobId) {
        return stringField(get("/jobs/" + jobId), "state", "GET /jobs/" + jobId);
    }

    /**
     * Waits until the job reaches {@code state}.
     *
     * @param jobId   the job
     * @param state   the state to wait for, e.g. {@code RUNNING}
     * @param timeout how long to wait
     * @throws FlinkClusterException if the job ends in another state or the time runs out
     */
    public void awaitJobState(String jobId, String state, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String current = jobState(jobId);
        while (!current.equals(state)) {
            if (List.of("FAILED", "CANCELED", "FINISHED").contains(current) || System.nanoTime() - deadline > 0) {
                throw new FlinkClusterException("Job " + jobId + " is " + current + ", not " + state + " (waited up to "
                        + timeout.toSeconds() + " s); exceptions: " + get("/jobs/" + jobId + "/exceptions")
                        + "; " + logHint.get());
            }
            pause();
            current = jobState(jobId);
        }
    }

    /**
     * Returns the job's checkpoint counts ({@code GET /jobs/:jobid/checkpoints}).
     *
     * @param jobId the job
     * @return completed, restored and failed checkpoints so far
     */
    public CheckpointCounts checkpointCounts(String jobId) {
        String path = "/jobs/" + jobId + "/checkpoints";
        String response = get(path);
        return new CheckpointCounts(numberField(response, "completed", path), numberField(response, "restored", path),
                numberField(response, "failed", path));
    }

    /**
     * Returns how long each completed checkpoint that the job's checkpoint history still lists took from trigger to
     * the last acknowledgement ({@code end_to_end_duration} of {@code GET /jobs/:jobid/checkpoints}); the history
     * keeps the latest {@code web.checkpoints.history} checkpoints, so poll it to see them all.
     *
     * @param jobId the job
     * @return completed checkpoint id to its duration in milliseconds, savepoints excluded
     */
    public Map<Long, Long> completedCheckpointDurations(String jobId) {
        String path = "/jobs/" + jobId + "/checkpoints";
        String response = get(path);
        int history = response.indexOf("\"history\"");
        Map<Long, Long> durations = new TreeMap<>();
        if (history < 0) {
            return durations;
        }
        for (String entry : response.substring(history).split("\\{\"className\"")) {
            if (entry.contains("\"status\":\"COMPLETED\"") && entry.contains("\"is_savepoint\":false")) {
                durations.put(numberField(entry, "id", path), numberField(entry, "end_to_end_duration", path));
            }
        }
        return durations;
    }

    /**
     * Stops the job with a savepoint ({@code POST /jobs/:jobid/stop}, what {@code flink stop} does): sources stop,
     * a final savepoint is taken (sink transactions commit with it) and the job finishes.
     *
     * @param jobId           the job
     * @param targetDirectory where the savepoint is written
     * @param timeout         how long to wait for the savepoint and the job's end
     * @return the savepoint's location, for {@code --from-savepoint} or a run request's {@code savepointPath}
     * @throws FlinkClusterException if the savepoint fails or does not complete in time; the message quotes the cause
     */
    public String stopWithSavepoint(String jobId, Path targetDirectory, Duration timeout) {
        String json = "{\"targetDirectory\":" + jsonString(targetDirectory.toUri().toString()) + ",\"drain\":false}";
        String response = send(HttpRequest.newBuilder(base.resolve("/jobs/" + jobId + "/stop"))
                .header("Content-Type", "application/json").POST(BodyPublishers.ofString(json)),
                "stopping job " + jobId + " with a savepoint");
        String trigger = stringField(response, "request-id", "POST /jobs/" + jobId + "/stop");
        String statusPath = "/jobs/" + jobId + "/savepoints/" + trigger;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String status = get(statusPath);
            if (stringField(status, "id", "GET " + statusPath).equals("COMPLETED")) {
                if (status.contains("\"failure-cause\"")) {
                    throw new FlinkClusterException("The savepoint of job " + jobId + " failed: " + status + "; "
                            + logHint.get());
                }
                String location = stringField(status, "location", "GET " + statusPath);
                awaitJobState(jobId, "FINISHED", timeout);
                return location;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new FlinkClusterException("The savepoint of job " + jobId + " did not complete within "
                        + timeout.toSeconds() + " s: " + status + "; " + logHint.get());
            }
            pause();
        }
    }

    /**
     * Cancels the job ({@code PATCH /jobs/:jobid?mode=cancel}) and waits until it is {@code CANCELED}.
     *
     * @param jobId   the job
     * @param timeout how long to wait for the cancellation
     */
    public void cancelJob(String jobId, Duration timeout) {
        send(HttpRequest.newBuilder(base.resolve("/jobs/" + jobId + "?mode=cancel"))
                .method("PATCH", BodyPublishers.noBody()), "cancelling job " + jobId);
        awaitJobState(jobId, "CANCELED", timeout);
    }

    /**
     * Returns the resource ids of the TaskManagers registered with the JobManager ({@code GET /taskmanagers}).
     *
     * @return the registered TaskManagers' ids
     */
    public List<String> taskManagerIds() {
        List<String> ids = new ArrayList<>();
        Matcher matcher = TASK_MANAGER_ID.matcher(get("/taskmanagers"));
        while (matcher.find()) {
            ids.add(matcher.group(1));
        }
        return ids;
    }

    /**
     * Sends {@code GET path} and returns the response body.
     *
     * @param path the path under the REST endpoint, e.g. {@code /overview}
     * @return the JSON response
     * @throws FlinkClusterException if the cluster cannot be reached or answers with an error status
     */
    public String get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET(), "GET " + path);
    }

    private String send(HttpRequest.Builder request, String what) {
        HttpResponse<String> response;
        try {
            response = http.send(request.timeout(REQUEST_TIMEOUT).build(), BodyHandlers.ofString());
        } catch (IOException e) {
            throw new FlinkClusterException("Flink REST API at " + base + " did not answer " + what + ": " + e
                    + "; " + logHint.get(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlinkClusterException("Interrupted while " + what + " at " + base, e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new FlinkClusterException("Flink REST API at " + base + " answered " + what + " with HTTP "
                    + response.statusCode() + ": " + response.body() + "; " + logHint.get());
        }
        return response.body();
    }

    private String stringField(String json, String name, String request) {
        Matcher matcher = Pattern.compile("\"" + name + "\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
        if (!matcher.find()) {
            throw new FlinkClusterException(request + " answered without a \"" + name + "\" field: " + json + "; "
                    + logHint.get());
        }
        return matcher.group(1).replace("\\/", "/").replace("\\\"", "\"").replace("\\\\", "\\");
    }

    private long numberField(String json, String name, String request) {
        Matcher matcher = Pattern.compile("\"" + name + "\"\\s*:\\s*(-?\\d+)").matcher(json);
        if (!matcher.find()) {
            throw new FlinkClusterException(request + " answered without a numeric \"" + name + "\" field: " + json
                    + "; " + logHint.get());
        }
        return Long.parseLong(matcher.group(1));
    }

    private static String jsonString(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    private static void pause() {
        try {
            Thread.sleep(POLL_INTERVAL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlinkClusterException("Interrupted while waiting for the Flink cluster", e);
        }
    }

    /**
     * A job's checkpoint counts.
     *
     * @param completed checkpoints that completed
     * @param restored  times the job was restored from a checkpoint after a failure
     * @param failed    checkpoints that failed
     */
    public record CheckpointCounts(long completed, long restored, long failed) {
    }
}
