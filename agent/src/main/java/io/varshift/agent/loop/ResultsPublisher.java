package io.varshift.agent.loop;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.jboss.logging.Logger;

import io.varshift.agent.metrics.AgentMetrics;
import io.varshift.core.alarm.AlarmTransition;
import io.varshift.core.window.LayerVerdict;
import io.varshift.core.window.WindowVerdict;

/** Publishes a judged window: its result record, one alert per alarm transition, and the gauges. */
public final class ResultsPublisher {

    private static final Logger LOG = Logger.getLogger(ResultsPublisher.class);

    private final String windowResultsTopic;
    private final String alertsTopic;
    private final ResultSink sink;
    private final AgentMetrics metrics;
    private final boolean withMoments;

    /** @param withMoments whether results carry each layer's moments (fleet windows always do) */
    public ResultsPublisher(String windowResultsTopic, String alertsTopic, ResultSink sink, AgentMetrics metrics,
            boolean withMoments) {
        this.withMoments = withMoments;
        this.windowResultsTopic = windowResultsTopic;
        this.alertsTopic = alertsTopic;
        this.sink = sink;
        this.metrics = metrics;
    }

    public void publish(JudgedWindow judged) {
        ClosedWindow w = judged.window();
        WindowVerdict verdict = judged.verdict();
        String model = w.model();
        String version = w.version();
        byte[] key = model.getBytes(StandardCharsets.UTF_8);
        sink.send(windowResultsTopic, key, WindowJson.bytes(WindowJson.result(judged, withMoments)));
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
        sink.send(alertsTopic, key, WindowJson.bytes(WindowJson.alert(w, kind, layerOrNull, t)));
        LOG.infof("model '%s' v%s %s%s: %s -> %s (score %.3f, threshold %.3f, window %s)", w.model(),
                w.version(), kind, layerOrNull == null ? "" : " " + layerOrNull, t.from(), t.to(),
                t.statistic(), t.threshold(), Long.toHexString(w.windowId()));
    }
}
