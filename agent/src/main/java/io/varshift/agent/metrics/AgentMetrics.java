package io.varshift.agent.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.varshift.core.window.LayerVerdict;
import io.varshift.core.window.Signal;
import io.varshift.core.window.WindowVerdict;
import io.varshift.core.shift.LayerStatistics;

/**
 * The agent's Prometheus meters, named as documented in metrics.md. Per-layer gauges carry model,
 * version and layer and are {@link MultiGauge}s: each window re-registers the rows of every layer
 * still served, so when a model moves to a new version the old version's rows go away with it.
 */
public final class AgentMetrics {

    /** The per-layer gauges and how each reads a layer's latest window. */
    private static final Map<String, ToDoubleFunction<LayerRow>> LAYER_GAUGES = layerGauges();
    /** The per-model gauges and how each reads a model's latest window verdict. */
    private static final Map<String, ToDoubleFunction<WindowVerdict>> MODEL_GAUGES = modelGauges();

    private final MeterRegistry registry;
    private final Map<String, MultiGauge> layerGauges = new LinkedHashMap<>();
    /** Latest window of every served layer, keyed by model, version and layer; guarded by {@code this}. */
    private final Map<Tags, LayerRow> layers = new LinkedHashMap<>();
    private final Map<String, MultiGauge> modelGauges = new LinkedHashMap<>();
    /** Latest window verdict of every served model version; guarded by {@code this}. */
    private final Map<Tags, WindowVerdict> models = new LinkedHashMap<>();
    private final Map<String, Timer> forwardTimers = new ConcurrentHashMap<>();
    /** Per-record counters by model (or reason), looked up once instead of registered on every record. */
    private final Map<String, Counter> consumedCounters = new ConcurrentHashMap<>();
    private final Map<String, Counter> rejectedCounters = new ConcurrentHashMap<>();
    private final Map<String, Counter> sampledOutCounters = new ConcurrentHashMap<>();
    private final Counter truncatedDeadLetters;
    private final Counter loopRestarts;
    private final AtomicLong lag = new AtomicLong();

    public AgentMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("varshift.consumer.lag.records", lag, AtomicLong::doubleValue)
                .description("Records behind the end of the assigned partitions, summed")
                .baseUnit("records")
                .register(registry);
        LAYER_GAUGES.keySet().forEach(name -> layerGauges.put(name, MultiGauge.builder(name).register(registry)));
        MODEL_GAUGES.keySet().forEach(name -> modelGauges.put(name, MultiGauge.builder(name).register(registry)));
        truncatedDeadLetters = counter("varshift.dead.letters.truncated",
                "Rejected records dead-lettered in bounded form because they could not be written whole", Tags.empty());
        loopRestarts = counter("varshift.loop.restarts",
                "Restarts of the consumer loop after a transient failure (new clients, replay from the last commit)",
                Tags.empty());
    }

    private static Map<String, ToDoubleFunction<LayerRow>> layerGauges() {
        Map<String, ToDoubleFunction<LayerRow>> gauges = new LinkedHashMap<>();
        gauges.put("varshift.layer.variance.ratio", r -> r.statistics.varianceRatio());
        gauges.put("varshift.layer.variance.shift", r -> r.statistics.varianceShift());
        gauges.put("varshift.layer.channel.shift.max", r -> r.statistics.maxChannelShift());
        gauges.put("varshift.layer.mean.shift", r -> r.statistics.meanShift());
        gauges.put("varshift.layer.drift.score", r -> r.drift.score());
        gauges.put("varshift.layer.drift.threshold", r -> r.drift.threshold());
        gauges.put("varshift.layer.alarm.state", r -> r.drift.state().gaugeValue());
        return Map.copyOf(gauges);
    }

    private static Map<String, ToDoubleFunction<WindowVerdict>> modelGauges() {
        Map<String, ToDoubleFunction<WindowVerdict>> gauges = new LinkedHashMap<>();
        gauges.put("varshift.model.drift.score", v -> v.model().score());
        gauges.put("varshift.model.drift.threshold", v -> v.model().threshold());
        gauges.put("varshift.model.alarm.state", v -> v.model().state().gaugeValue());
        gauges.put("varshift.model.prediction.mix.score", v -> v.predictionMix().score());
        gauges.put("varshift.model.prediction.mix.alarm.state", v -> v.predictionMix().state().gaugeValue());
        gauges.put("varshift.model.sequential.statistic", v -> v.sequential().statistic());
        gauges.put("varshift.model.sequential.threshold", v -> v.sequential().threshold());
        return gauges;
    }

    public void consumed(String model, int records) {
        consumedCounters.computeIfAbsent(model, m -> counter("varshift.records.consumed", "Valid records consumed",
                Tags.of("model", m))).increment(records);
    }

    /** Rejected records; {@code reason} is a RejectReason metric name (bounded). */
    public void rejected(String reason) {
        rejectedCounters.computeIfAbsent(reason, r -> counter("varshift.records.rejected",
                "Records sent to the dead-letter topic", Tags.of("reason", r))).increment();
    }

    public void deadLetterTruncated() {
        truncatedDeadLetters.increment();
    }

    public void loopRestarted() {
        loopRestarts.increment();
    }

    public void sampledOut(String model) {
        sampledOutCounters.computeIfAbsent(model, m -> counter("varshift.records.sampled.out",
                "Valid records skipped by sampling", Tags.of("model", m))).increment();
    }

    public void windowClosed(String model, String version) {
        counter("varshift.windows.closed", "Windows published",
                Tags.of("model", model, "version", version)).increment();
    }

    /** A layer's alarm transition. */
    public void transition(String model, String layer, String to) {
        counter("varshift.alarm.transitions", "Alarm state transitions",
                Tags.of("model", model, "layer", layer, "to", to)).increment();
    }

    /** A model-level transition: {@code kind} is {@code model} (covariate) or {@code prediction-mix}. */
    public void modelTransition(String model, String kind, String to) {
        counter("varshift.model.alarm.transitions", "Model-level alarm state transitions",
                Tags.of("model", model, "kind", kind, "to", to)).increment();
    }

    /** A window too small to judge (a time window with fewer samples than the judge needs). */
    public void windowUnjudged(String model) {
        counter("varshift.windows.unjudged", "Windows published without a verdict: too few samples to judge",
                Tags.of("model", model)).increment();
    }

    /** A partial (one model's share of a partition's slice) published in fleet mode. */
    public void partialPublished(String model) {
        counter("varshift.fleet.partials.published", "Partials published to the fleet judge (fleet mode)",
                Tags.of("model", model)).increment();
    }

    /** A partial the fleet judge could not use; {@code reason} is bounded (malformed, unknown_version, layers). */
    public void partialRejected(String reason) {
        counter("varshift.fleet.partials.rejected", "Partials the fleet judge refused, by reason",
                Tags.of("reason", reason)).increment();
    }

    /** {@code outcome} is {@code loaded} or {@code refused}. */
    public void reload(String model, String outcome) {
        counter("varshift.model.reloads", "Model versions loaded or refused",
                Tags.of("model", model, "outcome", outcome)).increment();
    }

    public void forwardNanos(String model, long nanos) {
        forwardTimers.computeIfAbsent(model, m -> Timer.builder("varshift.forward")
                        .description("Eval forward with BN probes, per micro-batch")
                        .tags("model", m)
                        .publishPercentileHistogram()
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    public void lag(long records) {
        lag.set(records);
    }

    /** Sets the model's and its layers' gauges from a window's verdict. */
    public synchronized void window(String model, String version, WindowVerdict verdict) {
        for (LayerVerdict layer : verdict.layers()) {
            layers.put(Tags.of("model", model, "version", version, "layer", layer.layer()),
                    new LayerRow(layer.statistics(), layer.drift()));
        }
        models.put(Tags.of("model", model, "version", version), verdict);
        registerRows();
    }

    /** Removes every per-layer gauge of the model's {@code version}; called when the model moves on. */
    public synchronized void removeVersion(String model, String version) {
        if (layers.keySet().removeIf(tags -> tags.stream().anyMatch(t -> t.getKey().equals("model")
                && t.getValue().equals(model)) && tags.stream().anyMatch(t -> t.getKey().equals("version")
                && t.getValue().equals(version)))) {
            models.remove(Tags.of("model", model, "version", version));
            registerRows();
        }
    }

    /** Overwriting registration: rows no longer in {@link #layers} are removed from the registry. */
    private void registerRows() {
        LAYER_GAUGES.forEach((name, read) -> {
            List<MultiGauge.Row<?>> rows = new ArrayList<>(layers.size());
            layers.forEach((tags, row) -> rows.add(MultiGauge.Row.of(tags, row, read)));
            layerGauges.get(name).register(rows, true);
        });
        MODEL_GAUGES.forEach((name, read) -> {
            List<MultiGauge.Row<?>> rows = new ArrayList<>(models.size());
            models.forEach((tags, verdict) -> rows.add(MultiGauge.Row.of(tags, verdict, read)));
            modelGauges.get(name).register(rows, true);
        });
    }

    private Counter counter(String name, String description, Tags tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    /** One layer's latest window, read by the registry on scrape (immutable, replaced per window). */
    private record LayerRow(LayerStatistics statistics, Signal drift) {
    }
}
