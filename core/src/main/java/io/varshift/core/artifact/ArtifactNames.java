package io.varshift.core.artifact;

import java.util.regex.Pattern;

/** Names that may appear in the store: model names and file names; neither can traverse paths. */
final class ArtifactNames {
    private static final Pattern MODEL = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern PARAMS = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,120}\\.params");
    private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,8}");

    static final String MODEL_JSON = "model.json";
    static final String REFERENCE_JSON = "reference.json";
    static final String SHA256SUMS = "SHA256SUMS";
    static final String LATEST = "latest";
    static final String TEMP_PREFIX = ".tmp-";

    private ArtifactNames() {
    }

    static boolean isModelName(String name) {
        return name != null && MODEL.matcher(name).matches() && !name.contains("..");
    }

    static boolean isParamsName(String name) {
        return name != null && PARAMS.matcher(name).matches() && !name.contains("..");
    }

    /** A version directory name: canonical decimal of a positive int, so "007" or "1e3" are not versions. */
    static int parseVersion(String name) {
        return name != null && VERSION.matcher(name).matches() ? Integer.parseInt(name) : -1;
    }

    static String modelRule() {
        return "names match [a-z0-9][a-z0-9._-]{0,63} without '..'";
    }
}
