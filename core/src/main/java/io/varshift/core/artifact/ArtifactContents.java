package io.varshift.core.artifact;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What {@link ModelStore#write} stores as one version: {@code model.json} (with
 * {@code "formatVersion": 1}), {@code reference.json}, and at least one named {@code *.params} file given
 * as a path or as bytes. Built with {@link #builder()}; validated on {@code build()}.
 */
public final class ArtifactContents {
    private final ObjectNode modelJson;
    private final ObjectNode referenceJson;
    private final Map<String, Source> params;

    private ArtifactContents(Builder builder) {
        this.modelJson = builder.modelJson.deepCopy();
        this.referenceJson = builder.referenceJson.deepCopy();
        this.params = Collections.unmodifiableMap(new TreeMap<>(builder.params));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A copy of {@code model.json}. */
    public ObjectNode modelJson() {
        return modelJson.deepCopy();
    }

    /** A copy of {@code reference.json}. */
    public ObjectNode referenceJson() {
        return referenceJson.deepCopy();
    }

    /** Names of the parameter files, sorted. */
    public Set<String> paramsNames() {
        return params.keySet();
    }

    ObjectNode modelJsonUnsafe() {
        return modelJson;
    }

    ObjectNode referenceJsonUnsafe() {
        return referenceJson;
    }

    Map<String, Source> params() {
        return params;
    }

    /** A parameter file's content: exactly one of path and bytes is set. */
    record Source(Path path, byte[] bytes) {
    }

    public static final class Builder {
        private ObjectNode modelJson;
        private ObjectNode referenceJson;
        private final Map<String, Source> params = new TreeMap<>();

        private Builder() {
        }

        /** Required: the model spec, which must carry {@code "formatVersion": 1}; copied on {@code build()}. */
        public Builder setModelJson(ObjectNode modelJson) {
            this.modelJson = Objects.requireNonNull(modelJson, "modelJson");
            return this;
        }

        /** Required: per-layer reference statistics and calibration; copied on {@code build()}. */
        public Builder setReferenceJson(ObjectNode referenceJson) {
            this.referenceJson = Objects.requireNonNull(referenceJson, "referenceJson");
            return this;
        }

        /** Adds a parameter file copied from {@code file} at write time. */
        public Builder addParams(String name, Path file) {
            return add(name, new Source(Objects.requireNonNull(file, "file"), null));
        }

        /** Adds a parameter file with the given content (copied now). */
        public Builder addParams(String name, byte[] content) {
            return add(name, new Source(null, Objects.requireNonNull(content, "content").clone()));
        }

        public ArtifactContents build() {
            if (modelJson == null || referenceJson == null) {
                throw new IllegalArgumentException("artifact contents need both model.json (setModelJson) and "
                        + "reference.json (setReferenceJson)");
            }
            String problem = ModelArtifact.formatVersionProblem(modelJson);
            if (problem != null) {
                throw new IllegalArgumentException(problem + "; set \"" + ModelArtifact.FORMAT_VERSION_FIELD
                        + "\": " + ModelArtifact.FORMAT_VERSION);
            }
            if (params.isEmpty()) {
                throw new IllegalArgumentException("artifact contents need at least one .params file (addParams)");
            }
            return new ArtifactContents(this);
        }

        private Builder add(String name, Source source) {
            if (!ArtifactNames.isParamsName(name)) {
                throw new IllegalArgumentException("params file name " + quote(name)
                        + " is invalid; use [A-Za-z0-9][A-Za-z0-9._-]* ending in .params, e.g. fmnist-0000.params");
            }
            if (params.putIfAbsent(name, source) != null) {
                throw new IllegalArgumentException("params file " + quote(name) + " is added twice");
            }
            return this;
        }

        private static String quote(String name) {
            return name == null ? "null" : "'" + name + "'";
        }
    }
}
