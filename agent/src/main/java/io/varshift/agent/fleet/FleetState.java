package io.varshift.agent.fleet;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.common.TopicPartition;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.varshift.core.alarm.AlarmState;
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
        JsonObject o = new JsonObject();
        o.addProperty("version", version);
        o.addProperty("windowNumber", windowNumber);
        if (memory != null) {
            JsonObject m = new JsonObject();
            JsonArray layers = new JsonArray();
            memory.layers().forEach(a -> layers.add(alarm(a)));
            m.add("layers", layers);
            m.add("model", alarm(memory.model()));
            m.add("predictionMix", alarm(memory.predictionMix()));
            m.addProperty("cusum", memory.cusum());
            o.add("memory", m);
        }
        if (open != null) {
            JsonObject w = new JsonObject();
            w.addProperty("openedAt", open.openedAt.toString());
            w.addProperty("arrivedAt", open.arrivedAt.toString());
            w.addProperty("samples", open.samples);
            w.addProperty("sampleRate", open.sampleRate);
            w.addProperty("partials", open.partials);
            w.addProperty("idHash", open.idHash);
            JsonArray ranges = new JsonArray();
            open.ranges.forEach((tp, r) -> {
                JsonObject x = new JsonObject();
                x.addProperty("topic", tp.topic());
                x.addProperty("partition", tp.partition());
                x.addProperty("first", r[0]);
                x.addProperty("last", r[1]);
                ranges.add(x);
            });
            w.add("ranges", ranges);
            JsonArray counts = new JsonArray();
            for (long c : open.classCounts) {
                counts.add(c);
            }
            w.add("classCounts", counts);
            JsonArray scores = new JsonArray();
            for (double s : open.cellScoreSums) {
                scores.add(s);
            }
            w.add("cellScoreSums", scores);
            JsonArray moments = new JsonArray();
            open.moments.forEach(mm -> moments.add(Base64.getEncoder().encodeToString(mm.toBytes())));
            w.add("moments", moments);
            o.add("open", w);
        }
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    static FleetState parse(byte[] bytes) {
        FleetState s = new FleetState();
        if (bytes == null) {
            return s;
        }
        JsonObject o = JsonParser.parseString(new String(bytes, StandardCharsets.UTF_8)).getAsJsonObject();
        s.version = o.has("version") && !o.get("version").isJsonNull() ? o.get("version").getAsString() : null;
        s.windowNumber = o.get("windowNumber").getAsLong();
        if (o.has("memory")) {
            JsonObject m = o.getAsJsonObject("memory");
            List<JudgeMemory.Alarm> layers = new ArrayList<>();
            m.getAsJsonArray("layers").forEach(e -> layers.add(alarm(e)));
            s.memory = new JudgeMemory(layers, alarm(m.get("model")), alarm(m.get("predictionMix")),
                    m.get("cusum").getAsDouble());
        }
        if (o.has("open")) {
            JsonObject w = o.getAsJsonObject("open");
            Open open = new Open();
            open.openedAt = Instant.parse(w.get("openedAt").getAsString());
            open.arrivedAt = Instant.parse(w.get("arrivedAt").getAsString());
            open.samples = w.get("samples").getAsLong();
            open.sampleRate = w.get("sampleRate").getAsDouble();
            open.partials = w.get("partials").getAsInt();
            open.idHash = w.get("idHash").getAsLong();
            for (JsonElement e : w.getAsJsonArray("ranges")) {
                JsonObject x = e.getAsJsonObject();
                open.ranges.put(new TopicPartition(x.get("topic").getAsString(), x.get("partition").getAsInt()),
                        new long[] {x.get("first").getAsLong(), x.get("last").getAsLong()});
            }
            JsonArray counts = w.getAsJsonArray("classCounts");
            open.classCounts = new long[counts.size()];
            for (int i = 0; i < counts.size(); i++) {
                open.classCounts[i] = counts.get(i).getAsLong();
            }
            JsonArray scores = w.getAsJsonArray("cellScoreSums");
            open.cellScoreSums = new double[scores.size()];
            for (int i = 0; i < scores.size(); i++) {
                open.cellScoreSums[i] = scores.get(i).getAsDouble();
            }
            open.moments = new ArrayList<>();
            for (JsonElement e : w.getAsJsonArray("moments")) {
                open.moments.add(ChannelMoments.fromBytes(Base64.getDecoder().decode(e.getAsString())));
            }
            s.open = open;
        }
        return s;
    }

    private static JsonArray alarm(JudgeMemory.Alarm a) {
        JsonArray x = new JsonArray();
        x.add(a.state().name());
        x.add(a.run());
        return x;
    }

    private static JudgeMemory.Alarm alarm(JsonElement e) {
        JsonArray x = e.getAsJsonArray();
        return new JudgeMemory.Alarm(AlarmState.valueOf(x.get(0).getAsString()), x.get(1).getAsInt());
    }
}
