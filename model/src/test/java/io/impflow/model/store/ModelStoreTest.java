package io.impflow.model.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.impflow.model.DensityModel;
import io.impflow.model.RandomFlows;
import io.impflow.model.artifact.ArtifactException;
import io.impflow.model.artifact.Checksums;
import io.impflow.model.artifact.ModelArtifact;
import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.model.train.TrainableFlow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model store on file:// through Flink's FileSystem: versions, the atomic latest pointer, retention, fetching. */
class ModelStoreTest {
    private static final List<TrainableFlow> FLOWS = new ArrayList<>();

    @TempDir
    Path temp;

    private final AtomicLong now = new AtomicLong(1_000_000L);

    @BeforeAll
    static void createFlows() {
        for (int seed = 1; seed <= 4; seed++) {
            FLOWS.add(RandomFlows.create(Architecture.IMPFLOW, 3, 1, 8, 1, ActivationKind.LIPSWISH, 0.9, seed));
        }
    }

    @AfterAll
    static void closeFlows() {
        FLOWS.forEach(TrainableFlow::close);
    }

    private ModelStore store() throws Exception {
        Clock clock = new Clock() {
            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(now.getAndAdd(1000));
            }

            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }
        };
        return ModelStore.open(temp.resolve("store").toUri(), clock);
    }

    private Path artifact(int index) throws Exception {
        return RandomFlows.writeArtifact(FLOWS.get(index), temp.resolve("local-" + index + "-" + System.nanoTime()),
                null);
    }

    @Test
    void publishCopiesAVerifiedArtifactUnderItsContentVersionAndItLoadsFromTheStore() throws Exception {
        ModelStore store = store();
        Path local = artifact(0);
        ModelStore.Publication publication = store.publish(local);

        String version = ModelArtifact.read(local).manifest().version();
        assertThat(publication.version()).isEqualTo(version);
        assertThat(publication.added()).isTrue();
        assertThat(Path.of(publication.uri())).isEqualTo(temp.resolve("store/versions/" + version));
        assertThat(publication.manifestSha256()).isEqualTo(Checksums.sha256(local.resolve(ModelArtifact.MANIFEST)));
        assertThat(store.storedManifestSha256(version)).isEqualTo(publication.manifestSha256());
        try (LocalArtifact fetched = LocalArtifact.fetch(publication.uri());
             DensityModel model = DensityModel.load(fetched.directory())) {
            assertThat(fetched.isCopy()).isFalse();
            assertThat(model.version()).isEqualTo(version);
        }
        assertThat(store.latest()).isEmpty();
    }

    @Test
    void aSecondPublishOfTheSameContentDoesNotOverwrite() throws Exception {
        ModelStore store = store();
        ModelStore.Publication first = store.publish(artifact(0));
        Path stored = temp.resolve("store/versions/" + first.version());
        byte[] manifestBefore = Files.readAllBytes(stored.resolve(ModelArtifact.MANIFEST));
        String publishedAt = Files.readString(stored.resolve(ModelStore.PUBLISHED_AT));

        // the same model written again: a new creation time, so other manifest bytes, but the same version id
        Path again = artifact(0);
        assertThat(Files.readAllBytes(again.resolve(ModelArtifact.MANIFEST))).isNotEqualTo(manifestBefore);
        ModelStore.Publication second = store.publish(again);

        assertThat(second.added()).isFalse();
        assertThat(second.version()).isEqualTo(first.version());
        assertThat(second.manifestSha256()).isEqualTo(first.manifestSha256());
        assertThat(Files.readAllBytes(stored.resolve(ModelArtifact.MANIFEST))).isEqualTo(manifestBefore);
        assertThat(Files.readString(stored.resolve(ModelStore.PUBLISHED_AT))).isEqualTo(publishedAt);
        assertThat(store.versions()).hasSize(1);
    }

    @Test
    void aCorruptArtifactIsNotPublished() throws Exception {
        ModelStore store = store();
        Path local = artifact(1);
        byte[] params = Files.readAllBytes(local.resolve(ModelArtifact.PARAMS));
        params[params.length / 2] ^= 1;
        Files.write(local.resolve(ModelArtifact.PARAMS), params);
        assertThatThrownBy(() -> store.publish(local)).isInstanceOfSatisfying(ArtifactException.class,
                e -> assertThat(e.kind()).isEqualTo(ArtifactException.Kind.CHECKSUM_MISMATCH));
        assertThat(store.versions()).isEmpty();
    }

    @Test
    void latestIsSwitchedByRenameAndOnlyToStoredVersions() throws Exception {
        ModelStore store = store();
        String a = store.publish(artifact(0)).version();
        String b = store.publish(artifact(1)).version();
        store.setLatest(a);
        assertThat(store.latest()).contains(a);
        store.setLatest(b);
        assertThat(store.latest()).contains(b);
        assertThat(Files.readString(temp.resolve("store/latest"))).isEqualTo(b + "\n");
        try (Stream<Path> root = Files.list(temp.resolve("store"))) {
            // no temporary pointer is left behind
            assertThat(root.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("latest", "versions");
        }
        assertThatThrownBy(() -> store.setLatest("0123456789abcdef")).hasMessageContaining("not in the store");
        assertThatThrownBy(() -> store.setLatest("../escape")).hasMessageContaining("not a model version id");
        assertThat(store.latest()).contains(b);

        Files.writeString(temp.resolve("store/latest"), "../../etc\n");
        assertThatThrownBy(store::latest).hasMessageContaining("not a version id");
    }

    @Test
    void aReaderNeverSeesAPartialPointerWhileLatestIsSwitched() throws Exception {
        ModelStore store = store();
        String a = store.publish(artifact(0)).version();
        String b = store.publish(artifact(1)).version();
        store.setLatest(a);
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.ConcurrentLinkedQueue<Object> seen = new java.util.concurrent.ConcurrentLinkedQueue<>();
        Thread reader = new Thread(() -> {
            while (writing.get()) {
                try {
                    seen.add(store.latest().orElse("(none)"));
                } catch (Exception e) {
                    seen.add(e);
                }
            }
        });
        reader.start();
        for (int i = 0; i < 300; i++) {
            store.setLatest(i % 2 == 0 ? b : a);
        }
        writing.set(false);
        reader.join();
        assertThat(seen).isNotEmpty().allSatisfy(value -> assertThat(value).isIn(a, b));
        assertThat(store.latest()).contains(a);
    }

    @Test
    void retentionKeepsTheNewestAndAlwaysTheVersionLatestPointsAt() throws Exception {
        ModelStore store = store();
        List<String> published = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            published.add(store.publish(artifact(i)).version());
        }
        assertThat(store.versions()).extracting(ModelStore.StoredVersion::version)
                .containsExactlyElementsOf(List.of(published.get(3), published.get(2), published.get(1),
                        published.get(0)));
        store.setLatest(published.get(0));

        List<String> deleted = store.retain(2);

        assertThat(deleted).containsExactly(published.get(1));
        assertThat(store.versions()).extracting(ModelStore.StoredVersion::version)
                .containsExactly(published.get(3), published.get(2), published.get(0));
        assertThat(store.latest()).contains(published.get(0));
        assertThat(Files.exists(temp.resolve("store/versions/" + published.get(1)))).isFalse();
        assertThatThrownBy(() -> store.retain(0)).hasMessageContaining("--keep must be >= 1");
    }

    /** A store on a non-local file system: versions are copied in, latest is switched, artifacts are copied out. */
    @Test
    void aStoreOnAnotherFileSystemPublishesSwitchesAndFetchesThroughCopies() throws Exception {
        java.net.URI root = java.net.URI.create(RemoteLikeFileSystem.SCHEME + "://" + temp.resolve("remote"));
        ModelStore store = ModelStore.open(root, Clock.systemUTC());
        ModelStore.Publication a = store.publish(artifact(0));
        ModelStore.Publication b = store.publish(artifact(1));
        assertThat(a.uri().getScheme()).isEqualTo(RemoteLikeFileSystem.SCHEME);
        store.setLatest(a.version());
        store.setLatest(b.version()); // the rename cannot replace here: the old pointer is deleted first
        assertThat(store.latest()).contains(b.version());
        assertThat(store.storedManifestSha256(b.version())).isEqualTo(b.manifestSha256());

        Path copy;
        try (LocalArtifact fetched = LocalArtifact.fetch(b.uri());
             DensityModel model = DensityModel.load(fetched.directory())) {
            copy = fetched.directory();
            assertThat(fetched.isCopy()).isTrue();
            assertThat(model.version()).isEqualTo(b.version());
        }
        assertThat(Files.exists(copy)).isFalse();

        // damage in the remote store is found when the copy is verified
        Path params = temp.resolve("remote/versions/" + a.version() + "/" + ModelArtifact.PARAMS);
        byte[] bytes = Files.readAllBytes(params);
        bytes[7] ^= 0x40;
        Files.write(params, bytes);
        try (LocalArtifact fetched = LocalArtifact.fetch(a.uri())) {
            assertThatThrownBy(() -> DensityModel.load(fetched.directory()))
                    .isInstanceOfSatisfying(ArtifactException.class,
                            e -> assertThat(e.kind()).isEqualTo(ArtifactException.Kind.CHECKSUM_MISMATCH));
        }
    }

    @Test
    void aCopiedArtifactLoadsAndItsTemporaryDirectoryIsDeleted() throws Exception {
        ModelStore store = store();
        ModelStore.Publication publication = store.publish(artifact(2));
        Path copy;
        try (LocalArtifact fetched = LocalArtifact.copy(publication.uri());
             DensityModel model = DensityModel.load(fetched.directory())) {
            copy = fetched.directory();
            assertThat(fetched.isCopy()).isTrue();
            assertThat(copy).isNotEqualTo(Path.of(publication.uri()));
            assertThat(model.version()).isEqualTo(publication.version());
        }
        assertThat(Files.exists(copy)).isFalse();
    }
}
