package io.varshift.agent.loop;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.TopicPartition;

import io.varshift.core.alarm.AlarmStateMachine;
import io.varshift.core.codec.DecodeLimits;
import io.varshift.core.codec.RecordDecoders;
import io.varshift.core.moments.ChannelMoments;
import io.varshift.core.reference.LayerReference;
import io.varshift.core.shift.LayerStatistics;

/**
 * One watched model inside the loop: its current version, the open micro-batch (one reused direct
 * buffer) and the open window of per-layer moments with the offsets it covers. Loop thread only.
 */
final class ModelLane {

    final String name;
    private final int batchSize;
    private final int enterAfter;
    private final int exitAfter;
    private final DecodeLimits limits;
    private RecordDecoders decoders;
    private List<AlarmStateMachine> alarms;
    private List<LayerStatistics> lastStatistics = List.of();
    private MonitoredModel model;
    private MonitoredModel pending;

    private ByteBuffer batchBytes;
    private FloatBuffer batch;
    private int sampleSize;
    private int batchSamples;
    private Instant batchStartedAt;

    private List<ChannelMoments> moments;
    private long windowSamples;
    private Instant openedAt;
    private final OffsetRanges offsets = new OffsetRanges();
    private long windowsClosed;

    ModelLane(String name, int batchSize, int enterAfter, int exitAfter, DecodeLimits limits) {
        this.name = name;
        this.batchSize = batchSize;
        this.enterAfter = enterAfter;
        this.exitAfter = exitAfter;
        this.limits = limits;
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
        model = next;
        int size = 1;
        for (int d : next.sampleShape()) {
            size = Math.multiplyExact(size, d);
        }
        sampleSize = size;
        batchBytes = ByteBuffer.allocateDirect(Math.multiplyExact(batchSize * Float.BYTES, size))
                .order(ByteOrder.nativeOrder());
        batch = batchBytes.asFloatBuffer();
        decoders = new RecordDecoders(next.sampleShape(), limits);
        // A new version starts with fresh alarm states: its reference and calibration are new.
        List<AlarmStateMachine> fresh = new ArrayList<>();
        for (int i = 0; i < next.layers().size(); i++) {
            fresh.add(new AlarmStateMachine(enterAfter, exitAfter));
        }
        alarms = fresh;
        lastStatistics = List.of();
        resetWindow();
    }

    RecordDecoders decoders() {
        return decoders;
    }

    AlarmStateMachine alarm(int layer) {
        return alarms.get(layer);
    }

    List<LayerStatistics> lastStatistics() {
        return lastStatistics;
    }

    void lastStatistics(List<LayerStatistics> statistics) {
        lastStatistics = List.copyOf(statistics);
    }

    boolean hasPending() {
        return pending != null;
    }

    int sampleSize() {
        return sampleSize;
    }

    int batchSamples() {
        return batchSamples;
    }

    int batchFree() {
        return batchSize - batchSamples;
    }

    Instant batchStartedAt() {
        return batchStartedAt;
    }

    /** Copies {@code samples} samples from {@code source} (position at the first float) into the batch. */
    void addToBatch(FloatBuffer source, int samples, Instant now) {
        if (batchSamples == 0) {
            batchStartedAt = now;
        }
        int floats = samples * sampleSize;
        batch.put(batchSamples * sampleSize, source, source.position(), floats);
        source.position(source.position() + floats);
        batchSamples += samples;
    }

    ByteBuffer batchBuffer() {
        batchBytes.clear().limit(batchSamples * sampleSize * Float.BYTES);
        return batchBytes;
    }

    /** Folds one layer's probe sums of the current batch into the window (a probe listener). */
    void fold(int layer, float[] s1, float[] s2, int samples, long positions) {
        moments.get(layer).addSampleSums(s1, s2, samples, positions);
    }

    void batchForwarded() {
        windowSamples += batchSamples;
        batchSamples = 0;
        batchStartedAt = null;
    }

    /** Drops the batch without forwarding (abandon, or a forward that failed). */
    void dropBatch() {
        batchSamples = 0;
        batchStartedAt = null;
    }

    /** Records that the open window covers a record (accepted, whether or not forwarded yet). */
    void cover(TopicPartition partition, long offset, Instant now) {
        if (openedAt == null) {
            openedAt = now;
        }
        offsets.add(partition, offset);
    }

    /** Samples forwarded into the window plus those waiting in the batch. */
    long samplesIncludingBatch() {
        return windowSamples + batchSamples;
    }

    long windowSamples() {
        return windowSamples;
    }

    Instant openedAt() {
        return openedAt;
    }

    OffsetRanges offsets() {
        return offsets;
    }

    boolean isWindowEmpty() {
        return openedAt == null && batchSamples == 0;
    }

    List<ChannelMoments> moments() {
        return moments;
    }

    long nextWindowNumber() {
        return ++windowsClosed;
    }

    long windowsClosed() {
        return windowsClosed;
    }

    /** Starts a fresh window with moments shifted by each layer's stored running mean. */
    void resetWindow() {
        List<ChannelMoments> fresh = new ArrayList<>();
        for (LayerReference layer : model.layers()) {
            fresh.add(new ChannelMoments(layer.runningMean()));
        }
        moments = fresh;
        windowSamples = 0;
        openedAt = null;
        offsets.clear();
        dropBatch();
    }

    void close() {
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
