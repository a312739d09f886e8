package io.impflow.model.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue 14 point 8: which model locations a job may load from. */
class ModelLocationPolicyTest {
    @TempDir
    static Path temp;

    private static ModelLocationPolicy policy() {
        return ModelLocationPolicy.of(List.of(temp.resolve("models").toString(), "s3://bucket/models"));
    }

    @Test
    void locationsUnderARootAreAllowedAndNormalized() throws Exception {
        Path root = temp.resolve("models");
        assertThat(policy().check(root.resolve("v1").toUri().toString())).isEqualTo(root.resolve("v1").toUri());
        assertThat(policy().check(root.resolve("v1").toString())).isEqualTo(root.resolve("v1").toUri());
        assertThat(policy().check("file:" + root + "/a/../v2/")).isEqualTo(root.resolve("v2").toUri());
        assertThat(policy().check("s3://bucket/models/versions/abc"))
                .isEqualTo(URI.create("s3://bucket/models/versions/abc"));
        assertThat(policy().check("S3://bucket/models/./x")).isEqualTo(URI.create("s3://bucket/models/x"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "ROOT/../outside",
        "ROOT/v1/../../outside",
        "file:ROOT/%2e%2e/outside",
        "file:///etc/passwd",
        "file:/etc/passwd",
        "/etc/passwd",
        "ROOT",
        "ROOTsibling/v1",
        "file://otherhost/ROOT/v1",
        "http://example.com/models/v1",
        "https://bucket/models/v1",
        "hdfs://namenode/models/v1",
        "s3://otherbucket/models/v1",
        "s3://bucket/models/../secrets/v1",
        "s3://bucket/modelsX/v1",
        "file:relative/path",
        "file:ROOT/v1?x=1",
        ""})
    void locationsOutsideTheRootsOrWithOtherSchemesAreRefused(String template) {
        String location = template.replace("ROOT", temp.resolve("models").toString());
        assertThatThrownBy(() -> policy().check(location))
                .isInstanceOfAny(ModelLocationException.class, IllegalArgumentException.class)
                .hasMessageContaining(location.isEmpty() ? "empty" : "");
    }

    @Test
    void theRefusalSaysWhyAndWhatIsAllowed() {
        assertThatThrownBy(() -> policy().check("http://example.com/models/v1"))
                .isInstanceOf(ModelLocationException.class)
                .hasMessageContaining("scheme http").hasMessageContaining("allowed: [file, s3]");
        assertThatThrownBy(() -> policy().check(temp.resolve("models/../etc").toString()))
                .isInstanceOf(ModelLocationException.class)
                .hasMessageContaining("outside the model roots").hasMessageContaining("--model-root");
    }

    @Test
    void aSymbolicLinkOutOfTheRootIsRefused() throws Exception {
        Path root = Files.createDirectories(temp.resolve("models"));
        Path outside = Files.createDirectories(temp.resolve("outside-target"));
        Path link = root.resolve("link");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, outside);
        assertThatThrownBy(() -> policy().check(link.toString()))
                .isInstanceOf(ModelLocationException.class).hasMessageContaining("symbolic link");
    }

    @Test
    void rootsThatAreNotFileSystemsAreRefused() {
        assertThatThrownBy(() -> ModelLocationPolicy.of(List.of("http://example.com/models")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--model-root http://example.com");
        assertThatThrownBy(() -> ModelLocationPolicy.of(List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one");
    }
}
