package io.varshift.stack.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Keeps sent records in memory, as Kafka would hand them to a consumer. */
final class ListSink implements RecordSink {

    record Sent(byte[] value, Map<String, String> headers) {
    }

    final List<Sent> records = new ArrayList<>();
    int flushes;

    @Override
    public void send(byte[] value, Map<String, String> headers) {
        records.add(new Sent(value, Map.copyOf(headers)));
    }

    @Override
    public void flush() {
        flushes++;
    }

    @Override
    public void close() {
    }
}
