package io.varshift.agent.metrics;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * The agent's Prometheus meters, named as documented in metrics.md. Per-layer gauges carry
 * model, version and layer; when a model moves to a new version the old version's gauges are
 * removed so that no stale series stays exported.
 */
public final class AgentMetrics {

    /** Per-layer gauges, in the order {@link LayerValues} holds them. */
    static final String[] LAYER_GAUGES = {
        "varshift.layer.variance.ratio",
        "varshift.layer.variance.shift",
        "varshift.layer.channel.shift.max",
        "varshift.layer.mean.shift",
        "varshift.layer.drift.score",
        "varshift.layer.drift.threshold",
        "varshift.layer.alarm.state",
    };

    private final MeterRegistry registry;
    private final Map<String, LayerValues> layers = new ConcurrentHashMap<>();
    private final Map<String, Timer> forwardTimers = new ConcurrentHashMap<>();
    /** Per-record counters by model (or reason), looked up once instead of registered on every record. */
    private final Map<String, Counter> consumedCounters = new ConcurrentHashMap<>();
    private final Map<String, Counter> rejectedCounters = new ConcurrentHashMap<>();
    private final Map<String, Counter> sampledOutCounters = new ConcurrentHashMap<>();
    private final AtomicLong lag = new AtomicLong();

    public AgentMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("varshift.consumer.lag.records", lag, AtomicLong::doubleValue)
                .description("Records behind the end of the assigned partitions, summed")
                .baseUnit("records")
                .register(registry);
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

    public void sampledOut(String model) {
        sampledOutCounters.computeIfAbsent(model, m -> counter("varshift.records.sampled.out",
                "Valid records skipped by sampling", Tags.of("model", m))).increment();
    }

    public void windowClosed(String model, String version) {
        counter("varshift.windows.closed", "Windows published",
                Tags.of("model", model, "version", version)).increment();
    }

    public void transition(String model, String layer, String to) {
        counter("varshift.alarm.transitions", "Alarm state transitions",
                Tags.of("model", model, "layer", layer, "to", to)).increment();
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

    /**
     * Sets a layer's gauges after a window, registering them on first use.
     *
     * @param values in {@link #LAYER_GAUGES} order
     */
    public void layer(String model, String version, String layer, double... values) {
        if (values.length != LAYER_GAUGES.length) {
            throw new IllegalArgumentException("layer gauges: " + values.length + " values for "
                    + LAYER_GAUGES.length + " gauges");
        }
        layers.computeIfAbsent(key(model, version, layer), k -> register(model, version, layer)).set(values);
    }

    /** Removes every per-layer gauge of the model's {@code version}; called when the model moves on. */
    public void removeVersion(String model, String version) {
        String prefix = key(model, version, "");
        layers.entrySet().removeIf(e -> {
            if (e.getKey().startsWith(prefix)) {
                for (Meter meter : e.getValue().meters) {
                    registry.remove(meter);
                }
                return true;
            }
            return false;
        });
    }

    private LayerValues register(String model, String version, String layer) {
        LayerValues values = new LayerValues();
        Tags tags = Tags.of("model", model, "version", version, "layer", layer);
        for (int i = 0; i < LAYER_GAUGES.length; i++) {
            int index = i;
            values.meters[i] = Gauge.builder(LAYER_GAUGES[i], values, v -> v.values[index])
                    .tags(tags)
                    .strongReference(true)
                    .register(registry);
        }
        return values;
    }

    private Counter counter(String name, String description, Tags tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    private static String key(String model, String version, String layer) {
        return model + '\u0000' + version + '\u0000' + layer;
    }

    /** Latest values of one layer's gauges, read by the registry on scrape. */
    static final class LayerValues {
        final double[] values = new double[LAYER_GAUGES.length];
        final Meter[] meters = new Meter[LAYER_GAUGES.length];

        LayerValues() {
            Arrays.fill(values, Double.NaN);
        }

        synchronized void set(double[] v) {
            System.arraycopy(v, 0, values, 0, v.length);
        }
    }
}
