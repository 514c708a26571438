package io.varshift.core.artifact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A directory of versioned model artifacts: {@code <root>/models/<name>/<version>/} holding
 * {@code model.json}, {@code reference.json}, {@code *.params} and {@code SHA256SUMS}, plus a
 * {@code <root>/models/<name>/latest} pointer. Versions are written into a temp directory, fsynced and
 * renamed into place, so readers never see a partial version; loads verify every checksum.
 */
public final class ModelStore {
    /** Cap on {@code model.json} and {@code reference.json}. */
    public static final long MAX_JSON_BYTES = 16L << 20;
    /** Cap on one {@code *.params} file. */
    public static final long MAX_PARAMS_BYTES = 4L << 30;
    private static final long MAX_SUMS_BYTES = 1L << 20;
    private static final int MAX_VERSION = 999_999_999;
    /** Serialises writers inside this JVM; the file lock serialises JVMs (it is held per JVM, not per thread). */
    private static final Object JVM_WRITE_LOCK = new Object();
    private static final Set<PosixFilePermission> DIRECTORY_PERMISSIONS = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-r--r--");
    private final Path models;

    public ModelStore(Path root) {
        this.models = root.toAbsolutePath().normalize().resolve("models");
    }

    /** Whether {@code name} is a valid model name ({@code [a-z0-9][a-z0-9._-]{0,63}}, no '..'). */
    public static boolean isValidModelName(String name) {
        return ArtifactNames.isModelName(name);
    }

    /** Models with at least one version, sorted. */
    public List<String> models() {
        List<String> names = new ArrayList<>();
        for (Path dir : list(models, null, 0)) {
            String name = dir.getFileName().toString();
            if (ArtifactNames.isModelName(name) && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                    && !versions(name).isEmpty()) {
                names.add(name);
            }
        }
        names.sort(Comparator.naturalOrder());
        return names;
    }

    /** Complete versions of {@code name}, ascending; temp directories of interrupted writes are ignored. */
    public List<Integer> versions(String name) {
        checkName(name);
        List<Integer> versions = new ArrayList<>();
        for (Path dir : list(models.resolve(name), name, 0)) {
            int version = ArtifactNames.parseVersion(dir.getFileName().toString());
            if (version > 0 && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                versions.add(version);
            }
        }
        versions.sort(Comparator.naturalOrder());
        return versions;
    }

    /**
     * The published version: the {@code latest} pointer when it names an existing version (one small read,
     * cheap enough to poll), else the highest version directory; empty when there is none.
     */
    public OptionalInt latestVersion(String name) {
        checkName(name);
        Path modelDir = models.resolve(name);
        int pointer = readPointer(modelDir);
        if (pointer > 0 && Files.isDirectory(modelDir.resolve(Integer.toString(pointer)), LinkOption.NOFOLLOW_LINKS)) {
            return OptionalInt.of(pointer);
        }
        List<Integer> versions = versions(name);
        return versions.isEmpty() ? OptionalInt.empty() : OptionalInt.of(versions.get(versions.size() - 1));
    }

    /** Version {@code version} of the model, or its latest when {@code version} is null. */
    public ModelArtifact loadVersionOrLatest(String name, Integer version) {
        return version == null ? loadLatest(name) : load(name, version);
    }

    /** Loads the latest version; see {@link #load}. */
    public ModelArtifact loadLatest(String name) {
        OptionalInt latest = latestVersion(name);
        if (latest.isEmpty()) {
            throw new ArtifactException(name, 0, "no versions in " + models + "; train or import one first");
        }
        return load(name, latest.getAsInt());
    }

    /**
     * Loads and verifies one version: every file listed in SHA256SUMS exists and matches, no unlisted
     * file is present, both JSON files parse as objects within {@link #MAX_JSON_BYTES}, and
     * {@code model.json} has this build's format version.
     */
    public ModelArtifact load(String name, int version) {
        checkName(name);
        if (version < 1) {
            throw new ArtifactException(name, 0, "version must be a positive integer, got " + version);
        }
        Path dir = models.resolve(name).resolve(Integer.toString(version));
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new ArtifactException(name, version, "not found in " + models + " (versions present: "
                    + versions(name) + ")");
        }
        Map<String, String> sums = readSums(name, version, dir);
        checkNoUnlistedFiles(name, version, dir, sums);
        ObjectNode modelJson = null;
        ObjectNode referenceJson = null;
        List<Path> params = new ArrayList<>();
        for (Map.Entry<String, String> entry : sums.entrySet()) {
            String file = entry.getKey();
            Path path = dir.resolve(file);
            if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                throw new ArtifactException(name, version, "SHA256SUMS lists " + file
                        + " but the file is missing; the artifact is incomplete");
            }
            boolean json = !ArtifactNames.isParamsName(file);
            long size = size(name, version, path);
            long cap = json ? MAX_JSON_BYTES : MAX_PARAMS_BYTES;
            if (size > cap) {
                throw new ArtifactException(name, version, file + " has " + size + " bytes, more than the limit of "
                        + cap);
            }
            if (json) {
                byte[] bytes = readAll(name, version, path);
                checkSum(name, version, file, entry.getValue(), sha256(bytes));
                ObjectNode parsed = parseObject(name, version, file, bytes);
                if (file.equals(ArtifactNames.MODEL_JSON)) {
                    modelJson = parsed;
                } else {
                    referenceJson = parsed;
                }
            } else {
                checkSum(name, version, file, entry.getValue(), sha256(name, version, path));
                params.add(path);
            }
        }
        String problem = ModelArtifact.formatVersionProblem(modelJson);
        if (problem != null) {
            throw new ArtifactException(name, version, problem);
        }
        return new ModelArtifact(name, version, dir, modelJson, referenceJson, params);
    }

    /**
     * Writes {@code contents} as the next version of {@code name} and points {@code latest} at it.
     * Concurrent writers, in this JVM or others sharing the directory, get distinct increasing versions.
     *
     * @return the version written
     */
    public int write(String name, ArtifactContents contents) {
        checkName(name);
        Path modelDir = models.resolve(name);
        Path temp;
        try {
            Files.createDirectories(modelDir);
            temp = Files.createTempDirectory(modelDir, ArtifactNames.TEMP_PREFIX);
            shareReadable(temp, DIRECTORY_PERMISSIONS);
        } catch (IOException e) {
            throw new ArtifactException(name, 0, "cannot create a version directory under " + modelDir + ": " + e, e);
        }
        try {
            Map<String, String> sums = new TreeMap<>();
            // model.json is read by people: indented. reference.json is data that grows with the calibration
            // (the cell score fits: 4.6 MB indented, one number per line, for the Fashion-MNIST ConvNet): one line.
            sums.put(ArtifactNames.MODEL_JSON,
                    writeJson(name, temp, ArtifactNames.MODEL_JSON, Json.pretty(contents.modelJsonUnsafe())));
            sums.put(ArtifactNames.REFERENCE_JSON,
                    writeJson(name, temp, ArtifactNames.REFERENCE_JSON, Json.compact(contents.referenceJsonUnsafe())));
            for (Map.Entry<String, ArtifactContents.Source> entry : contents.params().entrySet()) {
                sums.put(entry.getKey(), writeParams(name, temp.resolve(entry.getKey()), entry.getValue()));
            }
            StringBuilder text = new StringBuilder();
            sums.forEach((file, sum) -> text.append(sum).append("  ").append(file).append('\n'));
            writeSynced(temp.resolve(ArtifactNames.SHA256SUMS), text.toString().getBytes(StandardCharsets.US_ASCII));
            syncDirectory(temp);
            return publish(name, modelDir, temp);
        } catch (IOException e) {
            throw new ArtifactException(name, 0, "writing a new version failed: " + e, deleteTree(temp, e));
        } catch (RuntimeException e) {
            deleteTree(temp, e);
            throw e;
        }
    }

    private static int publish(String name, Path modelDir, Path temp) throws IOException {
        synchronized (JVM_WRITE_LOCK) {
            try (FileChannel lockFile = FileChannel.open(modelDir.resolve(".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockFile.lock()) {
                int highest = Math.max(0, readPointer(modelDir));
                for (Path dir : list(modelDir, name, 0)) {
                    highest = Math.max(highest, ArtifactNames.parseVersion(dir.getFileName().toString()));
                }
                if (highest >= MAX_VERSION) {
                    throw new ArtifactException(name, highest, "no version numbers left after " + highest);
                }
                int version = highest + 1;
                Files.move(temp, modelDir.resolve(Integer.toString(version)), StandardCopyOption.ATOMIC_MOVE);
                syncDirectory(modelDir);
                Path pointerTemp = Files.createTempFile(modelDir, ArtifactNames.TEMP_PREFIX, ".latest");
                shareReadable(pointerTemp, FILE_PERMISSIONS);
                Files.write(pointerTemp, (version + "\n").getBytes(StandardCharsets.US_ASCII),
                        StandardOpenOption.WRITE, StandardOpenOption.SYNC);
                Files.move(pointerTemp, modelDir.resolve(ArtifactNames.LATEST), StandardCopyOption.ATOMIC_MOVE);
                syncDirectory(modelDir);
                return version;
            }
        }
    }

    private static String writeJson(String name, Path dir, String file, String json) throws IOException {
        byte[] bytes = (json + "\n").getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_JSON_BYTES) {
            throw new ArtifactException(name, 0, file + " would have " + bytes.length + " bytes, more than the limit of "
                    + MAX_JSON_BYTES);
        }
        writeSynced(dir.resolve(file), bytes);
        return sha256(bytes);
    }

    private static String writeParams(String name, Path target, ArtifactContents.Source source) throws IOException {
        if (source.bytes() != null) {
            writeSynced(target, source.bytes());
            return sha256(source.bytes());
        }
        Path from = source.path();
        if (!Files.isRegularFile(from)) {
            throw new ArtifactException(name, 0, "params file " + from + " does not exist or is not a regular file");
        }
        if (Files.size(from) > MAX_PARAMS_BYTES) {
            throw new ArtifactException(name, 0, "params file " + from + " is larger than the limit of "
                    + MAX_PARAMS_BYTES + " bytes");
        }
        MessageDigest digest = Sha256.newDigest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(from), digest);
             FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                while (chunk.hasRemaining()) {
                    out.write(chunk);
                }
            }
            out.force(true);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void writeSynced(Path file, byte[] bytes) throws IOException {
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(true);
        }
    }

    /** Temp files are created owner-only; the published store must be readable by the agent's user too. */
    private static void shareReadable(Path path, Set<PosixFilePermission> permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(path, permissions);
        } catch (UnsupportedOperationException notPosix) {
            // non-POSIX file systems keep their default permissions, which are not owner-only
        }
    }

    /** Makes a rename durable; some file systems refuse to fsync directories, and the rename stays atomic. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException refused) {
            // best effort by design: durability of the rename, not its atomicity, depends on it
        }
    }

    private static Throwable deleteTree(Path dir, Throwable cause) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
        return cause;
    }

    private static Map<String, String> readSums(String name, int version, Path dir) {
        Path file = dir.resolve(ArtifactNames.SHA256SUMS);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new ArtifactException(name, version, "SHA256SUMS is missing; the artifact is incomplete or was "
                    + "not written by Varshift");
        }
        if (size(name, version, file) > MAX_SUMS_BYTES) {
            throw new ArtifactException(name, version, "SHA256SUMS is larger than " + MAX_SUMS_BYTES + " bytes");
        }
        String text = new String(readAll(name, version, file), StandardCharsets.US_ASCII);
        Map<String, String> sums = new TreeMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty() && i == lines.length - 1) {
                break;
            }
            String file1 = line.length() > 66 ? line.substring(66) : "";
            boolean wellFormed = line.length() > 66 && line.substring(0, 64).matches("[0-9a-fA-F]{64}")
                    && line.charAt(64) == ' ' && (line.charAt(65) == ' ' || line.charAt(65) == '*')
                    && (file1.equals(ArtifactNames.MODEL_JSON) || file1.equals(ArtifactNames.REFERENCE_JSON)
                    || ArtifactNames.isParamsName(file1));
            if (!wellFormed) {
                throw new ArtifactException(name, version, "SHA256SUMS line " + (i + 1)
                        + " is not '<sha256>  <file>' for an artifact file; the artifact is corrupt");
            }
            if (sums.put(file1, line.substring(0, 64).toLowerCase(Locale.ROOT)) != null) {
                throw new ArtifactException(name, version, "SHA256SUMS lists " + file1 + " twice; the artifact is corrupt");
            }
        }
        for (String required : List.of(ArtifactNames.MODEL_JSON, ArtifactNames.REFERENCE_JSON)) {
            if (!sums.containsKey(required)) {
                throw new ArtifactException(name, version, "SHA256SUMS does not list " + required
                        + "; the artifact is incomplete");
            }
        }
        if (sums.size() == 2) {
            throw new ArtifactException(name, version, "SHA256SUMS lists no .params file; the artifact is incomplete");
        }
        return sums;
    }

    private static void checkNoUnlistedFiles(String name, int version, Path dir, Map<String, String> sums) {
        for (Path path : list(dir, name, version)) {
            String file = path.getFileName().toString();
            if (!file.equals(ArtifactNames.SHA256SUMS) && !sums.containsKey(file)) {
                throw new ArtifactException(name, version, "'" + file + "' is not listed in SHA256SUMS; the "
                        + "artifact was changed after it was written, write a new version instead");
            }
        }
    }

    private static void checkSum(String name, int version, String file, String expected, String actual) {
        if (!expected.equals(actual)) {
            throw new ArtifactException(name, version, "SHA256 mismatch for " + file + "; the artifact is corrupt");
        }
    }

    private static ObjectNode parseObject(String name, int version, String file, byte[] bytes) {
        JsonNode element;
        try {
            element = Json.parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new ArtifactException(name, version, file + " is not valid JSON: " + e.getMessage(), e);
        }
        if (!element.isObject()) {
            throw new ArtifactException(name, version, file + " must hold a JSON object");
        }
        return (ObjectNode) element;
    }

    private static int readPointer(Path modelDir) {
        Path pointer = modelDir.resolve(ArtifactNames.LATEST);
        try {
            if (Files.size(pointer) > 16) {
                return -1;
            }
            return ArtifactNames.parseVersion(Files.readString(pointer, StandardCharsets.US_ASCII).trim());
        } catch (IOException unreadable) {
            return -1;
        }
    }

    private static List<Path> list(Path dir, String name, int version) {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        } catch (NoSuchFileException absent) {
            return entries;
        } catch (IOException e) {
            throw new ArtifactException(name, version, "cannot list " + dir + ": " + e, e);
        }
        return entries;
    }

    private static long size(String name, int version, Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new ArtifactException(name, version, "cannot read " + file.getFileName() + ": " + e, e);
        }
    }

    private static byte[] readAll(String name, int version, Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ArtifactException(name, version, "cannot read " + file.getFileName() + ": " + e, e);
        }
    }

    private static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(Sha256.newDigest().digest(bytes));
    }

    private static String sha256(String name, int version, Path file) {
        MessageDigest digest = Sha256.newDigest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new ArtifactException(name, version, "cannot read " + file.getFileName() + ": " + e, e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private void checkName(String name) {
        if (!ArtifactNames.isModelName(name)) {
            throw new ArtifactException(String.valueOf(name), 0, "invalid model name; " + ArtifactNames.modelRule());
        }
    }
}
