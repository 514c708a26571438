package io.varshift.agent.loop;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

import io.varshift.agent.metrics.AgentMetrics;
import io.varshift.core.alarm.AlarmTransition;
import io.varshift.core.window.LayerVerdict;
import io.varshift.core.window.WindowVerdict;

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

    void publish(JudgedWindow judged) {
        ClosedWindow w = judged.window();
        WindowVerdict verdict = judged.verdict();
        String model = w.model().name();
        String version = w.model().version();
        byte[] key = model.getBytes(StandardCharsets.UTF_8);
        outbox.send(new ProducerRecord<>(windowResultsTopic, key, WindowJson.bytes(WindowJson.result(judged))));
        metrics.window(model, version, verdict);
        if (!verdict.judged()) {
            metrics.windowUnjudged(model);
        }
        for (LayerVerdict layer : verdict.layers()) {
            layer.drift().transition().ifPresent(t -> {
                alert(w, key, WindowJson.LAYER, layer.layer(), t);
                metrics.transition(model, layer.layer(), t.to().name().toLowerCase(Locale.ROOT));
            });
        }
        verdict.model().transition().ifPresent(t -> {
            alert(w, key, WindowJson.MODEL, null, t);
            metrics.modelTransition(model, WindowJson.MODEL, t.to().name().toLowerCase(Locale.ROOT));
        });
        verdict.predictionMix().transition().ifPresent(t -> {
            alert(w, key, WindowJson.PREDICTION_MIX, null, t);
            metrics.modelTransition(model, WindowJson.PREDICTION_MIX, t.to().name().toLowerCase(Locale.ROOT));
        });
        metrics.windowClosed(model, version);
    }

    private void alert(ClosedWindow w, byte[] key, String kind, String layerOrNull, AlarmTransition t) {
        outbox.send(new ProducerRecord<>(alertsTopic, key, WindowJson.bytes(WindowJson.alert(w, kind, layerOrNull, t))));
        LOG.infof("model '%s' v%s %s%s: %s -> %s (score %.3f, threshold %.3f, window %s)", w.model().name(),
                w.model().version(), kind, layerOrNull == null ? "" : " " + layerOrNull, t.from(), t.to(),
                t.statistic(), t.threshold(), Long.toHexString(w.windowId()));
    }
}
