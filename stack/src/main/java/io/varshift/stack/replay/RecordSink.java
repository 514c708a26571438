package io.varshift.stack.replay;

import java.util.Map;

/** Where replayed records go: Kafka in production, a list in tests. */
interface RecordSink extends AutoCloseable {

    /** Sends one record; may be asynchronous, failures surface here later or in {@link #flush()}. */
    void send(byte[] value, Map<String, String> headers);

    /** Blocks until every record sent so far is acknowledged. */
    void flush();

    @Override
    void close();
}
