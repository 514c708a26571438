package io.varshift.agent.loop;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

import io.varshift.agent.metrics.AgentMetrics;
import io.varshift.core.alarm.AlarmTransition;

/** Publishes a judged window: its result record, one alert per alarm transition, and the gauges. */
final class ResultsPublisher {

    private static final Logger LOG = Logger.getLogger(ResultsPublisher.class);

    private final String windowResultsTopic;
    private final String alertsTopic;
    private final Outbox outbox;
    private final AgentMetrics metrics;

    ResultsPublisher(String windowResultsTopic, String alertsTopic, Outbox outbox, AgentMetrics metrics) {
        this.windowResultsTopic = windowResultsTopic;
        this.alertsTopic = alertsTopic;
        this.outbox = outbox;
        this.metrics = metrics;
    }

    void publish(WindowVerdict verdict) {
        ClosedWindow w = verdict.window();
        String model = w.model().name();
        String version = w.model().version();
        byte[] key = model.getBytes(StandardCharsets.UTF_8);
        outbox.send(new ProducerRecord<>(windowResultsTopic, key, WindowJson.bytes(WindowJson.result(verdict))));
        for (WindowVerdict.Layer layer : verdict.layers()) {
            metrics.layer(model, version, layer.name(), layer.statistics(), layer.state());
            if (layer.transition().isEmpty()) {
                continue;
            }
            AlarmTransition t = layer.transition().get();
            outbox.send(new ProducerRecord<>(alertsTopic, key, WindowJson.bytes(WindowJson.alert(w, layer.name(), t))));
            metrics.transition(model, layer.name(), t.to().name().toLowerCase(Locale.ROOT));
            LOG.infof("model '%s' v%s layer %s: %s -> %s (drift score %.3f, threshold %.3f, window %s)", model,
                    version, layer.name(), t.from(), t.to(), t.statistic(), t.threshold(),
                    Long.toHexString(w.windowId()));
        }
        metrics.windowClosed(model, version);
    }
}
