package io.varshift.core.codec;

/**
 * Header names and content types of inference traffic records and their dead letters (named apart
 * from Kafka's own {@code RecordHeaders} class, which code beside it often imports).
 */
public final class TrafficHeaders {
    /** The served model's name; required. */
    public static final String MODEL = "varshift-model";
    /** The model version the serving app used; optional. */
    public static final String MODEL_VERSION = "varshift-model-version";
    /** The serving app's request id, carried into dead letters and alerts; optional. */
    public static final String REQUEST_ID = "varshift-request-id";
    /** {@link #NPY} or {@link #JSON}; when absent the value is sniffed. */
    public static final String CONTENT_TYPE = "content-type";
    /** Dead-letter header: {@link RejectReason#metricName()}. */
    public static final String REJECT_REASON = "varshift-reject-reason";
    /** Dead-letter header: the human-readable rejection message. */
    public static final String REJECT_MESSAGE = "varshift-reject-message";

    /** Content type of NPY values. */
    public static final String NPY = "application/x-npy";
    /** Content type of JSON values. */
    public static final String JSON = "application/json";

    private TrafficHeaders() {
    }
}
