package io.impflow.demo.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.job.AnomalyDetectionJob;
import io.impflow.job.metrics.PrometheusEndpoint;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * docker/compose.yaml, docker/k8s/ and the image's Flink config.yaml describe one topology: the same services and
 * Service names, the ports Flink is configured with, the model store and checkpoint volumes at the same paths, the
 * same arguments for the one-shot and scheduled roles, and one model store (model-init fills it, retrain keeps it,
 * the job serves its latest version and loads announced versions from it). The Flink Kubernetes Operator's
 * FlinkDeployment (docker/flink-operator/) runs the same job on the same volumes, with the operator's fields only.
 */
class DeploymentManifestsTest {
  private static final Path DOCKER = Path.of(System.getProperty("basedir", "."), "..", "docker").normalize();
  private static final String COMPOSE_ARCH_DEFAULT = "${IMPFLOW_ARCH:-impflow}";

  private static Map<String, Object> compose;
  private static Map<String, Object> flinkConfig;
  /** Every Kubernetes object, by kind and name ("Deployment/jobmanager"). */
  private static final Map<String, Map<String, Object>> K8S = new LinkedHashMap<>();

  @BeforeAll
  static void readEveryFile() throws IOException {
    compose = load(DOCKER.resolve("compose.yaml")).get(0);
    flinkConfig = load(DOCKER.resolve("conf/flink/config.yaml")).get(0);
    try (Stream<Path> files = Files.list(DOCKER.resolve("k8s"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml"))
          .filter(f -> !f.getFileName().toString().equals("kustomization.yaml")).sorted().toList()) {
        for (Map<String, Object> object : load(file)) {
          String key = object.get("kind") + "/" + map(object, "metadata").get("name");
          assertThat(object).as("%s in %s", key, file.getFileName()).containsKey("apiVersion");
          assertThat(K8S.put(key, object)).as("%s defined twice", key).isNull();
        }
      }
    }
  }

  @Test
  void kustomizationListsEveryManifestAndEveryContainerRunsTheOneImage() throws IOException {
    Map<String, Object> kustomization = load(DOCKER.resolve("k8s/kustomization.yaml")).get(0);
    Set<String> manifests;
    try (Stream<Path> files = Files.list(DOCKER.resolve("k8s"))) {
      manifests = files.map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
          .collect(Collectors.toCollection(TreeSet::new));
    }
    assertThat(new TreeSet<>(strings(kustomization.get("resources")))).isEqualTo(manifests);
    String imageName = (String) list(kustomization, "images").get(0).get("name");
    containers().forEach((where, container) ->
        assertThat(container.get("image")).as("image of %s", where).isEqualTo(imageName));
    services().forEach((name, service) ->
        assertThat(service.get("image")).as("image of compose service %s", name)
            .isEqualTo("${IMPFLOW_IMAGE:-impflow:latest}"));
  }

  @Test
  void theJobManagerIsFoundUnderOneNameAndItsPortsAreTheConfiguredOnes() {
    String address = (String) flinkConfig.get("jobmanager.rpc.address");
    assertThat(flinkConfig.get("rest.address")).isEqualTo(address);
    assertThat(services()).containsKey(address);
    Map<String, Object> service = K8S.get("Service/" + address);
    assertThat(service).as("a Kubernetes Service named %s", address).isNotNull();

    Map<String, Integer> configured = Map.of("rpc", integer(flinkConfig, "jobmanager.rpc.port"),
        "blob", integer(flinkConfig, "blob.server.port"), "rest", integer(flinkConfig, "rest.port"));
    Map<String, Integer> servicePorts = new HashMap<>();
    list(map(service, "spec"), "ports")
        .forEach(p -> servicePorts.put((String) p.get("name"), (Integer) p.get("port")));
    assertThat(servicePorts).isEqualTo(configured);
    assertThat(containerPorts("Deployment/jobmanager")).isEqualTo(configured);
    assertThat(containerPorts("Deployment/taskmanager")).isEqualTo(Map.of(
        "rpc", integer(flinkConfig, "taskmanager.rpc.port"), "data", integer(flinkConfig, "taskmanager.data.port")));

    List<String> published = strings(services().get(address).get("ports"));
    assertThat(published).hasSize(1);
    assertThat(published.get(0)).as("compose publishes the REST port on loopback")
        .startsWith("127.0.0.1:").endsWith(":" + configured.get("rest"));
  }

  @Test
  void everyFlinkProcessMountsTheModelStoreAndTheCheckpointDirectoryAtTheSamePaths() {
    String checkpoints = ((String) flinkConfig.get("execution.checkpointing.dir")).replaceFirst("^file://", "");
    Map<String, String> flinkMounts = Map.of("models", "/models", "checkpoints", checkpoints);
    for (String name : List.of("jobmanager", "taskmanager-1", "taskmanager-2")) {
      assertThat(composeMounts(name)).as("compose service %s", name).isEqualTo(flinkMounts);
      assertThat(command(name)).as("compose service %s", name).containsExactly(name.replaceFirst("-\\d$", ""));
    }
    for (String name : List.of("Deployment/jobmanager", "Deployment/taskmanager")) {
      assertThat(k8sMounts(name)).as(name).isEqualTo(flinkMounts);
    }
    for (String name : List.of("model-init", "retrain", "retrain-gpu", "submit", "tools")) {
      assertThat(composeMounts(name)).as("compose service %s", name).isEqualTo(Map.of("models", "/models"));
    }
    for (String kind : List.of("Job/model-init", "CronJob/retrain", "Job/submit")) {
      assertThat(k8sMounts(kind)).as(kind).isEqualTo(Map.of("models", "/models"));
    }
    assertThat(map(compose, "volumes").keySet()).containsExactlyInAnyOrder("models", "checkpoints", "kafka-data");

    Set<String> claims = K8S.keySet().stream().filter(k -> k.startsWith("PersistentVolumeClaim/"))
        .map(k -> k.substring(k.indexOf('/') + 1)).collect(Collectors.toSet());
    assertThat(claims).containsExactlyInAnyOrder("models", "checkpoints");
    for (String kind : List.of("Deployment/jobmanager", "Deployment/taskmanager", "Job/submit", "Job/model-init",
        "CronJob/retrain")) {
      for (Map<String, Object> volume : list(podSpec(kind), "volumes")) {
        assertThat(claims).as("claim of volume %s in %s", volume.get("name"), kind)
            .contains((String) map(volume, "persistentVolumeClaim").get("claimName"));
      }
    }
    assertThat(composeMounts("kafka")).isEqualTo(k8sMounts("StatefulSet/kafka"));
  }

  @Test
  void oneShotAndScheduledRolesRunWithTheSameArgumentsEverywhere() {
    assertThat(args("Job/submit")).isEqualTo(command("submit"));
    assertThat(args("Job/topics")).isEqualTo(command("topics"));

    List<String> modelInit = command("model-init").stream()
        .map(a -> a.equals(COMPOSE_ARCH_DEFAULT) ? "impflow" : a).toList();
    assertThat(modelInit.get(0)).isEqualTo("model-init");
    assertThat(args("Job/model-init")).isEqualTo(modelInit);

    // the CronJob is compose's retrain without its trigger: the schedule is the trigger there
    List<String> retrain = command("retrain");
    assertThat(retrain.get(0)).isEqualTo("retrain");
    assertThat(retrain).contains("--on-drift").doesNotContain("--every");
    List<String> scheduled = new ArrayList<>(retrain);
    scheduled.remove("--on-drift");
    int healthTopic = scheduled.indexOf("--health-topic");
    scheduled.subList(healthTopic, healthTopic + 2).clear();
    assertThat(args("CronJob/retrain")).isEqualTo(scheduled).doesNotContain("--every", "--on-drift");
    assertThat(command("retrain-gpu")).isEqualTo(retrain);
  }

  @Test
  void theJobServesTheStoreThatModelInitFillsAndRetrainKeeps() {
    String store = "/models";
    for (Map.Entry<String, List<String>> role : Map.of("compose model-init", command("model-init"),
        "k8s model-init", args("Job/model-init")).entrySet()) {
      assertThat(flag(role.getValue(), "--store")).as(role.getKey()).isEqualTo(store);
      assertThat(role.getValue()).as(role.getKey()).doesNotContain("--out");
    }
    for (Map.Entry<String, List<String>> role : Map.of("compose retrain", command("retrain"),
        "k8s retrain", args("CronJob/retrain")).entrySet()) {
      List<String> retrain = role.getValue();
      assertThat(flag(retrain, "--serving")).as(role.getKey()).isEqualTo("file://" + store);
      assertThat(flag(retrain, "--from")).as(role.getKey()).isEqualTo("kafka://kafka:9092/events");
      assertThat(flag(retrain, "--model-updates-topic")).as(role.getKey()).isEqualTo("model-updates");
    }
    for (Map.Entry<String, List<String>> role : Map.of("compose submit", command("submit"),
        "k8s submit", args("Job/submit")).entrySet()) {
      List<String> submit = role.getValue();
      assertThat(flag(submit, "--model")).as("%s: --model is the store (its latest serves)", role.getKey())
          .isEqualTo(store);
      assertThat(flag(submit, "--model-root")).as("%s: announced versions load from the store", role.getKey())
          .isEqualTo(flag(command("retrain"), "--serving"));
      assertThat(flag(submit, "--model-updates-topic")).as(role.getKey())
          .isEqualTo(flag(command("retrain"), "--model-updates-topic"));
      assertThat(flag(submit, "--model-health-topic")).as("%s: the topic retrain --on-drift watches", role.getKey())
          .isEqualTo(flag(command("retrain"), "--health-topic"));
    }
    List<String> topics = command("topics");
    assertThat(topics).contains(flag(command("submit"), "--model-updates-topic"),
        flag(command("submit"), "--model-health-topic"));
    assertThat(args("Job/topics")).isEqualTo(topics);

    assertThat(dependsOn("submit")).containsEntry("model-init", "service_completed_successfully")
        .containsEntry("topics", "service_completed_successfully");
    assertThat(dependsOn("retrain")).containsEntry("model-init", "service_completed_successfully")
        .containsEntry("topics", "service_completed_successfully");
    assertThat(services().get("model-init").get("restart")).isEqualTo("no");
    assertThat(services().get("retrain").get("restart")).isEqualTo("unless-stopped");
    Map<String, Object> cronJob = map(K8S.get("CronJob/retrain"), "spec");
    assertThat(cronJob).containsEntry("concurrencyPolicy", "Forbid").containsKey("schedule");
    for (String kind : List.of("Job/model-init", "CronJob/retrain")) {
      assertThat(container(kind)).as("%s needs no environment switch any more", kind).doesNotContainKey("env");
    }
  }

  @Test
  void theTrainerHasAGpuWhereTheDeploymentAsksForOne() {
    Map<String, Object> limits = map(map(container("CronJob/retrain"), "resources"), "limits");
    assertThat(limits).containsEntry("nvidia.com/gpu", 1);
    Map<String, Object> device = list(map(map(map(services().get("retrain-gpu"), "deploy"), "resources"),
        "reservations"), "devices").get(0);
    assertThat(device).containsEntry("driver", "nvidia").containsEntry("count", 1);
    assertThat(strings(services().get("retrain-gpu").get("profiles"))).containsExactly("gpu");
  }

  @Test
  void everyClientFindsKafkaAtTheAddressTheBrokerAdvertises() {
    String advertised = (String) map(services().get("kafka"), "environment").get("KAFKA_ADVERTISED_LISTENERS");
    String address = advertised.replaceFirst("^PLAINTEXT://", "");
    assertThat(address).isEqualTo("kafka:9092");
    assertThat(K8S.get("Service/kafka")).isNotNull();
    assertThat(list(map(K8S.get("Service/kafka"), "spec"), "ports").get(0).get("port")).isEqualTo(9092);
    assertThat(env(container("StatefulSet/kafka"))).containsEntry("KAFKA_ADVERTISED_LISTENERS", advertised);
    for (List<String> arguments : List.of(command("topics"), command("submit"), args("Job/topics"),
        args("Job/submit"))) {
      assertThat(arguments).containsSubsequence("--bootstrap-servers", address);
    }
  }

  // --- the Flink Kubernetes Operator (docker/flink-operator/): validated here, not run (no registry serves flink:2.2)

  /** The fields of the operator's FlinkDeploymentSpec (flink.apache.org/v1beta1) and of its job and resource specs. */
  private static final Set<String> OPERATOR_SPEC_FIELDS = Set.of("image", "imagePullPolicy", "serviceAccount",
      "flinkVersion", "ingress", "podTemplate", "jobManager", "taskManager", "logConfiguration", "mode", "job",
      "restartNonce", "flinkConfiguration");
  private static final Set<String> OPERATOR_JOB_FIELDS = Set.of("jarURI", "parallelism", "entryClass", "args",
      "state", "upgradeMode", "allowNonRestoredState", "initialSavepointPath", "savepointTriggerNonce",
      "checkpointTriggerNonce", "savepointRedeployNonce", "autoscalerResetNonce");
  private static final Set<String> OPERATOR_RESOURCE_FIELDS = Set.of("cpu", "memory", "ephemeralStorage");

  @Test
  void theFlinkDeploymentUsesOnlyTheOperatorsFieldsAndTheFlinkVersionOfThisBuild() throws IOException {
    Map<String, Object> deployment = flinkDeployment();
    assertThat(deployment).containsEntry("apiVersion", "flink.apache.org/v1beta1")
        .containsEntry("kind", "FlinkDeployment");
    Map<String, Object> spec = map(deployment, "spec");
    assertThat(OPERATOR_SPEC_FIELDS).containsAll(spec.keySet());
    String flinkVersion = pomProperty("flink.version");
    assertThat(spec.get("flinkVersion")).as("the operator's FlinkVersion of Flink %s", flinkVersion)
        .isEqualTo("v" + flinkVersion.replaceFirst("^(\\d+)\\.(\\d+).*", "$1_$2"));
    Map<String, Object> job = map(spec, "job");
    assertThat(OPERATOR_JOB_FIELDS).containsAll(job.keySet());
    assertThat(job.get("upgradeMode")).isIn("last-state", "savepoint", "stateless");
    assertThat(job.get("state")).isIn("running", "suspended");
    for (String role : List.of("jobManager", "taskManager")) {
      Map<String, Object> resource = map(map(spec, role), "resource");
      assertThat(OPERATOR_RESOURCE_FIELDS).as(role).containsAll(resource.keySet());
      assertThat(resource.get("cpu")).as("%s cpu (a number in the CRD)", role).isInstanceOf(Number.class);
      assertThat(resource.get("memory")).as("%s memory (a string in the CRD)", role).isInstanceOf(String.class);
    }
    map(spec, "flinkConfiguration").forEach((key, value) ->
        assertThat(value).as("flinkConfiguration %s (string values)", key).isInstanceOf(String.class));
    Map<String, Object> pod = map(map(spec, "podTemplate"), "spec");
    assertThat(list(pod, "containers")).extracting(c -> c.get("name"))
        .as("the operator merges the pod template into the container it names flink-main-container")
        .containsExactly("flink-main-container");
  }

  @Test
  void theOperatorImageIsTheOfficialFlinkImageWithTheJobDjlAndThePrometheusPlugin() throws IOException {
    List<String> dockerfile = Files.readAllLines(DOCKER.resolve("flink-operator/Dockerfile"));
    String official = "flink:" + pomProperty("flink.version") + "-java" + pomProperty("maven.compiler.release");
    assertThat(dockerfile).contains("ARG FLINK_IMAGE=" + official, "FROM ${FLINK_IMAGE}");
    Map<String, String> copies = new HashMap<>();
    dockerfile.stream().filter(l -> l.startsWith("COPY ")).map(l -> l.split("\\s+"))
        .forEach(words -> copies.put(words[words.length - 2], words[words.length - 1]));
    assertThat(copies).containsEntry("lib/", "/opt/flink/lib/").containsEntry("usrlib/", "/opt/flink/usrlib/")
        .containsEntry("plugins/", "/opt/flink/plugins/");
    // build.sh writes the context the COPY lines read: the job jar under the name the manifest runs, the reporter
    // as a plugin directory of its own, DJL's engine and native library in lib/
    String build = Files.readString(DOCKER.resolve("build.sh"));
    Map<String, Object> job = map(map(flinkDeployment(), "spec"), "job");
    String jar = ((String) job.get("jarURI")).replaceFirst("^local:///opt/flink/", "");
    assertThat(jar).isEqualTo("usrlib/impflow-flink-job.jar");
    assertThat(build).contains("\"$OCTX/" + jar + "\"", "\"$OCTX/plugins/metrics-prometheus\"",
        "flink-metrics-prometheus-$flink_version.jar", "ai/djl/", "docker/flink-operator/Dockerfile");
    assertThat(job.get("entryClass")).isEqualTo(AnomalyDetectionJob.class.getName());

    Map<String, Object> configuration = map(map(flinkDeployment(), "spec"), "flinkConfiguration");
    Map<String, Object> pod = map(map(map(flinkDeployment(), "spec"), "podTemplate"), "spec");
    Configuration reporter = new Configuration();
    int port = Integer.parseInt((String) configuration.get("metrics.reporter.prom.port"));
    PrometheusEndpoint.configure(reporter, port);
    assertThat(configuration).as("the reporter as the job's own --metrics-port configures it")
        .containsAllEntriesOf(reporter.toMap());
    assertThat(list(list(pod, "containers").get(0), "ports")).extracting(p -> p.get("containerPort"))
        .containsExactly(port);
    assertThat((String) configuration.get("env.java.opts.all")).contains("-Dai.djl.offline=true",
        "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1");
  }

  @Test
  void theOperatorsJobRunsWithSubmitsArgumentsOnTheStoresLatestVersionAndTheSameVolumes() throws IOException {
    Map<String, Object> spec = map(flinkDeployment(), "spec");
    Map<String, Object> job = map(spec, "job");
    List<String> args = strings(job.get("args"));
    List<String> submit = command("submit");
    assertThat(submit.get(0)).isEqualTo("submit");
    // The same flags as compose's submit, but --model names one artifact: the link the init container points at
    // the store's latest version (the submit role resolves the store itself).
    String serving = flag(args, "--model");
    List<String> resolved = args.stream().map(a -> a.equals(serving) ? flag(submit, "--model") : a).toList();
    assertThat(resolved).isEqualTo(submit.subList(1, submit.size()));
    assertThat(job.get("parallelism")).isEqualTo(Integer.parseInt(flag(args, "--parallelism")));

    Map<String, Object> pod = map(map(spec, "podTemplate"), "spec");
    Map<String, Object> init = list(pod, "initContainers").get(0);
    assertThat(init.get("image")).isEqualTo(spec.get("image"));
    String script = String.join(" ", strings(init.get("command")));
    assertThat(script).contains("cat " + flag(submit, "--model") + "/latest", "ln -sfn", serving);
    Map<String, String> initMounts = new HashMap<>();
    list(init, "volumeMounts").forEach(m -> initMounts.put((String) m.get("name"), (String) m.get("mountPath")));
    Map<String, String> mounts = new HashMap<>();
    list(list(pod, "containers").get(0), "volumeMounts")
        .forEach(m -> mounts.put((String) m.get("name"), (String) m.get("mountPath")));
    assertThat(serving).startsWith(mounts.get("serving") + "/");
    assertThat(initMounts).containsEntry("serving", mounts.get("serving")).containsEntry("models", "/models");

    // the model store and checkpoints at the impflow image's paths, on the claims of docker/k8s/storage.yaml
    String checkpoints = ((String) flinkConfig.get("execution.checkpointing.dir"));
    assertThat(map(spec, "flinkConfiguration")).containsEntry("execution.checkpointing.dir", checkpoints);
    assertThat(mounts).containsEntry("models", "/models")
        .containsEntry("checkpoints", checkpoints.replaceFirst("^file://", ""));
    for (Map<String, Object> volume : list(pod, "volumes")) {
      if (volume.containsKey("persistentVolumeClaim")) {
        assertThat(K8S).containsKey("PersistentVolumeClaim/" + map(volume, "persistentVolumeClaim").get("claimName"));
      } else {
        assertThat(volume).containsEntry("name", "serving").containsKey("emptyDir");
      }
    }
  }

  private static Map<String, Object> flinkDeployment() throws IOException {
    List<Map<String, Object>> documents = load(DOCKER.resolve("flink-operator/flink-deployment.yaml"));
    assertThat(documents).hasSize(1);
    return documents.get(0);
  }

  /** A property of the root POM (the build's one place for versions). */
  private static String pomProperty(String name) throws IOException {
    String pom = Files.readString(DOCKER.resolveSibling("pom.xml"));
    Matcher matcher = Pattern.compile("<" + Pattern.quote(name)
        + ">([^<]+)</").matcher(pom);
    assertThat(matcher.find()).as("property %s in the root pom.xml", name).isTrue();
    return matcher.group(1).trim();
  }

  // --- reading the files

  private static List<Map<String, Object>> load(Path file) throws IOException {
    Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
    List<Map<String, Object>> documents = new ArrayList<>();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (Object document : yaml.loadAll(reader)) {
        assertThat(document).as("a YAML document in %s", file).isInstanceOf(Map.class);
        documents.add(cast(document));
      }
    }
    assertThat(documents).as("documents in %s", file).isNotEmpty();
    return documents;
  }

  private static Map<String, Map<String, Object>> services() {
    Map<String, Map<String, Object>> services = new LinkedHashMap<>();
    map(compose, "services").forEach((name, service) -> services.put(name, cast(service)));
    return services;
  }

  /** The value after {@code name} in an argument list (the flag must be there, once). */
  private static String flag(List<String> arguments, String name) {
    assertThat(arguments).as("arguments %s", arguments).containsOnlyOnce(name);
    int at = arguments.indexOf(name);
    assertThat(at + 1).as("a value after %s in %s", name, arguments).isLessThan(arguments.size());
    return arguments.get(at + 1);
  }

  /** Compose service -> the condition it waits for, from {@code depends_on} in its long form. */
  private static Map<String, String> dependsOn(String service) {
    Map<String, String> conditions = new HashMap<>();
    map(services().get(service), "depends_on").forEach((name, condition) ->
        conditions.put(name, (String) ((Map<?, ?>) condition).get("condition")));
    return conditions;
  }

  private static List<String> command(String service) {
    return strings(services().get(service).get("command"));
  }

  /** Compose volume name -> mount path, from "name:/path[:ro]". */
  private static Map<String, String> composeMounts(String service) {
    Map<String, String> mounts = new HashMap<>();
    for (String volume : strings(services().get(service).get("volumes"))) {
      String[] parts = volume.split(":");
      mounts.put(parts[0], parts[1]);
    }
    return mounts;
  }

  /** Volume (claim) name -> mount path of the pod's only container. */
  private static Map<String, String> k8sMounts(String kind) {
    Map<String, String> mounts = new HashMap<>();
    for (Map<String, Object> mount : list(container(kind), "volumeMounts")) {
      mounts.put((String) mount.get("name"), (String) mount.get("mountPath"));
    }
    return mounts;
  }

  private static Map<String, Integer> containerPorts(String kind) {
    Map<String, Integer> ports = new HashMap<>();
    list(container(kind), "ports").forEach(p -> ports.put((String) p.get("name"), (Integer) p.get("containerPort")));
    return ports;
  }

  private static List<String> args(String kind) {
    return strings(container(kind).get("args"));
  }

  private static Map<String, String> env(Map<String, Object> container) {
    Map<String, String> env = new HashMap<>();
    list(container, "env").forEach(e -> env.put((String) e.get("name"), (String) e.get("value")));
    return env;
  }

  private static Map<String, Object> podSpec(String kind) {
    Map<String, Object> object = K8S.get(kind);
    assertThat(object).as("Kubernetes object %s", kind).isNotNull();
    Map<String, Object> spec = map(object, "spec");
    if (kind.startsWith("CronJob/")) {
      spec = map(map(spec, "jobTemplate"), "spec");
    }
    return map(map(spec, "template"), "spec");
  }

  private static Map<String, Object> container(String kind) {
    List<Map<String, Object>> containers = list(podSpec(kind), "containers");
    assertThat(containers).as("containers of %s", kind).hasSize(1);
    return containers.get(0);
  }

  private static Map<String, Map<String, Object>> containers() {
    Map<String, Map<String, Object>> all = new LinkedHashMap<>();
    K8S.keySet().stream().filter(k -> k.matches("(Deployment|StatefulSet|Job|CronJob)/.*"))
        .forEach(k -> all.put(k, container(k)));
    return all;
  }

  private static int integer(Map<String, Object> map, String key) {
    Object value = map.get(key);
    assertThat(value).as(key).isInstanceOf(Integer.class);
    return (Integer) value;
  }

  private static Map<String, Object> map(Map<String, Object> parent, String key) {
    Object value = parent.get(key);
    assertThat(value).as("mapping '%s' in %s", key, parent.keySet()).isInstanceOf(Map.class);
    return cast(value);
  }

  private static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
    Object value = parent.get(key);
    assertThat(value).as("list '%s' in %s", key, parent.keySet()).isInstanceOf(List.class);
    return cast(value);
  }

  private static List<String> strings(Object value) {
    assertThat(value).isInstanceOf(List.class);
    return ((List<?>) value).stream().map(String::valueOf).toList();
  }

  @SuppressWarnings("unchecked")
  private static <T> T cast(Object value) {
    return (T) value;
  }
}
