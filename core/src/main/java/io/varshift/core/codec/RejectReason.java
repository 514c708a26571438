package io.varshift.core.codec;

import java.util.Locale;

/**
 * Why a traffic record was not accepted. Every rejection carries exactly one reason; the agent counts
 * them as {@code varshift_records_rejected_total{reason}} and writes it to the dead-letter header.
 */
public enum RejectReason {
    /** The value is neither NPY (magic {@code \x93NUMPY}) nor JSON. */
    BAD_MAGIC,
    /** The {@code content-type} header names a format other than NPY or JSON. */
    UNSUPPORTED_CONTENT_TYPE,
    /** NPY format version other than 1.0 or 2.0. */
    UNSUPPORTED_VERSION,
    /** The NPY header dictionary is malformed, incomplete, or disagrees with the data length. */
    BAD_HEADER,
    /** NPY dtype other than {@code <f4} or {@code |u1}. */
    UNSUPPORTED_DTYPE,
    /** NPY array stored in Fortran (column-major) order. */
    FORTRAN_ORDER,
    /** The value's shape is neither the model's sample shape nor a batch of it. */
    SHAPE_MISMATCH,
    /** A value is NaN or infinite. */
    NOT_FINITE,
    /** The record exceeds the configured maximum bytes or samples. */
    OVERSIZE,
    /** The value ends before the declared header or data does. */
    TRUNCATED,
    /** The JSON value is not valid JSON or not of the documented form. */
    BAD_JSON,
    /** The model named in the record's header is not served (decided by the caller). */
    UNKNOWN_MODEL,
    /** The record has no {@code varshift-model} header (decided by the caller). */
    MISSING_MODEL_HEADER,
    /** The value is absent, zero bytes long, or holds zero samples. */
    EMPTY;

    private final String metricName = name().toLowerCase(Locale.ROOT);

    /** The reason in lower snake case, as used for the {@code reason} metric label and dead-letter header. */
    public String metricName() {
        return metricName;
    }
}
