package io.varshift.agent.loop;

import java.nio.FloatBuffer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.varshift.agent.fleet.Partial;
import io.varshift.agent.metrics.AgentMetrics;
import io.varshift.core.alarm.Cusum;
import io.varshift.core.codec.RecordDecoders;
import io.varshift.core.window.WindowJudge;
import io.varshift.core.window.WindowPolicy;
import io.varshift.core.window.WindowState;

/**
 * One watched model inside the loop: it accepts the model's decoded records into a micro-batch (a
 * reused direct buffer of its {@link ForwardPipeline}), hands full or waited batches over to be
 * forwarded with BN probes, folds the forwarded ones into the open window of per-layer moments, and
 * closes the window by count or by time (after the window's last batch is folded). In fleet mode it
 * keeps one open partial per partition instead of the window (a micro-batch then holds one partition's
 * records only) and the loop cuts them by slice ({@link #closePartial}). Loop thread only.
 */
final class ModelLane {

    private static final Logger LOG = Logger.getLogger(ModelLane.class);

    final String name;
    private final LoopSettings settings;
    private final AgentMetrics metrics;
    private RecordDecoders decoders;
    private final WindowPolicy policy;
    private WindowJudge judge;
    private JudgedWindow lastJudged;
    private MonitoredModel model;
    private MonitoredModel pending;

    private ForwardPipeline pipeline;
    /** The buffer being filled, while batchSamples > 0. */
    private FloatBuffer batch;
    private int sampleSize;
    private int batchSamples;
    private Instant batchStartedAt;
    /** Samples of the open window handed over to be forwarded: the next batch's first sample number. */
    private long dispatched;

    private WindowState window;
    private final OffsetRanges offsets = new OffsetRanges();
    private long windowsClosed;

    /** Fleet mode: the open partial of each partition, in the order they opened. */
    private final Map<TopicPartition, OpenPartial> partials = new LinkedHashMap<>();
    /** Fleet mode: the partial each batch in flight folds into, in hand-over order. */
    private final ArrayDeque<OpenPartial> targets = new ArrayDeque<>();
    /** Fleet mode: the partition of the batch being filled. */
    private TopicPartition batchPartition;

    /** One model's share of a partition's open slice. */
    private static final class OpenPartial {
        final WindowState state;
        long first = -1;
        long last = -1;
        /** Samples handed over to be forwarded: the next batch's first sample number in this partial. */
        long dispatched;

        OpenPartial(WindowState state) {
            this.state = state;
        }
    }

    ModelLane(String name, LoopSettings settings, AgentMetrics metrics) {
        this.name = name;
        this.settings = settings;
        this.metrics = metrics;
        this.policy = WindowPolicy.of(settings.windowSamples(), settings.windowDuration());
    }

    MonitoredModel model() {
        return model;
    }

    boolean hasModel() {
        return model != null;
    }

    /** Installs a first version now; later versions wait for the next window boundary. */
    void offer(MonitoredModel next) {
        if (model == null) {
            install(next);
        } else {
            if (pending != null) {
                pending.close();
            }
            pending = next;
        }
    }

    /** At a window boundary: swaps in a pending version, returning the replaced one (or null). */
    MonitoredModel swapIfPending() {
        if (pending == null || !isWindowEmpty()) {
            return null;
        }
        MonitoredModel old = model;
        install(pending);
        pending = null;
        return old;
    }

    private void install(MonitoredModel next) {
        if (pipeline != null) {
            // The window is empty, so nothing is in flight: this only stops the old version's workers.
            pipeline.close();
            pipeline = null;
        }
        model = next;
        window = new WindowState(next.reference(), next.classes());
        pipeline = new ForwardPipeline(next, settings.forwardWorkers(), settings.batchSize(), window.cellScores());
        sampleSize = pipeline.sampleFloats();
        decoders = new RecordDecoders(next.sampleShape(), settings.decodeLimits());
        // A new version starts with fresh alarm states: its reference and calibration are new.
        judge = new WindowJudge(next.reference(), settings.enterAfter(), settings.exitAfter(), Cusum.DEFAULT_ARL);
        lastJudged = null;
        resetWindow();
    }

    RecordDecoders decoders() {
        return decoders;
    }

    /** Consecutive over windows that raise an alarm. */
    int enterAfter() {
        return settings.enterAfter();
    }

    /** Judges the current version's windows and keeps their alarm states. */
    WindowJudge judge() {
        return judge;
    }

    /** The last judged window of the current version, or null before its first. */
    JudgedWindow lastJudged() {
        return lastJudged;
    }

    void judged(JudgedWindow judged) {
        lastJudged = judged;
    }

    boolean hasPending() {
        return pending != null;
    }

    /**
     * Takes the {@code samples} decoded samples of one record (from {@code source}, positioned at the
     * first float) into the open window, forwarding every batch that fills up.
     *
     * @return whether the window is now full by count; a record is never split across windows, so a
     *         count window may hold up to one record more
     */
    boolean accept(TopicPartition partition, long offset, FloatBuffer source, int samples, Instant now) {
        if (fleet()) {
            if (batchSamples > 0 && !partition.equals(batchPartition)) {
                forward();
            }
            OpenPartial p = partials.computeIfAbsent(partition,
                    tp -> new OpenPartial(new WindowState(model.reference(), model.classes())));
            p.state.open(now);
            p.first = p.first < 0 ? offset : p.first;
            p.last = offset;
            batchPartition = partition;
        } else {
            window.open(now);
            offsets.add(partition, offset);
        }
        int remaining = samples;
        while (remaining > 0) {
            int n = Math.min(remaining, settings.batchSize() - batchSamples);
            if (batchSamples == 0) {
                batchStartedAt = now;
                batch = pipeline.buffer(this::fold);
            }
            int floats = n * sampleSize;
            batch.put(batchSamples * sampleSize, source, source.position(), floats);
            source.position(source.position() + floats);
            batchSamples += n;
            remaining -= n;
            if (batchSamples == settings.batchSize()) {
                forward();
            }
        }
        return !fleet() && policy.full(samplesIncludingBatch());
    }

    /**
     * Forwards a micro-batch that has waited {@code max-wait}.
     *
     * @return whether the open window has reached {@code window.duration}
     */
    boolean tick(Instant now) {
        if (pipeline != null) {
            pipeline.collect(false, this::fold);
        }
        if (batchSamples > 0 && !now.isBefore(batchStartedAt.plus(settings.maxWait()))) {
            forward();
        }
        return !fleet() && window != null && policy.due(window.openedAt(), now);
    }

    /**
     * Closes the open window (forwarding what waits in the batch) and opens a fresh one.
     *
     * @return the closed window, or null when it held no forwarded sample
     */
    ClosedWindow close(Instant now, String reason, double sampleRate) {
        if (batchSamples > 0) {
            forward();
        }
        pipeline.collect(true, this::fold);
        if (window.samples() == 0) {
            resetWindow();
            return null;
        }
        ClosedWindow closed = new ClosedWindow(name, model.version(), windowId(), ++windowsClosed, window.openedAt(),
                now, reason, window.samples(), sampleRate, offsets.copy(), window.moments(), window.cellScoreSums(),
                window.classCounts());
        resetWindow();
        return closed;
    }

    /**
     * Fleet mode: ends this model's partial of {@code partition}'s slice [sliceStart, sliceEnd) (forwarding
     * the partition's waiting batch and folding every batch in flight).
     *
     * @return the partial, or null when the slice held none of this model's records
     */
    Partial closePartial(TopicPartition partition, long sliceStart, long sliceEnd, String cut, Instant now,
            double sampleRate) {
        OpenPartial p = partials.get(partition);
        if (p == null) {
            return null;
        }
        if (batchSamples > 0 && partition.equals(batchPartition)) {
            forward();
        }
        pipeline.collect(true, this::fold);
        partials.remove(partition);
        if (p.state.samples() == 0) {
            return null;
        }
        return new Partial(name, model.version(), partition.topic(), partition.partition(), sliceStart, sliceEnd, cut,
                p.first, p.last, p.state.samples(), sampleRate, p.state.openedAt(), now, p.state.classCounts(),
                p.state.cellScoreSums(), p.state.moments());
    }

    /** Drops the open window and batch; their records are not covered and will be read again. */
    void abandon() {
        if (model != null && !isWindowEmpty()) {
            LOG.infof("model '%s': abandoning the open %s of %d samples (records will be re-read)", name,
                    fleet() ? "partials" : "window", samplesIncludingBatch());
            pipeline.discard();
            resetWindow();
        }
    }

    private boolean fleet() {
        return settings.fleetMode();
    }

    /** Hands the filled batch over to be forwarded and folds what has been forwarded meanwhile. */
    private void forward() {
        if (fleet()) {
            OpenPartial p = partials.get(batchPartition);
            pipeline.submit(batchSamples, p.dispatched);
            p.dispatched += batchSamples;
            targets.add(p);
        } else {
            pipeline.submit(batchSamples, dispatched);
            dispatched += batchSamples;
        }
        batchSamples = 0;
        batchStartedAt = null;
        batch = null;
        pipeline.collect(false, this::fold);
    }

    /** Folds one forwarded batch into the open window, or stops the loop when its forward failed. */
    private void fold(ForwardPipeline.Batch forwarded) {
        if (forwarded.failure != null) {
            // Some layers may already hold part of this batch: the window is unusable. Its offsets stay
            // uncommitted, so a restart replays its records.
            throw new IllegalStateException("model '" + name + "' v" + model.version() + ": forward of "
                    + forwarded.samples + " samples failed; stopping without committing the open window so that"
                    + " its records are replayed", forwarded.failure);
        }
        (fleet() ? targets.poll().state : window).add(forwarded.probes);
        metrics.forwardNanos(name, forwarded.forwardNanos);
    }

    /** A replay of the same records under the same version gets the same id, so readers can de-duplicate. */
    private long windowId() {
        long h = 1125899906842597L;
        String key = name + '\u0000' + model.version();
        for (int i = 0; i < key.length(); i++) {
            h = 31 * h + key.charAt(i);
        }
        for (Map.Entry<TopicPartition, long[]> e : offsets.view().entrySet()) {
            h = 31 * h + e.getKey().hashCode();
            h = 31 * h + e.getValue()[0];
            h = 31 * h + e.getValue()[1];
        }
        return h & Long.MAX_VALUE;
    }

    /** Samples forwarded into the window plus those waiting in the batch. */
    long samplesIncludingBatch() {
        long held = window == null ? 0 : window.samples();
        for (OpenPartial p : partials.values()) {
            held += p.state.samples();
        }
        return held + (pipeline == null ? 0 : pipeline.inFlightSamples()) + batchSamples;
    }

    /** When the open window's first record arrived; null while it is empty or no version is loaded. */
    Instant openedAt() {
        if (fleet()) {
            return partials.isEmpty() ? null : partials.values().iterator().next().state.openedAt();
        }
        return window == null ? null : window.openedAt();
    }

    /** Per partition, {first, last} offset the open window holds. */
    Map<TopicPartition, long[]> openOffsets() {
        if (fleet()) {
            Map<TopicPartition, long[]> open = new TreeMap<>(OffsetRanges.ORDER);
            partials.forEach((tp, p) -> open.put(tp, new long[] {p.first, p.last}));
            return open;
        }
        return offsets.view();
    }

    boolean isWindowEmpty() {
        return (window == null || window.isEmpty()) && partials.isEmpty() && batchSamples == 0
                && (pipeline == null || pipeline.inFlightSamples() == 0);
    }

    long windowsClosed() {
        return windowsClosed;
    }

    /** Starts a fresh window (moments shifted by each layer's stored running mean, no offsets). */
    private void resetWindow() {
        window.reset();
        offsets.clear();
        partials.clear();
        targets.clear();
        batchPartition = null;
        batchSamples = 0;
        batchStartedAt = null;
        batch = null;
        dispatched = 0;
    }

    void close() {
        if (pipeline != null) {
            pipeline.close();
            pipeline = null;
        }
        if (pending != null) {
            pending.close();
            pending = null;
        }
        if (model != null) {
            model.close();
            model = null;
        }
    }
}
