package io.varshift.agent.fleet;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

import io.varshift.agent.loop.ClosedWindow;
import io.varshift.agent.loop.JudgedWindow;
import io.varshift.agent.loop.ResultsPublisher;
import io.varshift.agent.metrics.AgentMetrics;
import io.varshift.core.moments.ChannelMoments;
import io.varshift.core.reference.ModelReference;
import io.varshift.core.window.WindowJudge;
import io.varshift.core.window.WindowVerdict;

/**
 * The Kafka Streams processor that merges a model's partials into fleet windows and judges each one
 * once. Partials are keyed by model, so one task sees all of a model's partials; its state (open
 * window, alarm states, CUSUM, window count) lives in the {@value FleetTopology#STORE} store, and with
 * exactly_once_v2 a partial's offset, the store's change and the results it causes are committed in
 * one transaction: after a crash or a rebalance the task resumes from the last commit on whichever
 * agent gets it, as if nothing had happened.
 *
 * <p>A fleet window closes when it holds {@code window.samples} samples; a partial that would overshoot
 * by more than the window still lacks goes to the next window instead, so windows stay within half a
 * partial of the calibrated size. A window open for {@code window.duration} (by the judge's clock)
 * closes by time; a partial of another model version closes the open window first.
 */
final class FleetJudge implements Processor<byte[], byte[], byte[], byte[]> {

    private static final Logger LOG = Logger.getLogger(FleetJudge.class);

    private final FleetTopology.Settings settings;
    private final Judges judges;
    private final AgentMetrics metrics;
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<String, byte[]> store;
    private ResultsPublisher publisher;

    FleetJudge(FleetTopology.Settings settings, Judges judges, AgentMetrics metrics) {
        this.settings = settings;
        this.judges = judges;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.store = context.getStateStore(FleetTopology.STORE);
        this.publisher = new ResultsPublisher(settings.windowResultsTopic(), settings.alertsTopic(),
                (topic, key, value) -> context.forward(new Record<>(key, value, context.currentSystemTimeMs()),
                        topic.equals(settings.windowResultsTopic()) ? FleetTopology.WINDOWS : FleetTopology.ALERTS),
                metrics, true);
        context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, this::closeDue);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
        Partial p;
        Judges.Entry entry;
        try {
            p = Partial.parse(record.value());
            String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
            if (!p.model().equals(key)) {
                throw new IllegalArgumentException("partial of model '" + p.model() + "' under key '" + key
                        + "'; partials are keyed by their model");
            }
        } catch (RuntimeException e) {
            reject("malformed", e.getMessage());
            return;
        }
        try {
            entry = judges.of(p.model(), p.version());
        } catch (IllegalArgumentException e) {
            reject("unknown_version", e.getMessage());
            return;
        }
        String mismatch = mismatch(p, entry.reference());
        if (mismatch != null) {
            reject("layers", mismatch);
            return;
        }
        FleetState s = FleetState.parse(store.get(p.model()));
        if (s.version != null && !s.version.equals(p.version())) {
            if (s.open != null) {
                close(p.model(), s, "version", now);
            }
            // A new version starts with fresh alarm states, as in single-agent mode.
            s.memory = null;
        }
        s.version = p.version();
        long w = settings.windowSamples();
        if (s.open != null && w > 0 && s.open.samples + p.samples() > w
                && s.open.samples + p.samples() - w > w - s.open.samples) {
            close(p.model(), s, "count", now);
        }
        if (s.open == null) {
            s.open = new FleetState.Open();
        } else if (s.open.classCounts.length != p.classCounts().length) {
            reject("layers", "partial of " + p.classCounts().length + " classes for a fleet window of "
                    + s.open.classCounts.length);
            return;
        }
        s.open.add(p, now);
        if (w > 0 && s.open.samples >= w) {
            close(p.model(), s, "count", now);
        }
        store.put(p.model(), s.bytes());
    }

    /** Closes the fleet windows open for {@code window.duration} (quiet traffic). */
    private void closeDue(long wallClockMillis) {
        if (settings.windowDuration() == null) {
            return;
        }
        Instant now = Instant.ofEpochMilli(wallClockMillis);
        List<KeyValue<String, FleetState>> due = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, byte[]> kv = all.next();
                FleetState s = FleetState.parse(kv.value);
                if (s.open != null && !now.isBefore(s.open.arrivedAt.plus(settings.windowDuration()))) {
                    due.add(KeyValue.pair(kv.key, s));
                }
            }
        }
        for (KeyValue<String, FleetState> kv : due) {
            close(kv.key, kv.value, "time", now);
            store.put(kv.key, kv.value.bytes());
        }
    }

    /** Judges and publishes the open window of {@code model}, moving the judge's memory on. */
    private void close(String model, FleetState s, String reason, Instant now) {
        FleetState.Open open = s.open;
        Judges.Entry entry = judges.of(model, s.version);
        WindowJudge judge = entry.judge();
        judge.restore(s.memory != null ? s.memory : entry.initial());
        long windowId = Partial.mix(31 * open.idHash + model.hashCode()) & Long.MAX_VALUE;
        ClosedWindow window = new ClosedWindow(model, s.version, windowId, ++s.windowNumber, open.openedAt, now,
                reason, open.samples, open.sampleRate, open.ranges, open.moments, open.cellScoreSums,
                open.classCounts);
        WindowVerdict verdict = judge.judge(open.moments, open.cellScoreSums, open.classCounts, windowId);
        s.memory = judge.memory();
        publisher.publish(new JudgedWindow(window, verdict));
        if (!verdict.judged()) {
            LOG.debugf("model '%s' fleet window %d of %d samples published unjudged", model, s.windowNumber,
                    open.samples);
        }
        s.open = null;
    }

    /** Why the partial does not fit the model version's layers, or null. */
    private static String mismatch(Partial p, ModelReference reference) {
        if (p.moments().size() != reference.layers().size()) {
            return "partial of " + p.moments().size() + " layers for model '" + p.model() + "' v" + p.version()
                    + " of " + reference.layers().size();
        }
        for (int l = 0; l < p.moments().size(); l++) {
            ChannelMoments m = p.moments().get(l);
            if (m.channels() != reference.layers().get(l).runningMean().length) {
                return "partial layer " + l + " of " + m.channels() + " channels; model '" + p.model() + "' v"
                        + p.version() + " has " + reference.layers().get(l).runningMean().length;
            }
        }
        return null;
    }

    private void reject(String reason, String message) {
        metrics.partialRejected(reason);
        LOG.errorf("fleet judge: partial refused (%s): %s", reason, message);
    }
}
