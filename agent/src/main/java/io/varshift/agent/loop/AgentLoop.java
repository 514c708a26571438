package io.varshift.agent.loop;

import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jboss.logging.Logger;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import io.varshift.agent.metrics.AgentMetrics;
import io.varshift.core.alarm.AlarmState;
import io.varshift.core.alarm.AlarmTransition;
import io.varshift.core.calibration.LayerCalibration;
import io.varshift.core.codec.DecodeResult;
import io.varshift.core.codec.DecodeTarget;
import io.varshift.core.codec.RejectReason;
import io.varshift.core.reference.LayerReference;
import io.varshift.core.shift.LayerStatistics;

/**
 * The agent's consumer loop, on one thread: poll, decode, dead-letter, sample, micro-batch, forward
 * with BN probes, fold moments into per-model windows, close windows, publish results and alerts,
 * flush, and only then commit the offsets the published windows cover (at-least-once).
 *
 * <p>Offsets: for every partition the loop commits the smallest first offset held by any open window,
 * or the position after the last consumed record when no open window holds that partition. Records
 * that were rejected (dead-lettered) or sampled out are covered once the producer has been flushed.
 */
public final class AgentLoop implements Runnable, ConsumerRebalanceListener {

    private static final Logger LOG = Logger.getLogger(AgentLoop.class);
    static final String SOURCE_HEADER = "varshift-source";

    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> producer;
    private final LoopSettings settings;
    private final ModelSource models;
    private final AgentMetrics metrics;
    private final Clock clock;
    private final Sampler sampler;
    private final DecodeTarget target = new DecodeTarget();
    private final Map<String, ModelLane> lanes = new LinkedHashMap<>();
    /** Next offset after the last record handled, per assigned partition. */
    private final Map<TopicPartition, Long> consumed = new HashMap<>();
    /** Last offset committed by this loop, per assigned partition. */
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    private final AtomicReference<Throwable> produceFailure = new AtomicReference<>();

    private volatile boolean stopping;
    private volatile boolean joined;
    private volatile Instant lastPoll;
    private volatile String status = "{}";
    private volatile Set<String> notLoaded = Set.of();
    private Instant nextReload;
    private Instant nextCommit;

    public AgentLoop(Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> producer, LoopSettings settings,
            ModelSource models, AgentMetrics metrics, Clock clock) {
        this.consumer = consumer;
        this.producer = producer;
        this.settings = settings;
        this.models = models;
        this.metrics = metrics;
        this.clock = clock;
        this.sampler = new Sampler(settings.sampleRate());
        for (String name : models.names()) {
            lanes.put(name, new ModelLane(name, settings.batchSize(), settings.enterAfter(), settings.exitAfter(),
                    settings.decodeLimits()));
        }
    }

    @Override
    public void run() {
        try {
            start();
            while (!stopping) {
                step();
            }
        } catch (WakeupException e) {
            if (!stopping) {
                throw e;
            }
        } finally {
            shutdown();
        }
    }

    /** Subscribes and loads the models; {@link #run()} calls it, tests driving {@link #step()} call it once. */
    public void start() {
        consumer.subscribe(settings.topics(), this);
        Instant now = clock.instant();
        reload();
        nextReload = now.plus(settings.reloadInterval());
        nextCommit = now.plus(settings.commitInterval());
        publishStatus();
    }

    /** One iteration: poll, handle records, close due batches and windows, reload, commit. */
    public void step() {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(settings.pollTimeout());
        Instant now = clock.instant();
        lastPoll = now;
        // Per partition, in the same order as iterating the records, so one TopicPartition serves them all.
        for (TopicPartition partition : records.partitions()) {
            for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                handle(partition, record, now);
            }
        }
        if (!records.isEmpty()) {
            publishStatus();
        }
        for (ModelLane lane : lanes.values()) {
            if (lane.batchSamples() > 0 && !now.isBefore(lane.batchStartedAt().plus(settings.maxWait()))) {
                forward(lane);
            }
            Duration duration = settings.windowDuration();
            if (duration != null && lane.openedAt() != null && !now.isBefore(lane.openedAt().plus(duration))) {
                closeWindow(lane, now, "time");
            }
        }
        if (!now.isBefore(nextReload)) {
            reload();
            nextReload = now.plus(settings.reloadInterval());
        }
        if (!now.isBefore(nextCommit)) {
            commitCovered();
            nextCommit = now.plus(settings.commitInterval());
        }
        updateLag();
        throwIfProduceFailed();
    }

    /** Asks the loop to stop; it abandons open windows, commits what is covered and closes the clients. */
    public void stop() {
        stopping = true;
        consumer.wakeup();
    }

    /** When the loop last returned from poll, or null before the first poll. */
    public Instant lastPoll() {
        return lastPoll;
    }

    /** Whether the consumer has joined its group (an assignment, possibly empty, was received). */
    public boolean joined() {
        return joined;
    }

    /** Names of watched models that have no loaded version. */
    public Set<String> modelsNotLoaded() {
        return notLoaded;
    }

    /** The loop's status as JSON (models, versions, open windows, per-layer states), refreshed by the loop. */
    public String status() {
        return status;
    }

    private void handle(TopicPartition partition, ConsumerRecord<byte[], byte[]> record, Instant now) {
        consumed.put(partition, record.offset() + 1);
        String modelName = header(record.headers(), io.varshift.core.codec.RecordHeaders.MODEL);
        if (modelName == null) {
            reject(record, RejectReason.MISSING_MODEL_HEADER, "record has no "
                    + io.varshift.core.codec.RecordHeaders.MODEL + " header; the serving app must name the model");
            return;
        }
        ModelLane lane = lanes.get(modelName);
        if (lane == null || !lane.hasModel()) {
            reject(record, RejectReason.UNKNOWN_MODEL, "model '" + printable(modelName) + "' is "
                    + (lane == null ? "not watched by this agent (watched: " + lanes.keySet() + ")"
                            : "watched but no version is loaded from the model store"));
            return;
        }
        DecodeResult result;
        try {
            result = lane.decoders().decode(
                    header(record.headers(), io.varshift.core.codec.RecordHeaders.CONTENT_TYPE), record.value(), target);
        } catch (RuntimeException e) {
            // The decoders promise never to throw; if one does, the record still must not stop the loop.
            LOG.errorf(e, "decoder failed on %s-%d@%d", record.topic(), record.partition(), record.offset());
            result = DecodeResult.rejected(RejectReason.BAD_HEADER, "the decoder failed on this value: " + e);
        }
        if (!result.isOk()) {
            reject(record, result.reason(), result.message());
            return;
        }
        metrics.consumed(modelName, 1);
        if (!sampler.keep(record.topic(), record.partition(), record.offset())) {
            metrics.sampledOut(modelName);
            return;
        }
        lane.cover(partition, record.offset(), now);
        FloatBuffer source = target.floatBuffer();
        int remaining = result.samples();
        while (remaining > 0) {
            int n = Math.min(remaining, lane.batchFree());
            lane.addToBatch(source, n, now);
            remaining -= n;
            if (lane.batchFree() == 0) {
                forward(lane);
            }
        }
        // A record is never split across windows, so a count window may hold up to one record more.
        if (settings.windowSamples() > 0 && lane.samplesIncludingBatch() >= settings.windowSamples()) {
            closeWindow(lane, now, "count");
        }
    }

    private void reject(ConsumerRecord<byte[], byte[]> record, RejectReason reason, String message) {
        Headers headers = new RecordHeaders();
        for (Header h : record.headers()) {
            headers.add(h);
        }
        headers.add(io.varshift.core.codec.RecordHeaders.REJECT_REASON, utf8(reason.metricName()));
        headers.add(io.varshift.core.codec.RecordHeaders.REJECT_MESSAGE, utf8(message));
        headers.add(SOURCE_HEADER, utf8(record.topic() + "-" + record.partition() + "@" + record.offset()));
        send(new ProducerRecord<>(settings.deadLetterTopic(), null, record.key(), record.value(), headers));
        metrics.rejected(reason.metricName());
        LOG.debugf("rejected %s-%d@%d: %s: %s", record.topic(), record.partition(), record.offset(),
                reason.metricName(), message);
    }

    private void forward(ModelLane lane) {
        long start = System.nanoTime();
        try {
            lane.model().forward(lane.batchBuffer(), lane.batchSamples(), lane::fold);
            lane.batchForwarded();
        } catch (RuntimeException e) {
            // Some layers may already hold part of this batch: the window is unusable. Its offsets stay
            // uncommitted, so a restart replays its records.
            throw new IllegalStateException("model '" + lane.name + "' v" + lane.model().version() + ": forward of "
                    + lane.batchSamples() + " samples failed; stopping without committing the open window so that"
                    + " its records are replayed", e);
        }
        metrics.forwardNanos(lane.name, System.nanoTime() - start);
    }

    private void closeWindow(ModelLane lane, Instant now, String reason) {
        if (lane.batchSamples() > 0) {
            forward(lane);
        }
        if (lane.windowSamples() == 0) {
            lane.resetWindow();
            return;
        }
        MonitoredModel model = lane.model();
        List<LayerReference> layers = model.layers();
        List<String> names = new ArrayList<>();
        List<LayerStatistics> stats = new ArrayList<>();
        List<Integer> calibrationWindows = new ArrayList<>();
        List<AlarmState> states = new ArrayList<>();
        WindowJson.Closed closed = new WindowJson.Closed(lane.name, model.version(),
                windowId(lane), lane.nextWindowNumber(), lane.openedAt(), now, reason, lane.windowSamples(),
                sampler.rate(), lane.offsets().view());
        List<ProducerRecord<byte[], byte[]>> alerts = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            LayerReference ref = layers.get(i);
            LayerCalibration calibration = nearest(ref.calibrations(), lane.windowSamples());
            LayerStatistics s = LayerStatistics.of(lane.moments().get(i), ref, calibration);
            names.add(ref.name());
            stats.add(s);
            calibrationWindows.add(calibration == null ? null : calibration.windowSize());
            if (calibration != null) {
                Optional<AlarmTransition> t = lane.alarm(i).observe(s.over(), closed.windowId(), s.driftScore(),
                        s.driftThreshold());
                if (t.isPresent()) {
                    alerts.add(new ProducerRecord<>(settings.alertsTopic(), utf8(lane.name),
                            WindowJson.bytes(WindowJson.alert(closed, ref.name(), t.get()))));
                    metrics.transition(lane.name, ref.name(), t.get().to().name().toLowerCase(java.util.Locale.ROOT));
                    LOG.infof("model '%s' v%s layer %s: %s -> %s (drift score %.3f, threshold %.3f, window %s)",
                            lane.name, model.version(), ref.name(), t.get().from(), t.get().to(),
                            t.get().statistic(), t.get().threshold(), Long.toHexString(closed.windowId()));
                }
            }
            AlarmState state = lane.alarm(i).state();
            states.add(state);
            metrics.layer(lane.name, model.version(), ref.name(), s.varianceRatio(), s.varianceShift(),
                    s.maxChannelShift(), s.meanShift(), s.driftScore(), s.driftThreshold(), state.gaugeValue());
        }
        send(new ProducerRecord<>(settings.windowResultsTopic(), utf8(lane.name),
                WindowJson.bytes(WindowJson.result(closed, names, stats, calibrationWindows, states))));
        alerts.forEach(this::send);
        lane.lastStatistics(stats);
        metrics.windowClosed(lane.name, model.version());
        lane.resetWindow();
        swapIfPending(lane);
        commitCovered();
        publishStatus();
    }

    /**
     * The calibration for the window size nearest (in ratio) to {@code samples}; the calibration
     * rescales its statistic by samples/windowSize, exact asymptotically. Null when there is none.
     */
    static LayerCalibration nearest(List<LayerCalibration> calibrations, long samples) {
        LayerCalibration best = null;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (LayerCalibration c : calibrations) {
            double distance = Math.abs(Math.log((double) samples / c.windowSize()));
            if (distance < bestDistance) {
                best = c;
                bestDistance = distance;
            }
        }
        return best;
    }

    /** A replay of the same records under the same version gets the same id, so readers can de-duplicate. */
    private static long windowId(ModelLane lane) {
        long h = 1125899906842597L;
        String key = lane.name + '\u0000' + lane.model().version();
        for (int i = 0; i < key.length(); i++) {
            h = 31 * h + key.charAt(i);
        }
        for (Map.Entry<TopicPartition, long[]> e : lane.offsets().view().entrySet()) {
            h = 31 * h + e.getKey().hashCode();
            h = 31 * h + e.getValue()[0];
            h = 31 * h + e.getValue()[1];
        }
        return h & Long.MAX_VALUE;
    }

    private void reload() {
        for (MonitoredModel next : models.poll()) {
            ModelLane lane = lanes.get(next.name());
            if (lane == null) {
                next.close();
                continue;
            }
            lane.offer(next);
            swapIfPending(lane);
        }
        publishStatus();
    }

    private void swapIfPending(ModelLane lane) {
        MonitoredModel old = lane.swapIfPending();
        if (old != null) {
            metrics.removeVersion(old.name(), old.version());
            LOG.infof("model '%s': now serving v%s (was v%s)", lane.name, lane.model().version(), old.version());
            old.close();
        }
    }

    /** Flushes the producer and commits, per partition, what no open window still holds. */
    private void commitCovered() {
        Map<TopicPartition, Long> safe = coveredOffsets();
        Map<TopicPartition, OffsetAndMetadata> toCommit = new HashMap<>();
        safe.forEach((tp, offset) -> {
            Long done = committed.get(tp);
            if (done == null || offset > done) {
                toCommit.put(tp, new OffsetAndMetadata(offset));
            }
        });
        if (toCommit.isEmpty()) {
            return;
        }
        producer.flush();
        throwIfProduceFailed();
        try {
            consumer.commitSync(toCommit);
            toCommit.forEach((tp, o) -> committed.put(tp, o.offset()));
        } catch (CommitFailedException e) {
            // The group moved on; the new owner re-reads from the last commit (duplicates, no loss).
            LOG.warnf("commit of %s failed, the partitions were reassigned: %s", toCommit.keySet(), e.getMessage());
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            // Retriable (timeout, coordinator moving): the next commit carries a superset of these offsets.
            LOG.warnf("commit of %s failed, will retry with the next window: %s", toCommit.keySet(), e.toString());
        }
    }

    private Map<TopicPartition, Long> coveredOffsets() {
        Map<TopicPartition, Long> safe = new HashMap<>(consumed);
        for (ModelLane lane : lanes.values()) {
            lane.offsets().view().forEach((tp, range) -> safe.computeIfPresent(tp, (k, v) -> Math.min(v, range[0])));
        }
        return safe;
    }

    private void send(ProducerRecord<byte[], byte[]> record) {
        producer.send(record, (metadata, error) -> {
            if (error != null) {
                produceFailure.compareAndSet(null, error);
            }
        });
    }

    private void throwIfProduceFailed() {
        Throwable failure = produceFailure.get();
        if (failure != null) {
            throw new IllegalStateException("producing to Kafka failed (" + failure
                    + "); stopping without committing so that uncovered records are replayed", failure);
        }
    }

    private void updateLag() {
        long lag = 0;
        for (TopicPartition tp : consumer.assignment()) {
            lag += consumer.currentLag(tp).orElse(0);
        }
        metrics.lag(lag);
    }

    /** Drops every open window and batch; their records are not covered and will be read again. */
    private void abandonWindows() {
        for (ModelLane lane : lanes.values()) {
            if (lane.hasModel() && !lane.isWindowEmpty()) {
                LOG.infof("model '%s': abandoning the open window of %d samples (records will be re-read)",
                        lane.name, lane.samplesIncludingBatch());
                lane.resetWindow();
            }
        }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
        if (revoked.isEmpty()) {
            return;
        }
        commitCovered();
        dropPartitions(revoked);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> lost) {
        dropPartitions(lost);
    }

    /** Abandons the open windows, rewinds kept partitions to their first abandoned record, forgets the rest. */
    private void dropPartitions(Collection<TopicPartition> gone) {
        Map<TopicPartition, Long> safe = coveredOffsets();
        abandonWindows();
        for (TopicPartition tp : consumer.assignment()) {
            Long offset = safe.get(tp);
            if (!gone.contains(tp) && offset != null && offset < consumed.get(tp)) {
                consumer.seek(tp, offset);
                consumed.put(tp, offset);
            }
        }
        gone.forEach(tp -> {
            consumed.remove(tp);
            committed.remove(tp);
        });
        publishStatus();
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
        joined = true;
        LOG.infof("assigned %s", assigned);
    }

    private void shutdown() {
        try {
            commitCovered();
            abandonWindows();
        } catch (RuntimeException e) {
            LOG.warnf("final commit failed: %s", e.toString());
        }
        try {
            consumer.close();
        } catch (RuntimeException e) {
            LOG.warnf("closing the consumer: %s", e.toString());
        }
        try {
            producer.close(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            LOG.warnf("closing the producer: %s", e.toString());
        }
        lanes.values().forEach(ModelLane::close);
    }

    private void publishStatus() {
        JsonObject s = new JsonObject();
        JsonArray list = new JsonArray();
        for (ModelLane lane : lanes.values()) {
            if (!lane.hasModel()) {
                continue;
            }
            JsonObject m = new JsonObject();
            m.addProperty("model", lane.name);
            m.addProperty("version", lane.model().version());
            m.addProperty("pendingVersion", lane.hasPending());
            m.addProperty("windowsClosed", lane.windowsClosed());
            JsonObject open = new JsonObject();
            open.addProperty("samples", lane.samplesIncludingBatch());
            if (lane.openedAt() != null) {
                open.addProperty("openedAt", lane.openedAt().toString());
            }
            m.add("openWindow", open);
            JsonArray layers = new JsonArray();
            List<LayerStatistics> last = lane.lastStatistics();
            for (int i = 0; i < lane.model().layers().size(); i++) {
                JsonObject l = new JsonObject();
                l.addProperty("layer", lane.model().layers().get(i).name());
                l.addProperty("state", lane.alarm(i).state().name());
                if (i < last.size()) {
                    addFinite(l, "varianceShift", last.get(i).varianceShift());
                    addFinite(l, "driftScore", last.get(i).driftScore());
                    addFinite(l, "driftThreshold", last.get(i).driftThreshold());
                }
                layers.add(l);
            }
            m.add("layers", layers);
            list.add(m);
        }
        s.add("models", list);
        status = s.toString();
        Set<String> missing = new HashSet<>();
        lanes.forEach((name, lane) -> {
            if (!lane.hasModel()) {
                missing.add(name);
            }
        });
        notLoaded = Set.copyOf(missing);
    }

    private static void addFinite(JsonObject o, String name, double v) {
        if (Double.isFinite(v)) {
            o.addProperty(name, v);
        }
    }

    private static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** At most 64 printable ASCII characters of an untrusted header, for messages. */
    static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length() && out.length() < 64; i++) {
            char c = s.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
