package io.varshift.agent.loop;

/**
 * Where judged windows and alerts are written: the loop's producer in single-agent mode, the fleet
 * judge's Kafka Streams sinks in fleet mode (both inside a transaction there).
 */
public interface ResultSink {

    void send(String topic, byte[] key, byte[] value);
}
