package io.impflow.demo.cluster;

import io.impflow.model.artifact.ArtifactException;
import io.impflow.model.store.ModelStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Publishes a trained artifact into a model store and points the store's {@code latest} at it: how a deployment's
 * {@code model-init} puts the first model where the job ({@code submit --model STORE}) and {@code retrain --serving
 * STORE} find it. With {@code --if-no-latest} a store that already serves a model is left as it is.
 */
@Command(name = "publish", mixinStandardHelpOptions = true, usageHelpWidth = 110,
    description = "Publishes --model into the model store --store and points its latest at it.")
final class PublishCommand implements Callable<Integer> {
  @Option(names = "--store", required = true, paramLabel = "STORE_URI",
      description = "The model store (a directory, file:///..., or any URI Flink's file systems serve).")
  String store;

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "The artifact to publish.")
  Path model;

  @Option(names = "--if-no-latest",
      description = "Do nothing when the store already has a latest version (a deployment's first model).")
  boolean ifNoLatest;

  @Override
  public Integer call() throws IOException, ArtifactException {
    return publish(ModelStore.open(store), model, ifNoLatest, System.out);
  }

  /** Publishes {@code model} and moves {@code latest} (unless {@code ifNoLatest} and one exists); exit status 0. */
  static int publish(ModelStore modelStore, Path model, boolean ifNoLatest, PrintStream out)
      throws IOException, ArtifactException {
    Optional<String> latest = modelStore.latest();
    if (ifNoLatest && latest.isPresent()) {
      out.println("publish: " + modelStore.root() + " already serves " + latest.get() + "; left as it is");
      return 0;
    }
    ModelStore.Publication publication = modelStore.publish(model);
    modelStore.setLatest(publication.version());
    out.println("publish: " + model + " is version " + publication.version() + " at " + publication.uri()
        + (publication.added() ? "" : " (already stored)") + "; latest -> " + publication.version());
    return 0;
  }
}
