package io.varshift.agent.fleet;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.common.TopicPartition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.varshift.agent.loop.WindowJson;
import io.varshift.core.alarm.AlarmState;
import io.varshift.core.json.Json;
import io.varshift.core.json.JsonFields;
import io.varshift.core.moments.ChannelMoments;
import io.varshift.core.window.JudgeMemory;

/**
 * What the fleet judge keeps per model in its state store: the version it judges, the number of
 * fleet windows it has closed, the judge's memory (alarm states, CUSUM) and the open fleet window
 * (the merged partials). Stored as JSON; the store's changelog topic makes it survive the judge's
 * process, and exactly_once_v2 commits it together with the results it caused.
 */
final class FleetState {

    /** The open fleet window: partials merged so far. */
    static final class Open {
        Instant openedAt;
        /** The judge's wall clock when the first partial arrived: {@code window.duration} counts from here. */
        Instant arrivedAt;
        long samples;
        double sampleRate;
        int partials;
        long idHash = 1125899906842597L;
        final Map<TopicPartition, long[]> ranges = new TreeMap<>(FleetState::compare);
        long[] classCounts;
        double[] cellScoreSums;
        List<ChannelMoments> moments;

        void add(Partial p, Instant now) {
            if (moments == null) {
                openedAt = p.openedAt();
                arrivedAt = now;
                sampleRate = p.sampleRate();
                classCounts = new long[p.classCounts().length];
                cellScoreSums = new double[p.cellScoreSums().length];
                moments = new ArrayList<>();
                for (ChannelMoments m : p.moments()) {
                    moments.add(m.copy());
                }
            } else {
                for (int l = 0; l < moments.size(); l++) {
                    moments.get(l).merge(p.moments().get(l));
                }
                openedAt = p.openedAt().isBefore(openedAt) ? p.openedAt() : openedAt;
            }
            for (int k = 0; k < classCounts.length; k++) {
                classCounts[k] += p.classCounts()[k];
            }
            for (int l = 0; l < cellScoreSums.length; l++) {
                cellScoreSums[l] += p.cellScoreSums()[l];
            }
            samples += p.samples();
            partials++;
            idHash = 31 * idHash + p.id();
            ranges.merge(new TopicPartition(p.topic(), p.partition()), new long[] {p.first(), p.last()},
                    (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
        }
    }

    String version;
    long windowNumber;
    JudgeMemory memory;
    Open open;

    private static int compare(TopicPartition a, TopicPartition b) {
        return a.topic().equals(b.topic()) ? Integer.compare(a.partition(), b.partition()) : a.topic().compareTo(b.topic());
    }

    byte[] bytes() {
        ObjectNode o = Json.object();
        o.put("version", version);
        o.put("windowNumber", windowNumber);
        if (memory != null) {
            ObjectNode m = o.putObject("memory");
            ArrayNode layers = m.putArray("layers");
            memory.layers().forEach(a -> layers.add(alarm(a)));
            m.set("model", alarm(memory.model()));
            m.set("predictionMix", alarm(memory.predictionMix()));
            m.put("cusum", memory.cusum());
        }
        if (open != null) {
            ObjectNode w = o.putObject("open");
            w.put("openedAt", open.openedAt.toString());
            w.put("arrivedAt", open.arrivedAt.toString());
            w.put("samples", open.samples);
            w.put("sampleRate", open.sampleRate);
            w.put("partials", open.partials);
            w.put("idHash", open.idHash);
            ArrayNode ranges = w.putArray("ranges");
            open.ranges.forEach((tp, r) -> ranges.addObject()
                    .put("topic", tp.topic())
                    .put("partition", tp.partition())
                    .put("first", r[0])
                    .put("last", r[1]));
            w.set("classCounts", JsonFields.array(open.classCounts));
            w.set("cellScoreSums", JsonFields.array(open.cellScoreSums));
            ArrayNode moments = w.putArray("moments");
            open.moments.forEach(mm -> moments.add(Base64.getEncoder().encodeToString(mm.toBytes())));
        }
        return WindowJson.bytes(o);
    }

    static FleetState parse(byte[] bytes) {
        FleetState s = new FleetState();
        if (bytes == null) {
            return s;
        }
        ObjectNode o = Json.parseObject(new String(bytes, StandardCharsets.UTF_8));
        s.version = o.hasNonNull("version") ? o.get("version").asText() : null;
        s.windowNumber = o.get("windowNumber").asLong();
        if (o.has("memory")) {
            JsonNode m = o.get("memory");
            List<JudgeMemory.Alarm> layers = new ArrayList<>();
            m.get("layers").forEach(e -> layers.add(alarm(e)));
            s.memory = new JudgeMemory(layers, alarm(m.get("model")), alarm(m.get("predictionMix")),
                    m.get("cusum").asDouble());
        }
        if (o.has("open")) {
            JsonNode w = o.get("open");
            Open open = new Open();
            open.openedAt = Instant.parse(w.get("openedAt").asText());
            open.arrivedAt = Instant.parse(w.get("arrivedAt").asText());
            open.samples = w.get("samples").asLong();
            open.sampleRate = w.get("sampleRate").asDouble();
            open.partials = w.get("partials").asInt();
            open.idHash = w.get("idHash").asLong();
            for (JsonNode x : w.get("ranges")) {
                open.ranges.put(new TopicPartition(x.get("topic").asText(), x.get("partition").asInt()),
                        new long[] {x.get("first").asLong(), x.get("last").asLong()});
            }
            JsonNode counts = w.get("classCounts");
            open.classCounts = new long[counts.size()];
            for (int i = 0; i < counts.size(); i++) {
                open.classCounts[i] = counts.get(i).asLong();
            }
            JsonNode scores = w.get("cellScoreSums");
            open.cellScoreSums = new double[scores.size()];
            for (int i = 0; i < scores.size(); i++) {
                open.cellScoreSums[i] = scores.get(i).asDouble();
            }
            open.moments = new ArrayList<>();
            for (JsonNode e : w.get("moments")) {
                open.moments.add(ChannelMoments.fromBytes(Base64.getDecoder().decode(e.asText())));
            }
            s.open = open;
        }
        return s;
    }

    private static ArrayNode alarm(JudgeMemory.Alarm a) {
        return Json.array().add(a.state().name()).add(a.run());
    }

    private static JudgeMemory.Alarm alarm(JsonNode x) {
        return new JudgeMemory.Alarm(AlarmState.valueOf(x.get(0).asText()), x.get(1).asInt());
    }
}
