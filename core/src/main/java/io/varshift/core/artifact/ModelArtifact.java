package io.varshift.core.artifact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;

/**
 * One verified model version from a {@link ModelStore}: its name, version, the parsed {@code model.json}
 * and {@code reference.json}, and the DJL parameter files. Typed parsing belongs to the owners
 * ({@code ModelSpec.fromJson}, {@code ModelReference.fromJson}).
 */
public final class ModelArtifact {
    /** The {@code formatVersion} of {@code model.json} this build writes and reads. */
    public static final int FORMAT_VERSION = 1;
    /** The member of {@code model.json} that carries the format version. */
    public static final String FORMAT_VERSION_FIELD = "formatVersion";

    private final String name;
    private final int version;
    private final Path directory;
    private final ObjectNode modelJson;
    private final ObjectNode referenceJson;
    private final List<Path> paramsFiles;

    ModelArtifact(String name, int version, Path directory, ObjectNode modelJson, ObjectNode referenceJson,
                  List<Path> paramsFiles) {
        this.name = name;
        this.version = version;
        this.directory = directory;
        this.modelJson = modelJson;
        this.referenceJson = referenceJson;
        this.paramsFiles = List.copyOf(paramsFiles);
    }

    public String name() {
        return name;
    }

    public int version() {
        return version;
    }

    /** The version directory {@code models/<name>/<version>/} (DJL loads parameters from here). */
    public Path directory() {
        return directory;
    }

    /** A copy of the parsed {@code model.json} (the caller may change it). */
    public ObjectNode modelJson() {
        return modelJson.deepCopy();
    }

    /** A copy of the parsed {@code reference.json} (the caller may change it). */
    public ObjectNode referenceJson() {
        return referenceJson.deepCopy();
    }

    /** The {@code *.params} files, sorted by name, all checksum-verified at load. */
    public List<Path> paramsFiles() {
        return paramsFiles;
    }

    @Override
    public String toString() {
        return "model '" + name + "' v" + version + " at " + directory;
    }

    /** Null when {@code model.json} carries this build's format version, else what is wrong and what to do. */
    static String formatVersionProblem(JsonNode modelJson) {
        JsonNode element = modelJson.get(FORMAT_VERSION_FIELD);
        if (element == null || !element.isNumber()) {
            return "model.json has no numeric " + FORMAT_VERSION_FIELD + " (this build reads " + FORMAT_VERSION
                    + "); it was not written by Varshift";
        }
        double value = element.doubleValue();
        if (value != FORMAT_VERSION) {
            String shown = value == Math.rint(value) && Math.abs(value) < 1e15
                    ? Long.toString((long) value) : element.asText();
            return "model.json " + FORMAT_VERSION_FIELD + " " + shown + " is not supported (this build reads "
                    + FORMAT_VERSION + "); upgrade Varshift";
        }
        return null;
    }
}
