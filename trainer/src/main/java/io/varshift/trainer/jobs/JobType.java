package io.varshift.trainer.jobs;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The offline jobs; each runs the same code from the command line and from REST. */
public enum JobType {
    TRAIN("train"),
    REPORT("report"),
    ADJUST_BN("adjust-bn"),
    RECALIBRATE("recalibrate"),
    IMPORT("import");

    private final String wireName;

    JobType(String wireName) {
        this.wireName = wireName;
    }

    /** The name used on the command line and in JSON bodies. */
    public String wireName() {
        return wireName;
    }

    /** Parses a wire name; an unknown one is an {@link InvalidRequestException} on {@code field}. */
    public static JobType fromWireName(String field, String value) {
        for (JobType type : values()) {
            if (type.wireName.equals(value)) {
                return type;
            }
        }
        throw new InvalidRequestException(field, "unknown job type '" + value + "'; use one of "
                + Arrays.stream(values()).map(JobType::wireName).collect(Collectors.joining(", ")));
    }
}
