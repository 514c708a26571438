package io.varshift.core.artifact;

/**
 * A model artifact cannot be written, found, read or trusted. The message starts with
 * {@code model 'name' vN:} and says what to do.
 */
public class ArtifactException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String modelName;
    private final int version;

    /**
     * @param modelName the model concerned, or null when the error is about the whole store
     * @param version   the version concerned, or 0 when the error is not about one version
     */
    public ArtifactException(String modelName, int version, String message) {
        this(modelName, version, message, null);
    }

    public ArtifactException(String modelName, int version, String message, Throwable cause) {
        super(prefix(modelName, version) + message, cause);
        this.modelName = modelName;
        this.version = version;
    }

    /** The model concerned, or null when the error is about the whole store. */
    public String modelName() {
        return modelName;
    }

    /** The version concerned, or 0 when the error is not about one version. */
    public int version() {
        return version;
    }

    private static String prefix(String name, int version) {
        if (name == null) {
            return "model store: ";
        }
        return "model '" + name + "'" + (version > 0 ? " v" + version : "") + ": ";
    }
}
