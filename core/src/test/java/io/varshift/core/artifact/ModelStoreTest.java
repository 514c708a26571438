package io.varshift.core.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ModelStoreTest {
    private static final String NAME = "fmnist";
    private static final byte[] PARAMS = "not really DJL parameters, but bytes all the same".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path root;

    private ModelStore store() {
        return new ModelStore(root);
    }

    static ObjectNode modelJson(int formatVersion) {
        return Json.parseObject("{\"formatVersion\": " + formatVersion
                + ", \"architecture\": \"mlp\", \"inputShape\": [1, 28, 28], \"classes\": 10}");
    }

    static ObjectNode referenceJson() {
        return Json.parseObject("{\"layers\": [{\"name\": \"bn1\", \"runningMean\": [0.5, -1.25],"
                + " \"runningVar\": [2.0, 0.125]}]}");
    }

    static ArtifactContents contents() {
        return ArtifactContents.builder().setModelJson(modelJson(1)).setReferenceJson(referenceJson())
                .addParams("fmnist-0000.params", PARAMS).build();
    }

    private Path versionDir(int version) {
        return root.resolve("models").resolve(NAME).resolve(Integer.toString(version));
    }

    /** Rewrites a file of a stored version and its SHA256SUMS line, as a consistent but foreign writer would. */
    private void replaceConsistently(int version, String file, String content) throws Exception {
        Path dir = versionDir(version);
        String oldSum = sha256(Files.readAllBytes(dir.resolve(file)));
        Files.writeString(dir.resolve(file), content);
        String sums = Files.readString(dir.resolve("SHA256SUMS"));
        Files.writeString(dir.resolve("SHA256SUMS"), sums.replace(oldSum, sha256(content.getBytes(StandardCharsets.UTF_8))));
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void writtenVersionLoadsWithTheSameJsonAndParams() throws IOException {
        Path external = Files.write(root.resolve("other-0001.params"), new byte[] {1, 2, 3});
        ArtifactContents contents = ArtifactContents.builder().setModelJson(modelJson(1))
                .setReferenceJson(referenceJson()).addParams("fmnist-0000.params", PARAMS)
                .addParams("fmnist-0001.params", external).build();

        int version = store().write(NAME, contents);
        ModelArtifact artifact = store().load(NAME, version);

        assertThat(version).isEqualTo(1);
        assertThat(artifact.name()).isEqualTo(NAME);
        assertThat(artifact.version()).isEqualTo(1);
        assertThat(artifact.modelJson()).isEqualTo(modelJson(1));
        assertThat(artifact.referenceJson()).isEqualTo(referenceJson());
        assertThat(artifact.paramsFiles()).extracting(p -> p.getFileName().toString())
                .containsExactly("fmnist-0000.params", "fmnist-0001.params");
        assertThat(Files.readAllBytes(artifact.paramsFiles().get(0))).isEqualTo(PARAMS);
        assertThat(Files.readAllBytes(artifact.paramsFiles().get(1))).containsExactly(1, 2, 3);
        assertThat(artifact.directory()).isEqualTo(versionDir(1));
        assertThat(Files.getPosixFilePermissions(versionDir(1))).as("readable by the agent's user")
                .contains(PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE);
        assertThat(Files.getPosixFilePermissions(versionDir(1).resolve("../latest"))).contains(PosixFilePermission.OTHERS_READ);
    }

    @Test
    void versionsIncreaseAndLatestFollowsTheNewestWrite() {
        ModelStore store = store();
        assertThat(store.latestVersion(NAME)).isEmpty();
        assertThat(store.write(NAME, contents())).isEqualTo(1);
        assertThat(store.write(NAME, contents())).isEqualTo(2);
        assertThat(store.write("other", contents())).isEqualTo(1);

        assertThat(store.versions(NAME)).containsExactly(1, 2);
        assertThat(store.latestVersion(NAME)).hasValue(2);
        assertThat(store.loadLatest(NAME).version()).isEqualTo(2);
        assertThat(store.models()).containsExactly(NAME, "other");
    }

    @Test
    void sha256sumsIsInTheFormatOfCoreutilsSha256sum() throws Exception {
        store().write(NAME, contents());
        Path dir = versionDir(1);
        List<String> expected = new ArrayList<>();
        for (String file : List.of("fmnist-0000.params", "model.json", "reference.json")) {
            expected.add(sha256(Files.readAllBytes(dir.resolve(file))) + "  " + file);
        }
        assertThat(Files.readAllLines(dir.resolve("SHA256SUMS"))).containsExactlyElementsOf(expected);
    }

    @Test
    void corruptParamsAreRefusedNamingTheFile() throws IOException {
        store().write(NAME, contents());
        Path params = versionDir(1).resolve("fmnist-0000.params");
        byte[] bytes = Files.readAllBytes(params);
        bytes[3] ^= 1;
        Files.write(params, bytes);

        assertThatThrownBy(() -> store().load(NAME, 1)).isInstanceOfSatisfying(ArtifactException.class, e -> {
            assertThat(e).hasMessage("model 'fmnist' v1: SHA256 mismatch for fmnist-0000.params; the artifact is corrupt");
            assertThat(e.modelName()).isEqualTo(NAME);
            assertThat(e.version()).isEqualTo(1);
        });
    }

    @Test
    void missingListedFileIsRefused() throws IOException {
        store().write(NAME, contents());
        Files.delete(versionDir(1).resolve("reference.json"));
        assertThatThrownBy(() -> store().load(NAME, 1)).isInstanceOf(ArtifactException.class)
                .hasMessage("model 'fmnist' v1: SHA256SUMS lists reference.json but the file is missing; "
                        + "the artifact is incomplete");
    }

    @Test
    void missingChecksumFileIsRefused() throws IOException {
        store().write(NAME, contents());
        Files.delete(versionDir(1).resolve("SHA256SUMS"));
        assertThatThrownBy(() -> store().load(NAME, 1)).isInstanceOf(ArtifactException.class)
                .hasMessageContaining("SHA256SUMS is missing");
    }

    @Test
    void fileNotListedInChecksumsIsRefused() throws IOException {
        store().write(NAME, contents());
        Files.write(versionDir(1).resolve("fmnist-0009.params"), PARAMS);
        assertThatThrownBy(() -> store().load(NAME, 1)).isInstanceOf(ArtifactException.class)
                .hasMessageContaining("'fmnist-0009.params' is not listed in SHA256SUMS");
    }

    @Test
    void malformedChecksumLineIsRefused() throws IOException {
        store().write(NAME, contents());
        Files.writeString(versionDir(1).resolve("SHA256SUMS"), "abc  model.json\n");
        assertThatThrownBy(() -> store().load(NAME, 1)).isInstanceOf(ArtifactException.class)
                .hasMessageContaining("SHA256SUMS line 1 is not '<sha256>  <file>'");
    }

    @Test
    void unknownFormatVersionIsRefusedOnLoad() throws Exception {
        store().write(NAME, contents());
        replaceConsistently(1, "model.json", modelJson(7).toString());
        assertThatThrownBy(() -> store().load(NAME, 1)).isInstanceOf(ArtifactException.class)
                .hasMessage("model 'fmnist' v1: model.json formatVersion 7 is not supported (this build reads 1); "
                        + "upgrade Varshift");
    }

    @Test
    void unknownFormatVersionIsRefusedOnWrite() {
        assertThatThrownBy(() -> ArtifactContents.builder().setModelJson(modelJson(2))
                .setReferenceJson(referenceJson()).addParams("a.params", PARAMS).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("formatVersion 2 is not supported");
        assertThatThrownBy(() -> ArtifactContents.builder().setModelJson(Json.object())
                .setReferenceJson(referenceJson()).addParams("a.params", PARAMS).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no numeric formatVersion");
    }

    @Test
    void invalidJsonIsRefused() throws Exception {
        store().write(NAME, contents());
        replaceConsistently(1, "reference.json", "{\"layers\": [");
        assertThatThrownBy(() -> store().load(NAME, 1)).isInstanceOf(ArtifactException.class)
                .hasMessageContaining("reference.json is not valid JSON");
        replaceConsistently(1, "reference.json", "[1, 2]");
        assertThatThrownBy(() -> store().load(NAME, 1)).isInstanceOf(ArtifactException.class)
                .hasMessageContaining("reference.json must hold a JSON object");
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"..", "../etc", "a/b", "a\\b", ".hidden", "Fmnist", "a..b", "-x",
        "a2345678901234567890123456789012345678901234567890123456789012345"})
    void pathTraversalAndInvalidModelNamesAreRefused(String name) {
        ModelStore store = store();
        assertThatThrownBy(() -> store.write(name, contents())).isInstanceOf(ArtifactException.class)
                .hasMessageContaining("invalid model name");
        assertThatThrownBy(() -> store.load(name, 1)).isInstanceOf(ArtifactException.class);
        assertThatThrownBy(() -> store.versions(name)).isInstanceOf(ArtifactException.class);
        assertThat(ModelStore.isValidModelName(name)).isFalse();
        assertThat(root.resolve("models")).doesNotExist();
    }

    @Test
    void contentsNeedBothJsonFilesAndParams() {
        assertThatThrownBy(() -> ArtifactContents.builder().setModelJson(modelJson(1)).addParams("a.params", PARAMS).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reference.json (setReferenceJson)");
        assertThatThrownBy(() -> ArtifactContents.builder().setModelJson(modelJson(1)).setReferenceJson(referenceJson()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one .params file");
        assertThatThrownBy(() -> ArtifactContents.builder().addParams("a.params", PARAMS).addParams("a.params", PARAMS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a.params' is added twice");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x.params", "x.bin", ".params", "a/b.params", "SHA256SUMS", "model.json"})
    void invalidParamsFileNamesAreRefused(String file) {
        assertThatThrownBy(() -> ArtifactContents.builder().addParams(file, PARAMS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is invalid");
    }

    @Test
    void nonPositiveOrAbsentVersionIsRefusedWithTheVersionsPresent() {
        store().write(NAME, contents());
        assertThatThrownBy(() -> store().load(NAME, 0)).hasMessageContaining("positive integer");
        assertThatThrownBy(() -> store().load(NAME, 5)).isInstanceOf(ArtifactException.class)
                .hasMessageContaining("model 'fmnist' v5: not found").hasMessageContaining("(versions present: [1])");
        assertThatThrownBy(() -> store().loadLatest("empty")).isInstanceOf(ArtifactException.class)
                .hasMessageContaining("model 'empty': no versions");
    }

    @Test
    void leftoversOfACrashedWriteAreIgnored() throws IOException {
        store().write(NAME, contents());
        Path modelDir = root.resolve("models").resolve(NAME);
        Files.createDirectories(modelDir.resolve(".tmp-123456"));
        Files.write(modelDir.resolve(".tmp-123456").resolve("model.json"), new byte[] {'{'});
        Files.createDirectories(modelDir.resolve("007"));
        Files.createDirectories(modelDir.resolve("99x"));
        Files.createDirectories(root.resolve("models").resolve("half-written").resolve(".tmp-1"));

        assertThat(store().versions(NAME)).containsExactly(1);
        assertThat(store().models()).containsExactly(NAME);
        assertThat(store().write(NAME, contents())).isEqualTo(2);
        assertThat(store().loadLatest(NAME).version()).isEqualTo(2);
    }

    @Test
    void latestFallsBackToTheHighestVersionWhenThePointerIsMissingOrStale() throws IOException {
        store().write(NAME, contents());
        store().write(NAME, contents());
        Path pointer = root.resolve("models").resolve(NAME).resolve("latest");
        assertThat(Files.readString(pointer)).isEqualTo("2\n");

        Files.delete(pointer);
        assertThat(store().latestVersion(NAME)).hasValue(2);
        Files.writeString(pointer, "garbage");
        assertThat(store().latestVersion(NAME)).hasValue(2);
        Files.writeString(pointer, "9\n");
        assertThat(store().latestVersion(NAME)).hasValue(2);
        Files.writeString(pointer, "1\n");
        assertThat(store().latestVersion(NAME)).as("the pointer is what was published").hasValue(1);
        assertThat(store().write(NAME, contents())).as("never reuses a version").isEqualTo(3);
    }

    @Test
    void concurrentWritersGetDistinctIncreasingVersions() throws Exception {
        int writers = 6;
        int each = 5;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<List<Integer>>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                futures.add(pool.submit(() -> {
                    ModelStore own = new ModelStore(root);
                    List<Integer> got = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        got.add(own.write(NAME, contents()));
                    }
                    return got;
                }));
            }
            List<Integer> all = new ArrayList<>();
            for (Future<List<Integer>> future : futures) {
                List<Integer> got = future.get();
                assertThat(got).isSorted();
                all.addAll(got);
            }
            assertThat(all).containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, writers * each).boxed().toList());
        } finally {
            pool.shutdownNow();
        }
        assertThat(store().latestVersion(NAME)).hasValue(writers * each);
        assertThat(store().load(NAME, writers * each).paramsFiles()).hasSize(1);
    }

    @Test
    void writersInSeparateProcessesGetDistinctVersions() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        int processes = 3;
        int each = 20;
        List<Process> started = new ArrayList<>();
        for (int p = 0; p < processes; p++) {
            started.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    StoreWriterProcess.class.getName(), root.toString(), NAME, Integer.toString(each), Integer.toString(p))
                    .redirectErrorStream(true).start());
        }
        for (int p = 0; p < processes; p++) {
            while (!Files.exists(root.resolve("ready-" + p)) && started.get(p).isAlive()) {
                Thread.sleep(2);
            }
        }
        Files.createFile(root.resolve("go"));
        List<Integer> all = new ArrayList<>();
        for (Process process : started) {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor()).as(output).isZero();
            output.lines().map(Integer::valueOf).forEach(all::add);
        }
        assertThat(all).containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, processes * each).boxed().toList());
        assertThat(store().latestVersion(NAME)).hasValue(processes * each);
    }

    @Test
    void missingSourceParamsFileFailsTheWriteAndLeavesNoVersion() {
        ArtifactContents contents = ArtifactContents.builder().setModelJson(modelJson(1))
                .setReferenceJson(referenceJson()).addParams("fmnist-0000.params", root.resolve("absent.params")).build();
        assertThatThrownBy(() -> store().write(NAME, contents)).isInstanceOf(ArtifactException.class)
                .hasMessageContaining("absent.params does not exist");
        assertThat(store().versions(NAME)).isEmpty();
        assertThat(root.resolve("models").resolve(NAME)).isDirectoryNotContaining("glob:**/.tmp-*");
    }
}
